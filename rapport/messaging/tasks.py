"""Delivering the emails about a contact request: exactly once, and through an SMTP outage.

Arguments are the request's id and retry bookkeeping only. django-tasks-db stores a task's
arguments as plain JSON in the database, so a name, an address or a message in them would
undo the encryption at rest; the worker reads the row and decrypts it itself (emails.py).

Exactly once, by markers and claims: each task claims its email in a short transaction
(row locked, only while its marker `therapist_notified_at`, `receipt_sent_at`, ... is empty
and nobody else's claim is fresh), sends with no transaction open, then sets the marker and
drops the claim. Two workers, a retry that overlaps a daily job, or a task enqueued twice
send one email. What can still send twice: a worker killed after the mail server accepted a
message and before the marker was set; its claim lapses after RAPPORT_DELIVERY_CLAIM_SECONDS
and the task, given back by requeue_stale_tasks, sends again (docs/decisions.md).

While the mail server is down a task re-enqueues itself with a delay doubling from
RAPPORT_TASK_RETRY_SECONDS (60 s) and capped at RAPPORT_MESSAGE_RETRY_CAP_SECONDS (5 min),
so a 10-minute outage costs at most a few minutes more once it ends; after
RAPPORT_MESSAGE_GIVE_UP_HOURS (24) of failures it logs an error and stops (the task row
says FAILED).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from . import emails
from .models import ContactRequest

logger = logging.getLogger("rapport.tasks")

# The marker fields a delivery may set: the name is interpolated into save(update_fields).
MARKERS = frozenset(
    {
        "therapist_notified_at",
        "receipt_sent_at",
        "read_notice_sent_at",
        "reminder_sent_at",
        "alternatives_sent_at",
    }
)


def retry_delay(attempt: int) -> datetime.timedelta:
    """The wait after failed try number `attempt` (1-based): doubling, capped."""
    seconds = settings.RAPPORT_TASK_RETRY_SECONDS * 2 ** min(attempt - 1, 20)
    return datetime.timedelta(seconds=min(seconds, settings.RAPPORT_MESSAGE_RETRY_CAP_SECONDS))


def deliver(
    *,
    request_id: int,
    marker: str,
    build: Callable[[ContactRequest], EmailMessage | None],
) -> bool:
    """Send the email `build` makes for the request, unless `marker` says it went already.

    Three steps, so no transaction is open while the mail server talks (on SQLite an open
    write transaction blocks every other writer, and a hanging server holds it for up to
    EMAIL_TIMEOUT per step): claim the email in a short transaction, send, then set the marker
    and drop the claim in another. A send that fails gives the claim back and raises; a claim
    another worker holds raises DeliveryBusy, so this task tries again later rather than
    trusting the other to finish. Returns whether an email was sent."""
    if marker not in MARKERS:
        raise ValueError(f"not a delivery marker: {marker}")
    with transaction.atomic():
        request = _locked(request_id)
        if request is None or getattr(request, marker) is not None:
            return False  # purged, or sent already (a duplicate task, or a rerun)
        claimed = request.delivery_claims.get(marker)
        now = timezone.now()
        window = datetime.timedelta(seconds=settings.RAPPORT_DELIVERY_CLAIM_SECONDS)
        if claimed and now - datetime.datetime.fromisoformat(claimed) < window:
            raise DeliveryBusy(f"{marker} for contact request {request_id} is being sent")
        message = build(request)
        if message is None:
            return False
        claim = now.isoformat()
        request.delivery_claims = {**request.delivery_claims, marker: claim}
        request.save(update_fields=["delivery_claims"])
    try:
        message.send()
    except BaseException:
        _release(request_id, marker, claim)
        raise
    with transaction.atomic():
        request = _locked(request_id)
        if request is None:
            return True  # purged while it was sent
        setattr(request, marker, timezone.now())
        request.delivery_claims = _without(request.delivery_claims, marker)
        request.save(update_fields=[marker, "delivery_claims"])
    return True


def _locked(request_id: int) -> ContactRequest | None:
    return (
        ContactRequest.objects.select_for_update(of=("self",))
        .select_related("profile", "recipient")
        .filter(pk=request_id)
        .first()
    )


def _without(claims: dict[str, str], marker: str) -> dict[str, str]:
    return {name: claimed for name, claimed in claims.items() if name != marker}


def _release(request_id: int, marker: str, claim: str) -> None:
    """Give a claim back after a failed send, so the retry need not wait for it to lapse.
    Best effort: if the database is away too, the claim lapses on its own."""
    try:
        with transaction.atomic():
            request = _locked(request_id)
            if request is not None and request.delivery_claims.get(marker) == claim:
                request.delivery_claims = _without(request.delivery_claims, marker)
                request.save(update_fields=["delivery_claims"])
    except DatabaseError:
        logger.warning("%s for contact request %s: claim left to lapse", marker, request_id)


class DeliveryBusy(Exception):
    """Another worker holds the claim on this email: try again after a pause."""


class DeliveryFailed(Exception):
    """Raised in place of the real error, whose message may name an address (an SMTP
    "recipient refused" does): the task row stores the traceback as plain text."""


# Worth another try later: the mail server or the network is away, the database is busy
# (SQLite's lock while another process writes), or another worker is sending this email.
_TRANSIENT = (OSError, smtplib.SMTPException, OperationalError, DeliveryBusy)


def _run(
    this_task: object,
    request_id: int,
    attempt: int,
    first_try: float,
    marker: str,
    build: Callable[[ContactRequest], EmailMessage | None],
) -> None:
    first_try = first_try or time.time()
    try:
        deliver(request_id=request_id, marker=marker, build=build)
    except _TRANSIENT as exc:
        failing_for = time.time() - first_try
        if failing_for >= settings.RAPPORT_MESSAGE_GIVE_UP_HOURS * 3600:
            logger.error(
                "%s for contact request %s not sent after %d tries: %s",
                marker,
                request_id,
                attempt,
                type(exc).__name__,
            )
            raise DeliveryFailed(
                f"{marker} for contact request {request_id}: {type(exc).__name__}"
            ) from None
        delay = retry_delay(attempt)
        this_task.using(run_after=timezone.now() + delay).enqueue(  # type: ignore[attr-defined]
            request_id, attempt + 1, first_try
        )
        logger.warning(
            "%s for contact request %s: try %d failed (%s), next in %d s",
            marker,
            request_id,
            attempt,
            type(exc).__name__,
            delay.total_seconds(),
        )
    except Exception as exc:
        # Not worth retrying (a bug, a key missing from RAPPORT_MESSAGE_KEYS, an address the
        # mail library refuses): fail the task, by class name only, without the message.
        logger.error("%s for contact request %s failed: %s", marker, request_id, type(exc).__name__)
        raise DeliveryFailed(
            f"{marker} for contact request {request_id}: {type(exc).__name__}"
        ) from None


@task()
def notify_therapist(request_id: int, attempt: int = 1, first_try: float = 0.0) -> None:
    """The therapist hears that a request arrived (the message only if they chose that)."""
    _run(
        notify_therapist,
        request_id,
        attempt,
        first_try,
        "therapist_notified_at",
        emails.therapist_notification,
    )


@task()
def send_receipt(request_id: int, attempt: int = 1, first_try: float = 0.0) -> None:
    """The sender's receipt: what happens next, the withdraw link, crisis help."""
    _run(send_receipt, request_id, attempt, first_try, "receipt_sent_at", emails.receipt)


@task()
def send_read_notice(request_id: int, attempt: int = 1, first_try: float = 0.0) -> None:
    """The sender asked to hear when the therapist opened the request."""
    _run(
        send_read_notice, request_id, attempt, first_try, "read_notice_sent_at", emails.read_notice
    )


@task()
def send_reply_reminder(request_id: int, attempt: int = 1, first_try: float = 0.0) -> None:
    """The therapist, once, 48 hours after an unreplied request (queued by the daily job)."""
    _run(
        send_reply_reminder,
        request_id,
        attempt,
        first_try,
        "reminder_sent_at",
        emails.reply_reminder,
    )


@task()
def send_alternatives(request_id: int, attempt: int = 1, first_try: float = 0.0) -> None:
    """The sender who opted in, 7 days without a reply: similar therapists (daily job)."""
    _run(
        send_alternatives,
        request_id,
        attempt,
        first_try,
        "alternatives_sent_at",
        emails.alternatives,
    )


# --- Daily jobs (run by `rapport worker`) ----------------------------------------------------

REMINDER_AFTER = datetime.timedelta(hours=48)
ALTERNATIVES_AFTER = datetime.timedelta(days=7)
# Each job looks back over a bounded window, so a request that cannot be helped (no similar
# therapist found) is not looked at every day until retention, and a worker that was down
# for a few days still catches up.
_CATCH_UP = datetime.timedelta(days=7)
_PURGE_BATCH = 500


def _unanswered() -> QuerySet[ContactRequest]:
    return ContactRequest.objects.live().filter(replied_at=None).exclude(sealed="")


def queue_reply_reminders(now: datetime.datetime | None = None) -> int:
    """Queue the 48-hour reminder for each unreplied request that has not had one."""
    now = now or timezone.now()
    due = _unanswered().filter(
        reminder_sent_at=None,
        created_at__lte=now - REMINDER_AFTER,
        created_at__gt=now - REMINDER_AFTER - _CATCH_UP,
    )
    ids = list(due.values_list("pk", flat=True))
    with transaction.atomic():
        for request_id in ids:
            send_reply_reminder.enqueue(request_id)
    return len(ids)


def queue_alternatives(now: datetime.datetime | None = None) -> int:
    """Queue the 7-day alternatives email for each sender who asked for it, still unreplied."""
    now = now or timezone.now()
    due = _unanswered().filter(
        wants_alternatives=True,
        alternatives_sent_at=None,
        created_at__lte=now - ALTERNATIVES_AFTER,
        created_at__gt=now - ALTERNATIVES_AFTER - _CATCH_UP,
    )
    ids = list(due.values_list("pk", flat=True))
    with transaction.atomic():
        for request_id in ids:
            send_alternatives.enqueue(request_id)
    return len(ids)


def purge_contact_requests(now: datetime.datetime | None = None) -> int:
    """Delete the requests older than RAPPORT_CONTACT_RETENTION_DAYS, in batches (each its
    own short transaction, so a big first purge does not hold the database)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RAPPORT_CONTACT_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            ContactRequest.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:_PURGE_BATCH]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            count, _by_model = ContactRequest.objects.filter(pk__in=ids).delete()
        deleted += count
