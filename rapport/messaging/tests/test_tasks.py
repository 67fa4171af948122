"""Delivery: exactly once, through a mail outage, with the right words and none of the wrong ones."""

from __future__ import annotations

import datetime
import smtplib
import threading
import time
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.messaging import emails, services, tasks
from rapport.messaging.models import ContactRequest
from rapport.messaging.services import SenderDetails
from rapport.testing import alice, alice_profile, make_profile, make_user, run_tasks

pytestmark = pytest.mark.django_db

SENDER = SenderDetails(
    name="Morgan Quill",
    email="morgan.quill@example.net",
    phone="",
    preferred="phone",
    message="Since the accident I cannot sleep & I keep reliving it.",
    looking_for="",
)
_keys = iter(range(1_000_000))


def send(profile: Any = None, sender: SenderDetails = SENDER, **flags: bool) -> ContactRequest:
    request, _created = services.contact_send(
        profile=profile or alice_profile(),
        sender=sender,
        idempotency_key=f"k{next(_keys)}",
        notify_on_read=flags.get("notify_on_read", False),
        wants_alternatives=flags.get("wants_alternatives", False),
    )
    return request


def to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def age(request: ContactRequest, **delta: float) -> None:
    ContactRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - datetime.timedelta(**delta)
    )


# --- Exactly once --------------------------------------------------------------------------


def test_it_sends_each_email_once_however_often_the_task_is_queued() -> None:
    request = send()
    tasks.notify_therapist.enqueue(request.pk)
    tasks.send_receipt.enqueue(request.pk)
    run_tasks()
    tasks.notify_therapist.enqueue(request.pk)  # a rerun after the marker was set
    run_tasks()

    assert len(to("alice@example.org")) == 1
    assert len(to("morgan.quill@example.net")) == 1


def test_it_leaves_the_marker_empty_when_the_send_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    request = send()

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("mail server away")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    run_tasks()

    request.refresh_from_db()
    assert request.therapist_notified_at is None and request.receipt_sent_at is None
    retries = DBTaskResult.objects.filter(status="READY")
    assert retries.count() == 2
    for row in retries:
        request_id, attempt, first_try = row.args_kwargs["args"]
        assert (request_id, attempt) == (request.pk, 2)
        assert abs(first_try - time.time()) < 60


def test_a_crash_after_the_server_accepted_and_before_commit_sends_twice_never_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The one duplicate the design allows (docs/decisions.md): the marker's transaction fails
    # after the mail server took the message, so the retry sends it again, once the claim
    # the failed run left has lapsed (before that, retries wait rather than send).
    request = send()
    DBTaskResult.objects.all().delete()
    real_save = ContactRequest.save
    crashes = {"left": 1}

    def save_once_failing(self: ContactRequest, *args: Any, **kwargs: Any) -> None:
        if crashes["left"] and "therapist_notified_at" in (kwargs.get("update_fields") or []):
            crashes["left"] -= 1
            raise OperationalError("disk I/O error")
        real_save(self, *args, **kwargs)

    def retry_now() -> None:
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_tasks()

    monkeypatch.setattr(ContactRequest, "save", save_once_failing)
    tasks.notify_therapist.enqueue(request.pk)
    run_tasks()
    assert len(to("alice@example.org")) == 1
    request.refresh_from_db()
    assert request.therapist_notified_at is None
    assert set(request.delivery_claims) == {"therapist_notified_at"}

    retry_now()  # the claim is fresh: no second email yet, and the task is queued again
    assert len(to("alice@example.org")) == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    lapsed = timezone.now() - datetime.timedelta(seconds=121)
    ContactRequest.objects.filter(pk=request.pk).update(
        delivery_claims={"therapist_notified_at": lapsed.isoformat()}
    )
    retry_now()
    assert len(to("alice@example.org")) == 2
    request.refresh_from_db()
    assert request.therapist_notified_at is not None and request.delivery_claims == {}


def test_no_transaction_is_open_while_the_mail_server_talks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On SQLite an open write transaction blocks every other writer: a hanging mail server
    # must not hold up contact submissions, edits or sign-ups.
    from django.db import transaction

    request = send()
    DBTaskResult.objects.all().delete()
    real_send = EmailMessage.send
    seen: list[tuple[int, dict[str, str]]] = []

    def watching_send(self: EmailMessage, fail_silently: bool = False) -> int:
        claims = ContactRequest.objects.get(pk=request.pk).delivery_claims
        seen.append((len(transaction.get_connection().atomic_blocks), claims))
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", watching_send)
    assert tasks.deliver(request_id=request.pk, marker="receipt_sent_at", build=emails.receipt)
    # pytest-django wraps each test in a transaction: the send ran at that depth, no deeper.
    assert [depth for depth, _ in seen] == [len(transaction.get_connection().atomic_blocks)]
    assert set(seen[0][1]) == {"receipt_sent_at"}  # claimed while it was sent
    request.refresh_from_db()
    assert request.receipt_sent_at is not None and request.delivery_claims == {}


def test_a_failed_send_gives_its_claim_back_for_the_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    request = send()
    DBTaskResult.objects.all().delete()

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("mail server away")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        tasks.deliver(request_id=request.pk, marker="receipt_sent_at", build=emails.receipt)
    request.refresh_from_db()
    assert request.delivery_claims == {} and request.receipt_sent_at is None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks between connections (SQLite serializes whole transactions, and "
    "its in-memory test database cannot be shared by threads that wait)",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_delivery_at_once_send_one_email(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = send()
    start = threading.Barrier(3)
    real_send = EmailMessage.send

    def slow_send(self: EmailMessage, fail_silently: bool = False) -> int:
        time.sleep(0.3)  # the others reach the lock meanwhile
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    sent: list[bool | str] = []

    def worker() -> None:
        try:
            start.wait()
            sent.append(
                tasks.deliver(
                    request_id=request.pk,
                    marker="therapist_notified_at",
                    build=emails.therapist_notification,
                )
            )
        except tasks.DeliveryBusy:
            sent.append("busy")  # the task would try again later, and find the marker set
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # The one that claims it sends; the others find the claim (or, if they came after the
    # marker, nothing to do). No second email either way.
    assert sent.count(True) == 1 and set(sent) <= {True, False, "busy"} and len(sent) == 3
    assert len(to("alice@example.org")) == 1
    assert (
        tasks.deliver(
            request_id=request.pk,
            marker="therapist_notified_at",
            build=emails.therapist_notification,
        )
        is False
    )


def test_it_survives_a_ten_minute_mail_outage_and_then_sends_each_email_once(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.RAPPORT_TASK_RETRY_SECONDS = 60
    settings.RAPPORT_MESSAGE_RETRY_CAP_SECONDS = 300
    requests = [send() for _ in range(3)]
    clock = {"elapsed": 0.0}  # seconds since the mail server went down
    refused: list[float] = []
    real_send = EmailMessage.send

    def outage(self: EmailMessage, fail_silently: bool = False) -> int:
        if clock["elapsed"] < 600:
            refused.append(clock["elapsed"])
            raise ConnectionRefusedError(111, "Connection refused")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", outage)
    run_tasks()
    waits = []
    while DBTaskResult.objects.filter(status="READY").exists():
        # Time passes until the next retry is due; then make it due, as time would.
        now = timezone.now()
        due = min(r.run_after for r in DBTaskResult.objects.filter(status="READY"))
        wait = (due - now).total_seconds()
        waits.append(round(wait))
        clock["elapsed"] += wait
        # The six retries were queued a few milliseconds apart: due together.
        together = due + datetime.timedelta(seconds=5)
        DBTaskResult.objects.filter(status="READY", run_after__lte=together).update(run_after=now)
        run_tasks()

    assert waits == [60, 120, 240, 300]  # doubling, capped at 5 minutes
    assert clock["elapsed"] < 600 + 300  # sent within one capped wait of the end
    assert len(to("alice@example.org")) == 3
    assert len(to("morgan.quill@example.net")) == 3
    assert len(refused) == 6 * 4  # six emails, four refused tries each
    for request in requests:
        request.refresh_from_db()
        assert request.therapist_notified_at and request.receipt_sent_at
    assert not DBTaskResult.objects.filter(status="FAILED").exists()


def test_it_gives_up_after_a_day_of_failures_with_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    request = send()
    DBTaskResult.objects.all().delete()

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    tasks.notify_therapist.enqueue(request.pk, 290, time.time() - 24 * 3600 - 1)
    run_tasks()

    assert DBTaskResult.objects.get().status == "FAILED"
    assert "not sent after 290 tries" in caplog.text
    assert "alice@example.org" not in caplog.text and "Morgan" not in caplog.text


def test_a_failed_task_row_names_no_address_or_words(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    request = send()
    DBTaskResult.objects.all().delete()

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        # What smtplib raises for a refused recipient: the address is in the message.
        raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"no such user here")})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    tasks.send_receipt.enqueue(request.pk, 300, time.time() - 25 * 3600)
    run_tasks()
    monkeypatch.setattr(tasks.emails, "receipt", lambda request: 1 / 0)  # a bug, say
    tasks.send_receipt.enqueue(request.pk)
    run_tasks()

    rows = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in rows] == ["FAILED", "FAILED"]
    for row in rows:
        assert row.exception_class_path.endswith("DeliveryFailed")
        assert "morgan.quill" not in row.traceback and "no such user" not in row.traceback
    assert "SMTPRecipientsRefused" in rows[0].traceback
    assert "ZeroDivisionError" in rows[1].traceback
    assert "morgan.quill" not in caplog.text


def test_the_backoff_doubles_from_a_minute_up_to_five() -> None:
    assert [tasks.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 50)] == [
        60,
        120,
        240,
        300,
        300,
        300,
    ]


# --- What the emails say -------------------------------------------------------------------


def test_it_puts_the_message_in_the_notification_only_when_the_therapist_chose_that() -> None:
    settings_row = services.inbox_settings_for(alice())
    settings_row.email_includes_message = True
    settings_row.save()
    send()
    run_tasks()

    (notification,) = to("alice@example.org")
    assert "Since the accident I cannot sleep & I keep reliving it." in notification.body
    assert "Morgan Quill" in notification.body and "morgan.quill@example.net" in notification.body
    assert notification.subject == "New contact request on Rapport"


def test_the_receipt_says_what_happens_next_with_the_withdraw_link_and_crisis_help() -> None:
    request = send(notify_on_read=True, wants_alternatives=True)
    run_tasks()

    (receipt,) = to("morgan.quill@example.net")
    body = receipt.body
    assert receipt.subject == "Your contact request on Rapport"
    assert "Hello, your contact request to Alice Okafor was sent." in body
    assert "They will reply to you directly, by phone, as you asked" in body
    assert "More crisis help: http://127.0.0.1:8000/crisis/" in body
    assert "We will email you when your request has been read." in body
    assert "three similar therapists" in body
    assert "deleted from Rapport after 180 days" in body
    assert "Rapport is not an emergency service" in body
    for words in ("Call 988", "Text 988", "Call 911", "Crisis Text Line: Text HOME to 741741"):
        assert words in body
    link = next(line for line in body.splitlines() if "/contact/withdraw/" in line)
    token = link.rsplit("/contact/withdraw/", 1)[1].rstrip("/")
    assert services.request_from_withdraw_token(token) == request
    # Nothing the sender typed is copied into the receipt (it goes to an unverified address),
    # nor into any subject.
    assert "accident" not in body and "Morgan" not in body
    assert all("Morgan" not in m.subject and "accident" not in m.subject for m in mail.outbox)


def test_it_sends_nothing_about_a_request_withdrawn_before_the_worker_ran() -> None:
    request = send()
    services.contact_withdraw(request=request)
    run_tasks()
    assert mail.outbox == []


# --- Daily jobs ----------------------------------------------------------------------------


def test_it_reminds_the_therapist_once_after_48_hours_without_a_reply() -> None:
    waiting = send()
    recent = send()
    replied = send()
    services.contact_mark_replied(request=replied, by=alice(), via="phone")
    run_tasks()
    mail.outbox.clear()
    age(waiting, hours=49)
    age(replied, hours=49)
    age(recent, hours=47)

    call_command("send_reply_reminders")
    run_tasks()
    call_command("send_reply_reminders")
    run_tasks()

    (reminder,) = mail.outbox
    assert reminder.to == ["alice@example.org"]
    assert reminder.subject == "A contact request is waiting on Rapport"
    assert f"/account/inbox/{waiting.public_id}/" in reminder.body
    assert "accident" not in reminder.body


def _similar(name: str, *, replied: bool = True, **fields: Any) -> Any:
    owner = make_user(f"{name.split()[0].lower()}@example.com")
    profile = make_profile(owner=owner, name=name, **fields)
    if replied:
        answered = send(profile)
        services.contact_mark_replied(request=answered, by=owner, via="email")
    return profile


def test_it_offers_three_similar_accepting_therapists_who_reply_after_seven_days() -> None:
    _similar("Sam Ortiz")
    _similar("Priya Natarajan")
    _similar("Lee Park", offices=[], telehealth=True, telehealth_states=["WA"])
    _similar("Ruth Abara")  # a fourth: only three are offered
    _similar("Never Replies", replied=False)
    _similar("Not Accepting", accepting_new_clients=False)
    _similar(
        "Long Unconfirmed",
        accepting_confirmed_at=timezone.localdate() - datetime.timedelta(days=120),
    )
    _similar("Nothing Shared", terms=[], approaches=[("somatic-therapy", "")])
    _similar(
        "Far Away",
        telehealth=False,
        offices=[{"address": "1 Main St", "city": "Albany", "state": "NY", "zip": "12207"}],
    )
    request = send(wants_alternatives=True)
    not_asked = send(wants_alternatives=False)
    run_tasks()
    mail.outbox.clear()
    age(request, days=7, hours=1)
    age(not_asked, days=7, hours=1)

    call_command("offer_alternatives")
    run_tasks()
    call_command("offer_alternatives")
    run_tasks()

    (offer,) = mail.outbox
    assert offer.to == ["morgan.quill@example.net"]
    assert offer.subject == "Other therapists you could contact on Rapport"
    offered = {
        n for n in ("Sam Ortiz", "Priya Natarajan", "Lee Park", "Ruth Abara") if n in offer.body
    }
    assert len(offered) == 3
    for excluded in (
        "Never Replies",
        "Not Accepting",
        "Long Unconfirmed",
        "Nothing Shared",
        "Far Away",
    ):
        assert excluded not in offer.body
    assert "/contact/withdraw/" in offer.body and "Call 988" in offer.body


def test_it_offers_no_alternatives_once_the_therapist_replied() -> None:
    _similar("Sam Ortiz")
    request = send(wants_alternatives=True)
    services.contact_mark_replied(request=request, by=alice(), via="email")
    run_tasks()
    mail.outbox.clear()
    age(request, days=8)
    call_command("offer_alternatives")
    run_tasks()
    assert mail.outbox == []


def test_it_purges_requests_older_than_the_retention_period(settings: Any) -> None:
    settings.RAPPORT_CONTACT_RETENTION_DAYS = 30
    old = send()
    kept = send()
    age(old, days=31)
    age(kept, days=29)

    call_command("purge_contact_requests")

    assert list(ContactRequest.objects.all()) == [kept]
    run_tasks()  # the old request's queued emails find nothing to send
    assert len(to("alice@example.org")) == 1
