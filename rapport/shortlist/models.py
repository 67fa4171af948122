"""Shared shortlists: a private 7-day link to the therapists someone saved, only when asked.

The same design as Find your match's "Keep these results" (`matching.models`):
a random token of which only the SHA-256 is stored, an expiry seven days out,
"Delete now", and `purge_saved_shortlists` for what has expired. A row holds
the profile ids and nothing else: no user, no IP address, no session key, no
names (the page reads today's public profiles each time it is shown).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import models
from django.utils import timezone

from rapport.matching.models import KEEP_FOR, hash_token


class SavedShortlistQuerySet(models.QuerySet["SavedShortlist"]):
    def expired(self, now: dt.datetime | None = None) -> SavedShortlistQuerySet:
        return self.filter(expires_at__lte=now or timezone.now())

    def for_token(self, token: str) -> SavedShortlistQuerySet:
        return self.filter(token_hash=hash_token(token))


class SavedShortlist(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    # Therapist profile ids in the order they were saved; nothing about the person.
    profile_ids = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = SavedShortlistQuerySet.as_manager()

    class Meta:
        ordering = ["expires_at"]

    def __str__(self) -> str:
        # The hash only: a working token must never reach a log line or the admin.
        return f"SavedShortlist {self.token_hash[:8]}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


def saved_shortlist_create(*, profile_ids: list[int]) -> tuple[SavedShortlist, str]:
    """Store these profile ids under a new random token; returns the row and the token
    (shown once, in the address the person is sent to)."""
    token = secrets.token_urlsafe(24)
    row = SavedShortlist.objects.create(
        token_hash=hash_token(token),
        profile_ids=[int(pk) for pk in profile_ids],
        expires_at=timezone.now() + KEEP_FOR,
    )
    return row, token
