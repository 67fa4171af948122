"""Saved match lists: the one place answers outlive the browser session, and only when asked.

A person who clicks "Keep these results" gets a link with a random token.
Only the SHA-256 of the token is stored, so a database dump cannot be turned
back into working links, and nothing here points at a person: no user, no
IP address, no free text, no plan name (domain.md 4.4: store intake answers
only if the person saves them, with a short retention). Rows are deleted by
`purge_saved_matches` once `expires_at` has passed, or at once by "Delete now".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import models
from django.utils import timezone

KEEP_FOR = dt.timedelta(days=7)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SavedMatchQuerySet(models.QuerySet["SavedMatch"]):
    def expired(self, now: dt.datetime | None = None) -> SavedMatchQuerySet:
        return self.filter(expires_at__lte=now or timezone.now())

    def for_token(self, token: str) -> SavedMatchQuerySet:
        return self.filter(token_hash=hash_token(token))


class SavedMatch(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    # The questionnaire's answers as plain JSON (see matching.session.answers_to_json);
    # never the free text or the plan name, which stay in the session.
    answers = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = SavedMatchQuerySet.as_manager()

    class Meta:
        ordering = ["expires_at"]

    def __str__(self) -> str:
        # The hash only: a token (or an answer) must never reach a log line or the admin.
        return f"SavedMatch {self.token_hash[:8]}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


def saved_match_create(*, answers: dict) -> tuple[SavedMatch, str]:
    """Store the answers under a new random token; returns the row and the token (shown once)."""
    token = secrets.token_urlsafe(24)
    row = SavedMatch.objects.create(
        token_hash=hash_token(token), answers=answers, expires_at=timezone.now() + KEEP_FOR
    )
    return row, token
