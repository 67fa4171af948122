"""Sealing contact requests at rest: Fernet (AES-128-CBC + HMAC-SHA256) with key rotation.

What a person writes to a therapist, and who they are, is health data. It is stored only as a
Fernet token, so the database file, a dump or a backup holds no plaintext. Keys come from the
environment (`RAPPORT_MESSAGE_KEYS`, comma-separated, newest first): `MultiFernet` encrypts with
the first and decrypts with any, so a key is rotated by putting a new one first, running
`rapport reencrypt_messages`, then dropping the old one. In development a key is generated once
into the data directory, like the secret key; production refuses to start without the variable.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "reseal", "seal", "unseal"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    # Keyed by the tuple so tests that override the setting get their own instance.
    return _fernet(tuple(settings.RAPPORT_MESSAGE_KEYS))


def seal(data: dict[str, Any]) -> str:
    """Encrypt a JSON-able mapping to an ASCII token."""
    return _current().encrypt(json.dumps(data, separators=(",", ":")).encode()).decode("ascii")


def unseal(token: str) -> dict[str, Any]:
    """Decrypt a token from `seal`. Raises InvalidToken when no configured key opens it."""
    result: dict[str, Any] = json.loads(_current().decrypt(token.encode("ascii")))
    return result


def reseal(token: str) -> str:
    """The same contents encrypted with the newest key (MultiFernet.rotate)."""
    return _current().rotate(token.encode("ascii")).decode("ascii")
