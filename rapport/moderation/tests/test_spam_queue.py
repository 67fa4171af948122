"""Spam reports in the review queue, through HTTP with personas: alice reports a request
from her inbox, bob (moderator) sees only facts about it, and confirms it (contents erased)
or finds it not spam (back in alice's inbox)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapport.messaging import services
from rapport.messaging.models import ContactRequest
from rapport.moderation.models import AuditEvent
from rapport.testing import alice, alice_profile, bob, charlie, make_review_queue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

QUEUE = "/staff/review/"
# What the sender typed: none of it may reach a staff page.
SECRET_NAME = "Quillon Barthelmess"
SECRET_EMAIL = "quillon.secret@example.net"
SECRET_PHONE = "(253) 555-0199"
SECRET_MESSAGE = "Cheap zanthoxylum pills at a marvelous discount"


def send(*, name: str = SECRET_NAME, message: str = SECRET_MESSAGE) -> ContactRequest:
    row, created = services.contact_send(
        profile=alice_profile(),
        sender=services.SenderDetails(
            name=name,
            email=SECRET_EMAIL,
            phone=SECRET_PHONE,
            preferred="either",
            message=message,
            looking_for="Zanzibarian weekend hours",
        ),
        idempotency_key=f"spam-test-{uuid.uuid4().hex}",
        notify_on_read=False,
        wants_alternatives=False,
    )
    assert created
    return row


def report_as_alice(client: Client, row: ContactRequest) -> None:
    client.force_login(alice())
    url = reverse("messaging:action", kwargs={"public_id": row.public_id, "action": "spam"})
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.spam_reported_at is not None


def item_url(row: ContactRequest) -> str:
    return f"/staff/review/spam/{row.pk}/"


def assert_nothing_of_the_sender(html: str) -> None:
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_PHONE, "zanthoxylum", "Zanzibarian"):
        assert secret not in html


def test_alice_reports_spam_and_bob_sees_only_facts_about_it(client: Client) -> None:
    row = send()
    report_as_alice(client, row)
    client.force_login(bob())
    queue = client.get(QUEUE).content.decode()
    assert f'href="{item_url(row)}"' in queue
    assert '<span class="queue-count">1</span> Spam reports' in queue
    assert "1 reported by this therapist in 7 days, 1 in all; 1 received in 24 hours" in queue
    assert_nothing_of_the_sender(queue)

    response = client.get(item_url(row))
    assert response.status_code == 200
    page = response.content.decode()
    assert_nothing_of_the_sender(page)
    assert alice_profile().name in page and alice_profile().get_absolute_url() in page
    assert "Confirmed spam" in page and "Not spam" in page
    assert "Ask for changes" not in page and 'id="changes-reason"' not in page
    assert "Record a verification" not in page
    # The sealed contents are not even read to build the page.
    assert row.contents()["message"] == SECRET_MESSAGE


def test_charlie_and_visitors_cannot_see_or_decide_a_spam_report(client: Client) -> None:
    row = send()
    report_as_alice(client, row)
    client.logout()
    assert client.get(item_url(row)).status_code == 302
    client.force_login(charlie())
    assert client.get(item_url(row)).status_code == 404
    assert client.post(item_url(row), {"decision": "approve"}).status_code == 404
    row.refresh_from_db()
    assert row.spam_reviewed_at is None and row.sealed


def test_confirming_erases_the_contents_with_an_audit_event(client: Client) -> None:
    row = send()
    report_as_alice(client, row)
    client.force_login(bob())
    response = client.post(item_url(row), {"decision": "approve"})
    assert response.status_code == 302 and response["Location"] == QUEUE
    row.refresh_from_db()
    assert row.sealed == "" and row.contents() == {}
    assert row.spam_reviewed_at is not None and row.spam_reported_at is not None
    event = AuditEvent.objects.get(action="messaging.request.spam_confirmed")
    assert (event.actor, event.target_id) == (bob(), str(row.pk))
    assert AuditEvent.objects.filter(action="moderation.review.approved", actor=bob()).exists()
    assert item_url(row) not in client.get(QUEUE).content.decode()
    # Decided: the page says so and offers no decision; a second one is refused.
    page = client.get(item_url(row)).content.decode()
    assert "This item has been decided already." in page and "approve-button" not in page
    again = client.post(item_url(row), {"decision": "reject"})
    assert again.status_code == 400
    assert "already decided" in again.content.decode()
    # Alice cannot open what is erased, and it is not in her inbox.
    client.force_login(alice())
    detail = reverse("messaging:request", kwargs={"public_id": row.public_id})
    assert client.get(detail).status_code == 404
    assert detail not in client.get("/account/inbox/").content.decode()


def test_not_spam_puts_it_back_in_alices_inbox(client: Client) -> None:
    row = send(name="Wilhelmina Ostrander", message="I would like a consultation, please.")
    report_as_alice(client, row)
    detail = reverse("messaging:request", kwargs={"public_id": row.public_id})
    assert detail not in client.get("/account/inbox/").content.decode()
    client.force_login(bob())
    response = client.post(item_url(row), {"decision": "reject", "reason": ""})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.spam_reported_at is None and row.spam_reviewed_at is not None
    assert row.contents()["message"] == "I would like a consultation, please."
    event = AuditEvent.objects.get(action="messaging.request.spam_cleared")
    assert (event.actor, event.target_id) == (bob(), str(row.pk))
    assert item_url(row) not in client.get(QUEUE).content.decode()
    client.force_login(alice())
    inbox = client.get("/account/inbox/").content.decode()
    assert detail in inbox and "Wilhelmina Ostrander" in inbox

    # Reported again, it waits for a moderator again.
    report_as_alice(client, row)
    client.force_login(bob())
    assert item_url(row) in client.get(QUEUE).content.decode()


def test_asking_for_changes_is_refused_for_a_spam_report(client: Client) -> None:
    row = send()
    report_as_alice(client, row)
    client.force_login(bob())
    response = client.post(item_url(row), {"decision": "changes", "reason": "Please fix."})
    assert response.status_code == 400
    assert "A spam report cannot be sent back for changes" in response.content.decode()
    row.refresh_from_db()
    assert row.spam_reviewed_at is None and row.sealed
    assert not AuditEvent.objects.filter(actor=bob()).exists()


def test_the_figures_show_a_wave_and_a_therapist_who_reports_often(client: Client) -> None:
    now = timezone.now()
    old = send()
    ContactRequest.objects.filter(pk=old.pk).update(
        created_at=now - dt.timedelta(days=20), spam_reported_at=now - dt.timedelta(days=19)
    )
    wave = [send() for _ in range(4)]
    for row in wave[:2]:
        services.contact_report_spam(request=row, by=alice())
    client.force_login(bob())
    page = client.get(item_url(wave[0])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Reported as spam by this therapist 2 in the last 7 days, 3 in all" in text
    assert "Requests this profile received in the last 24 hours 4" in text
    assert_nothing_of_the_sender(page)


def test_the_queue_reads_a_fixed_number_of_queries_with_spam_reports(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_review_queue(5)
    services.contact_report_spam(request=send(), by=alice())
    client.force_login(bob())
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    for _ in range(10):
        services.contact_report_spam(request=send(), by=alice())
    with CaptureQueriesContext(connection) as many:
        html = client.get(QUEUE).content.decode()
    assert html.count('class="queue-link"') == 16
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert not any("sealed" in q["sql"] for q in many.captured_queries)
    assert_nothing_of_the_sender(html)


def test_the_digest_counts_spam_reports(client: Client) -> None:
    from django.core import mail

    from rapport.moderation.digest import digest_send
    from rapport.testing import run_tasks

    services.contact_report_spam(request=send(), by=alice())
    bob()
    assert digest_send()
    run_tasks()
    (message,) = [m for m in mail.outbox if "wait for review" in m.subject]
    assert "- Spam reports: 1" in message.body
    assert_nothing_of_the_sender(str(message.body))
