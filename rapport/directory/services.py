"""Writes with side effects on profiles: status changes and bulk imports.

Each service runs in a transaction and writes its audit event; public pages
only ever show `published` profiles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from rapport.moderation.models import AuditEvent
from rapport.moderation.services import audit_record

from .changes import profiles_changed
from .interchange import ImportResult
from .models import Status, TherapistProfile

if TYPE_CHECKING:
    from rapport.accounts.models import User

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


def _transition(
    *, profile: TherapistProfile, by: User | None, verb: str, reason: str = ""
) -> TherapistProfile:
    allowed_from, to = _TRANSITIONS[verb]
    with transaction.atomic():
        # Lock and re-read, so two moderators cannot both act on a stale status.
        current = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        if current.status not in allowed_from:
            raise TransitionError(
                f"A {current.get_status_display().lower()} profile cannot be "
                f"{_VERB_WORDS.get(verb, verb)}."
            )
        current.status = to
        current.save(update_fields=["status", "updated_at"])
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


def import_recorded(*, result: ImportResult, file_name: str, by: User | None = None) -> AuditEvent:
    """One audit event per import run; a million per-profile events would drown the log."""
    return AuditEvent.objects.create(
        actor=by,
        action="directory.profiles.imported",
        target_type="file",
        target_id=file_name[-64:],
        reason=result.summary(),
    )
