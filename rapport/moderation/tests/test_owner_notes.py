"""Moderators' notes to a profile's owner, through HTTP with personas: what bob (moderator)
asks in the review queue reaches the owner's dashboard and editor, not only their email, and
stays there until they mark it done or the profile is approved."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from rapport.directory.models import ClaimRequest, Status, TherapistProfile
from rapport.moderation.models import AuditEvent, OwnerNote
from rapport.testing import (
    alice_profile,
    bob,
    charlie,
    dana,
    make_profile,
    make_review_queue,
    run_tasks,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

DASHBOARD = "/account/"
EDITOR = "/account/profile/"


def decide(kind: str, pk: int, decision: str, reason: str = "") -> None:
    staff = Client()
    staff.force_login(bob())
    response = staff.post(f"/staff/review/{kind}/{pk}/", {"decision": decision, "reason": reason})
    assert response.status_code == 302, response.content.decode()[:500]


def as_owner(profile: TherapistProfile) -> Client:
    client = Client()
    assert profile.owner is not None
    client.force_login(profile.owner)
    return client


def test_asked_changes_show_on_the_dashboard_and_editor_until_marked_done() -> None:
    ((kind, pk),) = make_review_queue(1)
    decide(kind, pk, "changes", "Add your fees & your license's state.")
    profile = TherapistProfile.objects.get(pk=pk)
    run_tasks()
    (email,) = mail.outbox
    assert "Add your fees & your license's state." in email.body
    assert "this note waits on your dashboard too" in email.body
    owner = as_owner(profile)
    for url in (DASHBOARD, EDITOR):
        page = owner.get(url).content.decode()
        assert "A note from our staff" in page
        assert "Changes requested" in page
        assert (
            "The reviewer's note:</strong> Add your fees &amp; your license&#x27;s state." in page
        )
    assert "see our staff's note" not in owner.get(EDITOR).content.decode()  # a draft now

    note = OwnerNote.objects.get()
    # Nobody else can close it, and it shows on nobody else's dashboard.
    other = Client()
    other.force_login(charlie())
    assert "Changes requested" not in other.get(DASHBOARD).content.decode()
    assert other.post(f"/account/notes/{note.pk}/done/").status_code == 404
    assert Client().post(f"/account/notes/{note.pk}/done/").status_code == 302  # to sign in
    assert owner.get(f"/account/notes/{note.pk}/done/").status_code == 405

    response = owner.post(f"/account/notes/{note.pk}/done/", {"back": "editor"})
    assert response.status_code == 302 and response["Location"] == EDITOR
    assert "Changes requested" not in owner.get(EDITOR).content.decode()
    assert "Changes requested" not in owner.get(DASHBOARD).content.decode()
    assert AuditEvent.objects.filter(action="moderation.note.closed").count() == 1
    # Twice (a double click) closes it once, and lands on the dashboard by default.
    response = owner.post(f"/account/notes/{note.pk}/done/")
    assert response["Location"] == f"{DASHBOARD}#profile-{pk}"
    assert AuditEvent.objects.filter(action="moderation.note.closed").count() == 1


def test_a_rejection_note_stays_until_the_profile_is_approved() -> None:
    ((kind, pk),) = make_review_queue(1)
    decide(kind, pk, "reject", "The license number is not Washington's.")
    profile = TherapistProfile.objects.get(pk=pk)
    owner = as_owner(profile)
    page = owner.get(EDITOR).content.decode()
    assert "Not approved" in page and "is not Washington&#x27;s." in page
    assert "see our staff's note, edit, and submit again." in page

    TherapistProfile.objects.filter(pk=pk).update(status=Status.PENDING)  # submitted again
    decide("profile", pk, "approve")
    assert OwnerNote.objects.get().closed_at is not None
    assert "Not approved" not in owner.get(DASHBOARD).content.decode()


def test_a_flagged_statement_and_an_upheld_report_leave_a_note() -> None:
    made = make_review_queue(5)
    (report_pk,) = [pk for kind, pk in made if kind == "report"]
    (flag_pk,) = [pk for kind, pk in made if kind == "flag"]
    decide("flag", flag_pk, "reject", "Say how you use it with clients.")
    flagged = TherapistProfile.objects.get(pk=flag_pk)
    page = as_owner(flagged).get(EDITOR).content.decode()
    assert "Approach statements taken off the approach pages" in page
    assert "Say how you use it with clients." in page

    # The reported profile belongs to alice here: an upheld report takes it down, with a note.
    from rapport.moderation.models import ProfileReport

    report = ProfileReport.objects.get(pk=report_pk)
    report.profile = alice_profile()
    report.save()
    decide("report", report_pk, "approve", "The phone number is disconnected.")
    page = as_owner(alice_profile()).get(DASHBOARD).content.decode()
    assert "Taken down after a report" in page and "phone number is disconnected" in page


def test_nobody_gets_a_note_for_a_profile_nobody_owns() -> None:
    profile = make_profile(name="Imported Person", owner=None, status=Status.PENDING)
    decide("profile", profile.pk, "changes", "Add fees.")
    assert not OwnerNote.objects.exists()


def test_a_declined_claim_shows_its_reason_on_the_claimants_dashboard() -> None:
    profile = make_profile(name="Claimed Person", owner=None, source="import")
    claim = ClaimRequest.objects.create(
        profile=profile, user=dana(), license_number="LH60012345", evidence="My website."
    )
    claimant = Client()
    claimant.force_login(dana())
    assert "Claims waiting for review" in claimant.get(DASHBOARD).content.decode()
    decide("claim", claim.pk, "changes", "The website does not name you.")
    page = claimant.get(DASHBOARD).content.decode()
    assert "Claims waiting for review" not in page
    assert "Claims not approved" in page
    assert "Please send a new request with more evidence: The website does not name you." in page
