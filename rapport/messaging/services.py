"""Contact requests: sending one, and what the therapist and the sender do with it.

Every write is a verb-named service with keyword-only arguments, in one transaction, with
the row locked (`select_for_update`), and an audit event whose target is the request and
whose reason never holds what the sender wrote or who they are. Emails are tasks enqueued
in the same transaction (the queue is the database): a request that commits has its
notifications queued, one that rolls back has none. The tasks take only the request's id
(task rows are plain JSON in the database) and decrypt inside the worker (tasks.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.directory.models import Status, TherapistProfile
from rapport.moderation.services import audit_record

from . import crypto
from .models import ContactPreference, ContactRequest, InboxSettings, ReplyChannel

__all__ = [
    "ContactNotAllowed",
    "SenderDetails",
    "can_receive_requests",
    "SpamReviewError",
    "contact_archive",
    "contact_confirm_spam",
    "contact_delete",
    "contact_mark_read",
    "contact_mark_replied",
    "contact_report_spam",
    "contact_send",
    "contact_unarchive",
    "contact_unmark_spam",
    "contact_withdraw",
    "get_request_for_owner",
    "inbox_settings_for",
    "request_from_withdraw_token",
    "withdraw_token",
]

_WITHDRAW_SALT = "rapport.messaging.withdraw"


@dataclass(frozen=True)
class SenderDetails:
    """What the person typed into the contact form: sealed as one token, never logged."""

    name: str
    email: str
    phone: str
    preferred: str  # a ContactPreference value
    message: str
    looking_for: str  # "" when the person did not tick "what I'm looking for"

    def __repr__(self) -> str:
        # A traceback or a debug log prints reprs: never the person's details.
        return "SenderDetails(<sealed>)"


class ContactNotAllowed(Exception):
    """The profile cannot receive requests: not published, not claimed, or its owner's
    email address is not verified (nothing is emailed to an address nobody verified)."""


def can_receive_requests(profile: TherapistProfile) -> bool:
    """Published, claimed by an account whose primary email address is verified, and that
    account is not waiting to be deleted. Read fresh (one query), not from a cached owner."""
    from allauth.account.models import EmailAddress

    if profile.status != Status.PUBLISHED or profile.owner_id is None:
        return False
    verified = EmailAddress.objects.filter(
        user_id=OuterRef("pk"), email__iexact=OuterRef("email"), primary=True, verified=True
    )
    return (
        get_user_model()
        .objects.filter(pk=profile.owner_id, is_active=True, deletion_requested_at=None)
        .filter(Exists(verified))
        .exists()
    )


def contact_send(
    *,
    profile: TherapistProfile,
    sender: SenderDetails,
    idempotency_key: str,
    notify_on_read: bool,
    wants_alternatives: bool,
) -> tuple[ContactRequest, bool]:
    """Store one request and queue its two emails, all in one transaction.

    Returns (request, created). A second call with the same `idempotency_key` (a double
    submit, a back-button resubmit, a retry after a lost response) returns the first
    request with created=False and queues nothing. Raises ContactNotAllowed.
    """
    from . import tasks

    if sender.preferred not in ContactPreference.values:
        raise ValueError("preferred must be a ContactPreference value")
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("idempotency_key must be 1 to 64 characters")
    with transaction.atomic():
        existing = ContactRequest.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
        # Read fresh, not locked: a lock would queue every submit to one therapist behind
        # the others and behind their own profile edits, to guard a race (unpublished in
        # the same millisecond) whose outcome is acceptable either way.
        current = TherapistProfile.objects.only("pk", "status", "owner_id").get(pk=profile.pk)
        if current.owner_id is None or not can_receive_requests(current):
            raise ContactNotAllowed
        sealed = crypto.seal(asdict(sender))
        try:
            # A savepoint: a concurrent submit with the same key that committed first makes
            # this insert fail without spoiling the outer transaction.
            with transaction.atomic():
                request = ContactRequest.objects.create(
                    profile=profile,
                    recipient_id=current.owner_id,
                    idempotency_key=idempotency_key,
                    sealed=sealed,
                    notify_on_read=notify_on_read,
                    wants_alternatives=wants_alternatives,
                )
        except IntegrityError:
            return ContactRequest.objects.get(idempotency_key=idempotency_key), False
        audit_record(actor=None, action="messaging.request.sent", target=request)
        tasks.notify_therapist.enqueue(request.pk)
        tasks.send_receipt.enqueue(request.pk)
    return request, True


def get_request_for_owner(user: Any, public_id: Any) -> ContactRequest:
    """The request if it was sent to `user` and is still there to read; the same Http404
    for missing, someone else's, deleted and withdrawn."""
    # Erased contents (confirmed spam) leave nothing to read: the same 404.
    request = (
        ContactRequest.objects.for_owner(user)
        .filter(public_id=public_id, deleted_at=None, withdrawn_at=None)
        .exclude(sealed="")
        .select_related("profile")
        .first()
    )
    if request is None:
        raise Http404("No such request")
    return request


def _lock(request: ContactRequest) -> ContactRequest:
    return ContactRequest.objects.select_for_update().get(pk=request.pk)


def _copy(locked: ContactRequest, request: ContactRequest, fields: list[str]) -> None:
    """Give the caller's instance the values just saved, as the services in account_data do."""
    for field in fields:
        setattr(request, field, getattr(locked, field))


def contact_mark_read(*, request: ContactRequest, by: Any) -> None:
    """The first time the therapist opens it: read_at, and the read notice if asked for."""
    from . import tasks

    with transaction.atomic():
        locked = _lock(request)
        if locked.read_at is not None or locked.sealed == "":
            return
        locked.read_at = timezone.now()
        locked.save(update_fields=["read_at"])
        audit_record(actor=by, action="messaging.request.read", target=locked)
        if locked.notify_on_read:
            tasks.send_read_notice.enqueue(locked.pk)
    _copy(locked, request, ["read_at"])


def contact_mark_replied(*, request: ContactRequest, by: Any, via: str) -> None:
    """The therapist says they replied (by email, phone or another way): replied_at (the
    first time, for response statistics) and read_at, and the channel (the latest)."""
    if via not in ReplyChannel.values:
        raise ValueError("via must be a ReplyChannel value")
    with transaction.atomic():
        locked = _lock(request)
        now = timezone.now()
        locked.replied_at = locked.replied_at or now
        locked.read_at = locked.read_at or now
        locked.replied_via = via
        locked.save(update_fields=["replied_at", "read_at", "replied_via"])
        audit_record(actor=by, action="messaging.request.replied", target=locked, reason=via)
    _copy(locked, request, ["replied_at", "read_at", "replied_via"])


def contact_archive(*, request: ContactRequest, by: Any) -> None:
    with transaction.atomic():
        locked = _lock(request)
        if locked.archived_at is None:
            locked.archived_at = timezone.now()
            locked.save(update_fields=["archived_at"])
            audit_record(actor=by, action="messaging.request.archived", target=locked)
    _copy(locked, request, ["archived_at"])


def contact_unarchive(*, request: ContactRequest, by: Any) -> None:
    with transaction.atomic():
        locked = _lock(request)
        if locked.archived_at is not None:
            locked.archived_at = None
            locked.save(update_fields=["archived_at"])
            audit_record(actor=by, action="messaging.request.unarchived", target=locked)
    _copy(locked, request, ["archived_at"])


def contact_delete(*, request: ContactRequest, by: Any) -> None:
    """Erase what the sender wrote and who they are; the row stays, empty, so response
    statistics still count it until the retention purge removes it."""
    with transaction.atomic():
        locked = _lock(request)
        if locked.deleted_at is None:
            locked.sealed = ""
            locked.deleted_at = timezone.now()
            locked.save(update_fields=["sealed", "deleted_at"])
            audit_record(actor=by, action="messaging.request.deleted", target=locked)
    _copy(locked, request, ["sealed", "deleted_at"])


def contact_report_spam(*, request: ContactRequest, by: Any) -> None:
    """Out of the inbox and into the moderators' review queue (kind "spam"), which shows
    only metadata: staff never read the contents. A request reported again after a moderator
    found it not spam waits for review again."""
    with transaction.atomic():
        locked = _lock(request)
        if locked.spam_reported_at is None:
            locked.spam_reported_at = timezone.now()
            locked.spam_reviewed_at = None
            locked.save(update_fields=["spam_reported_at", "spam_reviewed_at"])
            audit_record(actor=by, action="messaging.request.reported_spam", target=locked)
    _copy(locked, request, ["spam_reported_at", "spam_reviewed_at"])


class SpamReviewError(ValueError):
    """The request is not waiting for a spam review (decided already, withdrawn, deleted)."""


def _lock_spam_waiting(request: ContactRequest) -> ContactRequest:
    locked = _lock(request)
    if not ContactRequest.objects.spam_waiting().filter(pk=locked.pk).exists():
        raise SpamReviewError(_("This spam report was already decided."))
    return locked


def contact_confirm_spam(*, request: ContactRequest, by: Any) -> None:
    """A moderator confirms the therapist's spam report: the sealed contents are erased now
    (not at retention) and the request stays out of the inbox. Raises SpamReviewError."""
    with transaction.atomic():
        locked = _lock_spam_waiting(request)
        locked.sealed = ""
        locked.spam_reviewed_at = timezone.now()
        locked.save(update_fields=["sealed", "spam_reviewed_at"])
        audit_record(actor=by, action="messaging.request.spam_confirmed", target=locked)
    _copy(locked, request, ["sealed", "spam_reviewed_at"])


def contact_unmark_spam(*, request: ContactRequest, by: Any) -> None:
    """A moderator finds a reported request is not spam: it goes back to the therapist's
    inbox, as it was (read or not). Raises SpamReviewError."""
    with transaction.atomic():
        locked = _lock_spam_waiting(request)
        locked.spam_reported_at = None
        locked.spam_reviewed_at = timezone.now()
        locked.save(update_fields=["spam_reported_at", "spam_reviewed_at"])
        audit_record(actor=by, action="messaging.request.spam_cleared", target=locked)
    _copy(locked, request, ["spam_reported_at", "spam_reviewed_at"])


def contact_withdraw(*, request: ContactRequest) -> None:
    """The sender takes it back through the receipt's link: erased, and no further emails
    (every task checks withdrawn_at). A second withdraw does nothing."""
    with transaction.atomic():
        locked = _lock(request)
        if locked.withdrawn_at is None:
            locked.sealed = ""
            locked.withdrawn_at = timezone.now()
            locked.save(update_fields=["sealed", "withdrawn_at"])
            audit_record(actor=None, action="messaging.request.withdrawn", target=locked)
    _copy(locked, request, ["sealed", "withdrawn_at"])


def withdraw_token(request: ContactRequest) -> str:
    """A signed, salted token naming the request (its public id): the receipt's link. It
    needs no expiry of its own: the request is purged at the end of retention."""
    return signing.dumps(str(request.public_id), salt=_WITHDRAW_SALT)


def request_from_withdraw_token(token: str) -> ContactRequest | None:
    """The request a token from `withdraw_token` names, or None for a bad or stale token."""
    try:
        public_id = signing.loads(token, salt=_WITHDRAW_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(public_id, str):
        return None
    try:
        return ContactRequest.objects.filter(public_id=public_id).first()
    except ValidationError:  # validly signed but not a UUID
        return None


def inbox_settings_for(user: Any) -> InboxSettings:
    settings_row, _created = InboxSettings.objects.get_or_create(user=user)
    return settings_row
