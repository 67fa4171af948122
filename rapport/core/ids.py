"""Stable public handles for imported records."""

from __future__ import annotations

import base64
import hashlib

from django.utils.text import slugify

_ALPHABET = str.maketrans("", "", "=")


def short_id(source: str, external_id: str, length: int = 8) -> str:
    """A short id derived from (source, id): the same on every installation."""
    digest = hashlib.sha256(f"{source}\x00{external_id}".encode()).digest()
    return base64.b32encode(digest).decode().lower().translate(_ALPHABET)[:length]


def profile_slug(name: str, source: str, external_id: str) -> str:
    """'Uriah Cty' -> 'uriah-cty-k3m9q2xa'. Names slugify to ASCII; others fall back to 'therapist'."""
    base = slugify(name, allow_unicode=False)[:80].strip("-") or "therapist"
    return f"{base}-{short_id(source, external_id)}"
