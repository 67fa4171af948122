"""The review queue at /staff/review/, through HTTP with personas."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from rapport.directory.models import (
    ApproachStatement,
    ClaimRequest,
    ClaimStatus,
    ProfileRevision,
    RevisionStatus,
    Status,
    TherapistProfile,
)
from rapport.moderation.models import AuditEvent, LicenseVerification, ProfileReport
from rapport.testing import (
    alice_profile,
    bob,
    charlie,
    erin,
    make_review_queue,
    run_tasks,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

QUEUE = "/staff/review/"


def _item(kind: str, pk: int) -> str:
    return f"/staff/review/{kind}/{pk}/"


@pytest.fixture
def moderator(client: Client) -> Client:
    client.force_login(bob())
    return client


def test_only_staff_with_two_factor_and_the_role_reach_the_queue(client: Client) -> None:
    ((kind, pk),) = make_review_queue(1)
    for url in (QUEUE, _item(kind, pk), "/staff/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(charlie())
    assert client.get(QUEUE).status_code == 404
    assert client.get(_item(kind, pk)).status_code == 404
    assert client.post(_item(kind, pk), {"decision": "approve"}).status_code == 404
    client.force_login(erin())  # staff, no second factor: sent to set it up
    response = client.post(_item(kind, pk), {"decision": "approve"})
    assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"]
    assert TherapistProfile.objects.get(pk=pk).status == Status.PENDING
    client.force_login(bob())
    assert client.get(QUEUE).status_code == 200


def test_it_lists_every_kind_oldest_first_with_counts(moderator: Client) -> None:
    made = make_review_queue(10)
    page = moderator.get(QUEUE).content.decode()
    links = re.findall(r'href="/staff/review/(\w+)/(\d+)/"', page)
    assert [(k, int(pk)) for k, pk in links] == made
    counts = re.findall(r'<span class="queue-count">(\d+)</span> ([^<]+)</li>', page)
    assert [(int(n), label) for n, label in counts] == [
        (2, "New profiles"),
        (2, "Edits to review"),
        (2, "Claims"),
        (2, "Reports"),
        (2, "Flagged statements"),
        (0, "Spam reports"),
    ]
    assert "10 items wait." in page


def test_approving_a_new_profile_publishes_it_emails_the_owner_and_opens_the_next(
    moderator: Client,
) -> None:
    made = make_review_queue(2)
    kind, pk = made[0]
    response = moderator.post(_item(kind, pk), {"decision": "approve"})
    assert response.status_code == 302 and response["Location"] == _item(*made[1])
    profile = TherapistProfile.objects.get(pk=pk)
    assert profile.status == Status.PUBLISHED
    assert moderator.get(profile.get_absolute_url()).status_code == 200
    actions = list(
        AuditEvent.objects.filter(actor=bob()).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["directory.profile.approved", "moderation.review.approved"]
    run_tasks()
    assert profile.owner is not None
    assert [m.to for m in mail.outbox] == [[profile.owner.email]]
    assert "approved" in mail.outbox[0].body


def test_a_rejection_needs_a_reason_and_the_therapist_receives_it(moderator: Client) -> None:
    ((kind, pk),) = make_review_queue(1)
    response = moderator.post(_item(kind, pk), {"decision": "reject", "reason": "  "})
    assert response.status_code == 400
    assert "Write the reason: the therapist receives it by email." in response.content.decode()
    assert TherapistProfile.objects.get(pk=pk).status == Status.PENDING
    assert not AuditEvent.objects.filter(actor=bob()).exists()

    response = moderator.post(
        _item(kind, pk), {"decision": "reject", "reason": "The license number is not WA's."}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE  # queue is clear
    assert TherapistProfile.objects.get(pk=pk).status == Status.REJECTED
    event = AuditEvent.objects.get(action="directory.profile.rejected")
    assert event.reason == "The license number is not WA's." and event.actor == bob()
    run_tasks()
    assert "The license number is not WA's." in mail.outbox[0].body
    assert "not WA" not in mail.outbox[0].subject


def test_asking_for_changes_sends_the_profile_back_to_its_draft(moderator: Client) -> None:
    ((kind, pk),) = make_review_queue(1)
    moderator.post(_item(kind, pk), {"decision": "changes", "reason": "Add your fees."})
    assert TherapistProfile.objects.get(pk=pk).status == Status.DRAFT
    assert AuditEvent.objects.filter(action="directory.profile.changes_requested").exists()
    run_tasks()
    assert "Add your fees." in mail.outbox[0].body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "delete"}, "Choose approve, reject or ask for changes."),
        ({}, "This field is required."),
        ({"decision": "changes", "reason": "x" * 1001}, "Keep the reason under 1,000 characters."),
    ],
)
def test_bad_decisions_get_a_message_and_change_nothing(moderator: Client, data, message) -> None:
    ((kind, pk),) = make_review_queue(1)
    response = moderator.post(_item(kind, pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TherapistProfile.objects.get(pk=pk).status == Status.PENDING


def test_it_decides_edits_claims_reports_and_flags(moderator: Client) -> None:
    made = make_review_queue(5)
    by_kind = dict(made)
    moderator.post(_item("revision", by_kind["revision"]), {"decision": "approve"})
    revision = ProfileRevision.objects.get(pk=by_kind["revision"])
    assert revision.status == RevisionStatus.APPROVED
    assert revision.profile.statement == "A new statement 1."

    moderator.post(
        _item("claim", by_kind["claim"]), {"decision": "reject", "reason": "No evidence."}
    )
    claim = ClaimRequest.objects.get(pk=by_kind["claim"])
    assert claim.status == ClaimStatus.REJECTED

    moderator.post(
        _item("report", by_kind["report"]), {"decision": "approve", "reason": "Number is dead."}
    )
    report = ProfileReport.objects.get(pk=by_kind["report"])
    assert report.status == "upheld" and report.profile.status == Status.SUSPENDED

    moderator.post(_item("flag", by_kind["flag"]), {"decision": "reject", "reason": "Only a list."})
    flagged = TherapistProfile.objects.get(pk=by_kind["flag"])
    assert flagged.review_flags == []
    assert (
        ApproachStatement.objects.get(
            profile=flagged, approach__slug="relational-therapy"
        ).statement
        == ""
    )

    # The new profile is all that waits.
    assert moderator.get(QUEUE).content.decode().count('class="queue-link"') == 1
    assert AuditEvent.objects.filter(action__startswith="moderation.review.").count() == 4
    run_tasks()
    bodies = "\n".join(str(m.body) for m in mail.outbox)
    assert "No evidence." in bodies and "Only a list." in bodies


def test_a_decided_item_cannot_be_decided_twice(moderator: Client) -> None:
    ((kind, pk),) = make_review_queue(1)
    moderator.post(_item(kind, pk), {"decision": "approve"})
    response = moderator.post(_item(kind, pk), {"decision": "reject", "reason": "Too late"})
    assert response.status_code == 400
    assert "cannot be rejected" in response.content.decode()
    assert TherapistProfile.objects.get(pk=pk).status == Status.PUBLISHED


def test_it_records_a_verification_from_the_queue_and_refuses_bad_input(moderator: Client) -> None:
    profile = alice_profile()
    profile.status = Status.PENDING
    profile.save(update_fields=["status"])
    lic = profile.licenses.get()
    page = moderator.get(_item("profile", profile.pk)).content.decode()
    assert "Look it up on the Washington State Department of Health" in page

    bad = moderator.post(
        f"/staff/review/profile/{profile.pk}/verify/",
        {"license": lic.pk, "method": "board", "lookup_url": "", "result": "",
         "verified_on": "2026-13-40", "expires_on": "soon"},
    )  # fmt: skip
    text = bad.content.decode()
    assert bad.status_code == 400
    for message in (
        "Write what the lookup, record or document showed.",
        "Enter a date like 2026-12-06.",
        "Enter a date like 2027-12-06.",
    ):
        assert message in text
    assert not LicenseVerification.objects.exists()

    good = moderator.post(
        f"/staff/review/profile/{profile.pk}/verify/",
        {"license": lic.pk, "method": "board",
         "lookup_url": "https://fortress.wa.gov/doh/providercredentialsearch/",
         "result": "Active, no actions", "verified_on": "2026-12-01", "expires_on": "2027-12-01"},
    )  # fmt: skip
    assert good.status_code == 302
    record = LicenseVerification.objects.get()
    assert (record.verifier, record.result) == (bob(), "Active, no actions")
    lic.refresh_from_db()
    assert lic.is_verified


def test_the_queue_page_reads_a_fixed_number_of_queries(moderator: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_review_queue(5)
    moderator.get(QUEUE)  # sessions, permissions and the like warmed up
    with CaptureQueriesContext(connection) as few:
        moderator.get(QUEUE)
    make_review_queue(25)
    with CaptureQueriesContext(connection) as many:
        assert moderator.get(QUEUE).content.decode().count('class="queue-link"') == 30
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
