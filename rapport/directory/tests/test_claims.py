"""Claiming an imported profile (issue 16, item 3): the emailed link and the staff review."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from rapport.directory import claims
from rapport.directory.models import ClaimRequest, ClaimStatus, TherapistProfile
from rapport.moderation.models import AuditEvent
from rapport.testing import PASSWORD, alice_profile, bob, charlie, dana, imported_profile, run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]


def sent() -> list:
    """The emails sent so far: the queued ones are sent first, as `rapport worker` would."""
    run_tasks()
    return mail.outbox


def signed_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def claim_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/account/claim/confirm/\S+/)", str(message.body))
    assert found, message.body
    return found.group(1)


def ask_for_link(client, profile, capture) -> str:
    with capture(execute=True):
        response = client.post(f"/account/claim/{profile.slug}/email/")
    assert response.status_code == 200
    return response.content.decode()


# --- The way in ------------------------------------------------------------------------------


def test_an_unclaimed_profile_offers_claiming_and_an_owned_one_does_not(client) -> None:
    imported = imported_profile()
    assert "Claim this profile" in client.get(imported.get_absolute_url()).content.decode()
    owned = alice_profile()
    assert "Claim this profile" not in client.get(owned.get_absolute_url()).content.decode()


def test_claiming_asks_to_sign_in_first(client) -> None:
    profile = imported_profile()
    response = client.get(f"/account/claim/{profile.slug}/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert client.post(f"/account/claim/{profile.slug}/email/").status_code == 302
    assert sent() == []


# --- By the email on file --------------------------------------------------------------------


def test_the_link_goes_to_the_address_on_file_which_the_page_never_shows(
    client, django_capture_on_commit_callbacks
) -> None:
    profile = imported_profile()
    signed_in(client, dana())
    start = client.get(f"/account/claim/{profile.slug}/").content.decode()
    assert "Email me a claim link" in start
    page = ask_for_link(client, profile, django_capture_on_commit_callbacks)
    assert "We sent a link to the email address on file" in page
    assert profile.email not in start + page
    assert "practice.example" not in start + page  # not even the domain
    (message,) = sent()
    assert message.to == [profile.email]
    assert profile.name not in message.subject  # the subject names only the site
    profile.refresh_from_db()
    assert profile.owner is None  # sending changes nothing


def test_following_the_link_while_signed_in_claims_once(
    client, django_capture_on_commit_callbacks
) -> None:
    profile = imported_profile()
    before = client.get(profile.get_absolute_url()).content.decode()
    signed_in(client, dana())
    ask_for_link(client, profile, django_capture_on_commit_callbacks)
    url = claim_link(sent()[0])

    shown = client.get(url)  # a mail scanner's prefetch, or the person reading first
    assert shown.status_code == 200 and "Yes, claim this profile" in shown.content.decode()
    profile.refresh_from_db()
    assert profile.owner is None

    claimed = client.post(url)
    assert claimed.status_code == 302 and claimed["Location"] == "/account/"
    profile.refresh_from_db()
    assert profile.owner == dana()
    assert AuditEvent.objects.filter(action="directory.claim.claimed_by_email").count() == 1
    dashboard = client.get("/account/").content.decode()
    assert profile.name in dashboard

    again = client.post(url)
    assert again.status_code == 410
    assert "already claimed" in again.content.decode()

    # Claiming changes only the owner: the public page reads the same but for the claim link
    # and the way to reach them (a verified owner can receive messages here: issue 17).
    client.logout()
    after = client.get(profile.get_absolute_url()).content.decode()
    assert "Claim this profile" not in after
    assert "hasn't joined" in before and "hasn't joined" not in after
    assert "/contact/" in after

    def without_claim_link(html: str) -> str:
        html = re.sub(r'<p class="claim-this">.*?</p>', "", html, flags=re.S)
        html = re.sub(r'<p class="(not-joined-note|reach-out-lead)">.*?</p>', "", html, flags=re.S)
        html = re.sub(r'<p><a class="button reach-out".*?</p>', "", html, flags=re.S)
        return " ".join(html.split())

    assert without_claim_link(before) == without_claim_link(after)


def test_a_link_already_used_by_someone_else_is_refused(
    client, django_capture_on_commit_callbacks
) -> None:
    profile = imported_profile()
    signed_in(client, dana())
    ask_for_link(client, profile, django_capture_on_commit_callbacks)
    url = claim_link(sent()[0])
    # Meanwhile staff gave the profile to another claimant (a claim spends earlier links).
    request = ClaimRequest.objects.create(
        profile=profile, user=charlie(), license_number="L1", evidence="my site"
    )
    claims.claim_request_approve(claim=request, by=bob())
    response = client.post(url)
    assert response.status_code == 410
    assert "already been used or is no longer valid" in response.content.decode()
    profile.refresh_from_db()
    assert profile.owner == charlie()


def test_the_link_works_only_for_the_account_that_asked(
    client, django_capture_on_commit_callbacks
) -> None:
    profile = imported_profile()
    signed_in(client, dana())
    ask_for_link(client, profile, django_capture_on_commit_callbacks)
    url = claim_link(sent()[0])
    client.logout()
    signed_in(client, charlie())
    response = client.post(url)
    assert response.status_code == 410
    assert "another account" in response.content.decode()
    profile.refresh_from_db()
    assert profile.owner is None


def test_an_expired_link_is_refused_with_a_clear_message(client, monkeypatch) -> None:
    profile = imported_profile()
    user = dana()
    then = timezone.now().timestamp() - 25 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: then)
    token = claims.make_claim_token(profile=profile, user=user)
    monkeypatch.undo()
    signed_in(client, user)
    response = client.post(f"/account/claim/confirm/{token}/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    profile.refresh_from_db()
    assert profile.owner is None


def test_links_to_one_inbox_are_limited_per_day(client, django_capture_on_commit_callbacks):
    profile = imported_profile()
    signed_in(client, dana())
    for _ in range(claims.EMAILS_PER_PROFILE_PER_DAY):
        ask_for_link(client, profile, django_capture_on_commit_callbacks)
    refused = client.post(f"/account/claim/{profile.slug}/email/")
    assert refused.status_code == 409
    assert "Try again tomorrow" in refused.content.decode()
    assert len(sent()) == claims.EMAILS_PER_PROFILE_PER_DAY


def test_without_an_email_on_file_only_the_review_is_offered(client) -> None:
    profile = imported_profile(email="")
    signed_in(client, dana())
    page = client.get(f"/account/claim/{profile.slug}/").content.decode()
    assert "Email me a claim link" not in page
    assert "Send for review" in page


# --- By staff review -------------------------------------------------------------------------


def test_a_claim_request_needs_a_license_number_and_evidence_and_keeps_what_was_typed(
    client,
) -> None:
    profile = imported_profile()
    signed_in(client, dana())
    response = client.post(
        f"/account/claim/{profile.slug}/request/",
        {"license_number": "", "evidence": "See <b>my</b> practice site"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the license number on this profile." in html
    assert "See &lt;b&gt;my&lt;/b&gt; practice site" in html  # kept, shown as text
    assert not ClaimRequest.objects.exists()


def test_staff_approve_a_claim_request_in_the_admin_and_that_sets_the_owner(
    client, django_capture_on_commit_callbacks
) -> None:
    profile = imported_profile()
    signed_in(client, dana())
    response = client.post(
        f"/account/claim/{profile.slug}/request/",
        {"license_number": "LMFT 12345", "evidence": "My practice site lists this profile."},
    )
    assert response.status_code == 302
    request = ClaimRequest.objects.get()
    assert (request.user, request.status) == (dana(), ClaimStatus.PENDING)
    assert "Claims waiting for review" in client.get("/account/").content.decode()
    profile.refresh_from_db()
    assert profile.owner is None

    staff = signed_in(client.__class__(), bob())
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            "/admin/directory/claimrequest/",
            {"action": "approve_selected", "_selected_action": [request.pk]},
        )
    assert done.status_code == 302
    request.refresh_from_db()
    profile.refresh_from_db()
    assert request.status == ClaimStatus.APPROVED and request.decided_by == bob()
    assert profile.owner == dana()
    assert profile.status == "published"  # nothing else changed
    (told,) = sent()  # the page promised an email when it is decided
    assert told.to == [dana().email] and "approved your claim" in told.body


def test_staff_reject_a_claim_request(client, django_capture_on_commit_callbacks) -> None:
    profile = imported_profile()
    request = claims.claim_request_create(
        profile=profile, user=dana(), license_number="X", evidence="trust me"
    )
    staff = signed_in(client, bob())
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            "/admin/directory/claimrequest/",
            {"action": "reject_selected", "_selected_action": [request.pk]},
        )
    request.refresh_from_db()
    profile.refresh_from_db()
    assert request.status == ClaimStatus.REJECTED
    assert profile.owner is None
    (told,) = sent()
    assert told.to == [dana().email] and "could not confirm your claim" in told.body


def test_a_claimed_profile_cannot_be_claimed_again(client) -> None:
    profile = alice_profile()
    signed_in(client, dana())
    page = client.get(f"/account/claim/{profile.slug}/").content.decode()
    assert "already been claimed" in page
    response = client.post(
        f"/account/claim/{profile.slug}/request/",
        {"license_number": "1", "evidence": "it is me"},
    )
    assert response.status_code == 409
    assert not ClaimRequest.objects.exists()
    assert TherapistProfile.objects.get(pk=profile.pk).owner != dana()


def test_claim_requests_from_one_address_are_throttled(client) -> None:
    """10 an hour per address (core/ratelimits.py): enough for a person, not for a script."""
    profile = imported_profile()
    signed_in(client, dana())
    url = f"/account/claim/{profile.slug}/request/"
    codes = [
        client.post(url, {"license_number": "1", "evidence": "me"}).status_code for _ in range(11)
    ]
    assert codes[0] == 302 and set(codes[1:10]) == {409}  # a second request: already asked
    assert codes[10] == 429
