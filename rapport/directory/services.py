"""Writes with side effects on profiles: status changes and bulk imports.

Each service runs in a transaction and writes its audit event; public pages
only ever show `published` profiles.
"""

from __future__ import annotations

from django.db import transaction

from rapport.accounts.models import User
from rapport.moderation.models import AuditEvent
from rapport.moderation.notes import owner_notes_close
from rapport.moderation.services import audit_record

from .changes import profiles_changed
from .interchange import ImportResult
from .models import Status, TherapistProfile

# Which status each moderation verb may start from.
_TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "submitted": ({Status.DRAFT, Status.REJECTED}, Status.PENDING),
    "approved": ({Status.PENDING, Status.SUSPENDED}, Status.PUBLISHED),
    "rejected": ({Status.PENDING}, Status.REJECTED),
    "suspended": ({Status.PUBLISHED}, Status.SUSPENDED),
    # Back to the owner's draft with what to change; they submit again when done.
    "changes_requested": ({Status.PENDING}, Status.DRAFT),
}


# How a verb reads in "A draft profile cannot be ...".
_VERB_WORDS = {"changes_requested": "sent back for changes"}


class TransitionError(ValueError):
    pass


def owner_leaving(profile: TherapistProfile) -> User | None:
    """The profile's owner, locked, when their account is scheduled for deletion; else None.

    Call it before locking the profile: `account_deletion_request` locks the user first,
    so this order cannot deadlock with it, nor decide between its read and its hiding."""
    if profile.owner_id is None:
        return None
    owner = User.objects.select_for_update().filter(pk=profile.owner_id).first()
    return owner if owner is not None and owner.deletion_requested_at is not None else None


def status_kept(profile: TherapistProfile, leaving: User | None) -> str:
    """The profile's status, or while its owner's deletion is pending (the profile hidden as
    SUSPENDED), the status "Keep my account" gives back."""
    if leaving is None:
        return profile.status
    return str(leaving.deletion_restore.get(str(profile.pk), profile.status))


def _transition(
    *, profile: TherapistProfile, by: User | None, verb: str, reason: str = ""
) -> TherapistProfile:
    allowed_from, to = _TRANSITIONS[verb]
    with transaction.atomic():
        leaving = owner_leaving(profile)
        # Lock and re-read, so two moderators cannot both act on a stale status.
        current = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        status = status_kept(current, leaving)
        if status not in allowed_from:
            raise TransitionError(
                f"A {Status(status).label.lower()} profile cannot be {_VERB_WORDS.get(verb, verb)}."
            )
        if leaving is not None:
            # The owner asked to delete the account: the profile stays hidden, and the
            # decision is what it gets back if they keep the account (account_data.py).
            leaving.deletion_restore = {**leaving.deletion_restore, str(current.pk): to}
            leaving.save(update_fields=["deletion_restore"])
            reason = f"{reason} (kept hidden: the owner's account is being deleted)".lstrip()
            to = Status.SUSPENDED
        current.status = to
        current.save(update_fields=["status", "updated_at"])
        if verb == "approved":  # what moderators asked of the owner is done
            owner_notes_close(profile=current)
        profiles_changed(ids=[current.pk])
        audit_record(actor=by, action=f"directory.profile.{verb}", target=current, reason=reason)
    profile.status = to
    return profile


def profile_submit(*, profile: TherapistProfile, by: User | None) -> TherapistProfile:
    return _transition(profile=profile, by=by, verb="submitted")


def profile_approve(
    *, profile: TherapistProfile, by: User | None, reason: str = ""
) -> TherapistProfile:
    return _transition(profile=profile, by=by, verb="approved", reason=reason)


def profile_reject(*, profile: TherapistProfile, by: User | None, reason: str) -> TherapistProfile:
    return _transition(profile=profile, by=by, verb="rejected", reason=reason)


def profile_request_changes(
    *, profile: TherapistProfile, by: User | None, reason: str
) -> TherapistProfile:
    return _transition(profile=profile, by=by, verb="changes_requested", reason=reason)


def profile_suspend(*, profile: TherapistProfile, by: User | None, reason: str) -> TherapistProfile:
    return _transition(profile=profile, by=by, verb="suspended", reason=reason)


def import_recorded(
    *, result: ImportResult, file_name: str, by: User | None = None, failure: str = ""
) -> AuditEvent:
    """One audit event per import run, a failed one too (`failure` says why it ended);
    a million per-profile events would drown the log."""
    return AuditEvent.objects.create(
        actor=by,
        action="directory.profiles.imported",
        target_type="file",
        target_id=file_name[-64:],
        reason=result.summary() + (f"; failed: {failure}" if failure else ""),
    )
