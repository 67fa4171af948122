"""contact_send and the inbox services, through the service API the views call."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.http import Http404
from django_tasks_db.models import DBTaskResult

from rapport.directory.models import Status
from rapport.messaging import services
from rapport.messaging.models import ContactRequest, ReplyChannel
from rapport.messaging.services import ContactNotAllowed, SenderDetails
from rapport.moderation.models import AuditEvent
from rapport.testing import alice, alice_profile, charlie, imported_profile, run_tasks

pytestmark = pytest.mark.django_db

SENDER = SenderDetails(
    name="Morgan Quill",
    email="morgan.quill@example.net",
    phone="(206) 555-0199",
    preferred="email",
    message="I have been struggling with panic attacks since spring.",
    looking_for="Someone who works with anxiety, evenings",
)


def send(key: str = "key-1", **overrides: object) -> tuple[ContactRequest, bool]:
    arguments: dict[str, object] = {
        "profile": alice_profile(),
        "sender": SENDER,
        "idempotency_key": key,
        "notify_on_read": False,
        "wants_alternatives": False,
    }
    arguments.update(overrides)
    return services.contact_send(**arguments)  # type: ignore[arg-type]


def test_it_stores_the_request_sealed_and_queues_two_emails_by_id() -> None:
    request, created = send()

    assert created
    assert request.recipient == alice()
    assert request.contents() == {
        "name": "Morgan Quill",
        "email": "morgan.quill@example.net",
        "phone": "(206) 555-0199",
        "preferred": "email",
        "message": "I have been struggling with panic attacks since spring.",
        "looking_for": "Someone who works with anxiety, evenings",
    }
    raw = ContactRequest.objects.values_list("sealed", flat=True).get()
    assert "Morgan" not in raw and "panic" not in raw
    queued = DBTaskResult.objects.order_by("enqueued_at", "id")
    assert sorted(t.task_path.rsplit(".", 1)[1] for t in queued) == [
        "notify_therapist",
        "send_receipt",
    ]
    # Only the id travels: task rows are plain JSON in the database.
    for task_row in queued:
        assert task_row.args_kwargs == {"args": [request.pk], "kwargs": {}}
    event = AuditEvent.objects.get(action="messaging.request.sent")
    assert event.target_id == str(request.pk) and event.reason == ""


def test_it_makes_a_double_submit_one_request_with_one_pair_of_emails() -> None:
    first, created = send("same-key")
    again, created_again = send("same-key")

    assert created and not created_again
    assert again.pk == first.pk
    assert ContactRequest.objects.count() == 1
    assert DBTaskResult.objects.count() == 2
    run_tasks()
    assert len(mail.outbox) == 2


def test_it_emails_the_therapist_without_the_message_and_the_sender_a_receipt() -> None:
    request, _created = send()
    run_tasks()

    to_alice = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    to_sender = [m for m in mail.outbox if m.to == ["morgan.quill@example.net"]]
    assert len(to_alice) == 1 and len(to_sender) == 1
    assert to_alice[0].subject == "New contact request on Rapport"
    assert "panic" not in to_alice[0].body and "Morgan" not in to_alice[0].body
    assert f"/account/inbox/{request.public_id}/" in to_alice[0].body
    assert to_sender[0].subject == "Your contact request on Rapport"
    request.refresh_from_db()
    assert request.therapist_notified_at is not None and request.receipt_sent_at is not None


@pytest.mark.parametrize(
    "change",
    ["unpublished", "unclaimed", "unverified", "deletion_requested"],
)
def test_it_refuses_a_profile_that_cannot_receive_requests(change: str) -> None:
    profile = alice_profile()
    owner = alice()
    if change == "unpublished":
        profile.status = Status.DRAFT
        profile.save()
    elif change == "unclaimed":
        profile = imported_profile()
    elif change == "unverified":
        EmailAddress.objects.filter(user=owner).update(verified=False)
    else:
        owner.deletion_requested_at = owner.date_joined
        owner.save()

    assert not services.can_receive_requests(profile)
    with pytest.raises(ContactNotAllowed):
        send(profile=profile)
    assert ContactRequest.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_it_says_a_claimed_published_profile_with_a_verified_owner_can_receive() -> None:
    assert services.can_receive_requests(alice_profile())


def test_it_keeps_the_senders_details_out_of_reprs() -> None:
    assert "Morgan" not in repr(SENDER) and "panic" not in repr(SENDER)
    request, _created = send()
    assert "Morgan" not in str(request) and "Morgan" not in repr(request)


def test_it_gives_the_owner_her_request_and_anyone_else_the_same_404() -> None:
    request, _created = send()

    assert services.get_request_for_owner(alice(), request.public_id) == request
    with pytest.raises(Http404):
        services.get_request_for_owner(charlie(), request.public_id)
    with pytest.raises(Http404):
        services.get_request_for_owner(alice(), uuid.uuid4())


def test_it_marks_read_once_and_sends_the_read_notice_when_asked() -> None:
    request, _created = send(notify_on_read=True)
    run_tasks()
    mail.outbox.clear()

    services.contact_mark_read(request=request, by=alice())
    first_read = request.read_at
    services.contact_mark_read(request=request, by=alice())
    run_tasks()

    assert first_read is not None and request.read_at == first_read
    assert [m.subject for m in mail.outbox] == ["Your contact request was read on Rapport"]
    assert mail.outbox[0].to == ["morgan.quill@example.net"]
    assert AuditEvent.objects.filter(action="messaging.request.read").count() == 1


def test_it_sends_no_read_notice_unless_asked() -> None:
    request, _created = send(notify_on_read=False)
    run_tasks()
    mail.outbox.clear()
    services.contact_mark_read(request=request, by=alice())
    run_tasks()
    assert mail.outbox == []


def test_it_marks_replied_with_the_channel_and_counts_it_read() -> None:
    request, _created = send()
    services.contact_mark_replied(request=request, by=alice(), via=ReplyChannel.PHONE)
    first = request.replied_at
    services.contact_mark_replied(request=request, by=alice(), via=ReplyChannel.EMAIL)

    request.refresh_from_db()
    assert request.replied_at == first and request.read_at is not None
    assert request.replied_via == "email"
    with pytest.raises(ValueError):
        services.contact_mark_replied(request=request, by=alice(), via="carrier pigeon")


def test_it_archives_and_unarchives() -> None:
    request, _created = send()
    services.contact_archive(request=request, by=alice())
    assert list(ContactRequest.objects.archived()) == [request]
    services.contact_unarchive(request=request, by=alice())
    assert list(ContactRequest.objects.inbox()) == [request]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"messaging.request.archived", "messaging.request.unarchived"} <= actions


def test_it_erases_the_contents_on_delete_and_keeps_the_row_for_statistics() -> None:
    request, _created = send()
    services.contact_delete(request=request, by=alice())

    request.refresh_from_db()
    assert request.sealed == "" and request.contents() == {}
    assert request.deleted_at is not None
    assert ContactRequest.objects.inbox().count() == 0
    with pytest.raises(Http404):
        services.get_request_for_owner(alice(), request.public_id)
    run_tasks()  # the queued emails find nothing to send about an erased request
    assert mail.outbox == []


def test_it_takes_a_spam_report_out_of_the_inbox_with_an_audit_event() -> None:
    request, _created = send()
    services.contact_report_spam(request=request, by=alice())

    assert ContactRequest.objects.live().count() == 0
    event = AuditEvent.objects.get(action="messaging.request.reported_spam")
    assert event.actor == alice() and event.target_id == str(request.pk)


def test_it_withdraws_through_the_signed_token() -> None:
    request, _created = send()
    token = services.withdraw_token(request)

    found = services.request_from_withdraw_token(token)
    assert found == request
    services.contact_withdraw(request=found)
    request.refresh_from_db()
    assert request.withdrawn_at is not None and request.sealed == ""
    assert services.request_from_withdraw_token(token + "x") is None
    assert services.request_from_withdraw_token("not-a-token") is None
    assert AuditEvent.objects.filter(action="messaging.request.withdrawn").count() == 1


def test_it_never_writes_content_into_audit_events() -> None:
    request, _created = send(notify_on_read=True)
    services.contact_mark_read(request=request, by=alice())
    services.contact_mark_replied(request=request, by=alice(), via="email")
    services.contact_archive(request=request, by=alice())
    services.contact_report_spam(request=request, by=alice())
    services.contact_delete(request=request, by=alice())
    for event in AuditEvent.objects.filter(action__startswith="messaging."):
        assert event.reason in {"", "email"}
        assert "Morgan" not in str(event.__dict__) and "panic" not in str(event.__dict__)


def test_it_gets_or_creates_the_inbox_settings() -> None:
    settings_row = services.inbox_settings_for(alice())
    assert settings_row.email_includes_message is False
    assert services.inbox_settings_for(alice()).pk == settings_row.pk


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serializes writers (BEGIN IMMEDIATE); its in-memory shared-cache test "
    "database answers threads with 'table is locked' instead of waiting",
)
@pytest.mark.django_db(transaction=True)
def test_it_makes_simultaneous_submits_with_one_key_one_request() -> None:
    # Several processes submitting the same form at once: the unique key, not a prior read,
    # decides.
    profile = alice_profile()
    start = threading.Barrier(4)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            start.wait()
            request, created = services.contact_send(
                profile=profile,
                sender=SENDER,
                idempotency_key="raced",
                notify_on_read=False,
                wants_alternatives=False,
            )
            results.append((request.pk, created))
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False, False, False, True]
    assert ContactRequest.objects.count() == 1
    assert DBTaskResult.objects.count() == 2


def test_it_sends_in_a_constant_handful_of_queries(django_assert_num_queries: Any) -> None:
    profile = alice_profile()
    send("warm-up")
    # The transaction (a savepoint inside the test's), the key looked up, the profile read,
    # its owner checked, the insert in its own savepoint, the audit event, two task rows:
    # the submit path stays short (C1 in the performance doc).
    with django_assert_num_queries(11):
        services.contact_send(
            profile=profile,
            sender=SENDER,
            idempotency_key="counted",
            notify_on_read=False,
            wants_alternatives=False,
        )
