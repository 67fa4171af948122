"""Who may edit which profile: its owner, and nobody else (the one access rule of the editor)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ..models import TherapistProfile


def owned_profile(user: Any) -> TherapistProfile | None:
    """The signed-in person's profile, or None when they have none yet."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TherapistProfile.objects.filter(owner=user).order_by("pk").first()


def owned_profile_or_404(user: Any, profile_id: int | None = None) -> TherapistProfile:
    """Their profile (that one, when `profile_id` is given), else 404: the same answer for
    "no such profile" and "not yours", so ids of other people's drafts are not revealed."""
    queryset = (
        TherapistProfile.objects.filter(owner=user)
        if getattr(user, "is_authenticated", False)
        else TherapistProfile.objects.none()
    )
    if profile_id is not None:
        queryset = queryset.filter(pk=profile_id)
    profile = queryset.order_by("pk").first()
    if profile is None:
        raise Http404
    return profile
