"""Writes on accounts that are ours rather than allauth's."""

from __future__ import annotations

import secrets

from .models import User


def end_all_sessions(user: User) -> None:
    """Sign the user out everywhere: every session checks the user's auth hash on each
    request, and the hash includes `session_token`, so a new token invalidates them all,
    whether sessions live in the database, the cache or signed cookies."""
    user.session_token = secrets.token_hex(16)
    user.save(update_fields=["session_token"])
