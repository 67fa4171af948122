"""For views in the therapist's own area (/account/...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from allauth.account.decorators import verified_email_required

View = TypeVar("View", bound=Callable[..., object])


def therapist_area(view: View) -> View:
    """Signed in (else to the login, then back) with a verified email address (else a page
    saying so, and a fresh verification email). Staff are let in too: they are users."""
    return verified_email_required(view)
