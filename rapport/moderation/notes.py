"""Moderators' notes to a profile's owner: written with a queue decision, read on the owner's
dashboard and editor, closed by the owner ("Done") or by the profile's approval.

The email that goes with each decision can be missed; the note stays where the owner works on
the profile until it no longer applies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .models import OwnerNote
from .services import audit_record

if TYPE_CHECKING:
    from rapport.accounts.models import User
    from rapport.directory.models import TherapistProfile


def owner_note_write(*, profile: TherapistProfile, kind: str, reason: str) -> OwnerNote | None:
    """Leave a note for the profile's owner; none for a profile nobody owns (nobody reads it)."""
    if profile.owner_id is None:
        return None
    return OwnerNote.objects.create(profile=profile, kind=kind, reason=reason)


def owner_notes_close(*, profile: TherapistProfile) -> int:
    """Close every open note of a profile: it was approved, so what they asked is done."""
    return OwnerNote.objects.filter(profile=profile, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )


def owner_note_close(*, note: OwnerNote, by: User) -> None:
    """The owner marks a note done."""
    with transaction.atomic():
        closed = OwnerNote.objects.filter(pk=note.pk, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
        if closed:
            audit_record(actor=by, action="moderation.note.closed", target=note)


def open_notes(profile_ids: Iterable[int]) -> dict[int, list[OwnerNote]]:
    """The open notes of these profiles, newest first, by profile id, in one query."""
    by_profile: dict[int, list[OwnerNote]] = defaultdict(list)
    for note in OwnerNote.objects.filter(profile_id__in=list(profile_ids), closed_at__isnull=True):
        by_profile[note.profile_id].append(note)
    return dict(by_profile)
