"""The avatar: a therapist's photo with its size and alt text, or their initials when none.

One markup for every surface: the templates include `directory/_avatar.html`, and the search
page's cards (built in Python, search_tags.result_cards) call `avatar_markup` directly.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def avatar_markup(profile: Any, *, size: str = "small", lazy: bool = True) -> str:
    """Escaped HTML. `size` is "small" (cards) or "large" (the profile page); `lazy` is for
    everything below the fold (only a profile's own photo is above it)."""
    large = size == "large"
    name = profile.photo_large if large else profile.photo_small
    classes = "avatar" if large else "avatar avatar-small"
    if not name:
        return f'<div class="{classes}" aria-hidden="true">{escape(profile.initials)}</div>'
    url = profile.photo_large_url if large else profile.photo_small_url
    px = int(profile.photo_large_px if large else profile.photo_small_px)
    loading = ' loading="lazy"' if lazy else ""
    return (
        f'<img class="{classes} avatar-photo" src="{escape(url)}" width="{px}" height="{px}"'
        f' alt="{escape(profile.photo_alt or "")}"{loading} decoding="async">'
    )


@register.simple_tag
def avatar(profile: Any, size: str = "", eager: Any = False) -> SafeString:
    """`{% include "directory/_avatar.html" with profile=p size="large" eager=True %}`: a
    missing `size` or `eager` reaches here as "" (the include's unset variables)."""
    markup = avatar_markup(profile, size=size or "small", lazy=not eager)
    return mark_safe(markup)  # noqa: S308 - every value is escaped in avatar_markup
