"""Template tags for the shortlist control: they read the session themselves, so the
views of the pages that show the control need no change."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from rapport.shortlist.buttons import control_html
from rapport.shortlist.session import saved_ids

register = template.Library()


def _saved(context: template.Context) -> set[int]:
    request = context.get("request")
    return set(saved_ids(request)) if request is not None else set()


def _here(context: template.Context) -> str:
    request = context.get("request")
    return request.get_full_path() if request is not None else "/"


@register.simple_tag(takes_context=True)
def shortlist_button(context: template.Context, profile: Any) -> SafeString:
    """`{% shortlist_button profile %}`: its own POST form, for pages without an outer form."""
    html = control_html(
        profile_id=profile.pk,
        name=profile.name,
        saved=int(profile.pk) in _saved(context),
        next_url=_here(context),
        in_form=False,
    )
    return mark_safe(html)  # noqa: S308 - control_html escapes every value


@register.simple_tag(takes_context=True)
def shortlist_search_buttons(context: template.Context, cards: Any) -> dict[int, str]:
    """The controls for the search page's cards, by profile id, for `result_cards`
    (inside the search form, so buttons that post elsewhere)."""
    saved = _saved(context)
    return {
        int(card.profile.pk): control_html(
            profile_id=card.profile.pk,
            name=card.profile.name,
            saved=int(card.profile.pk) in saved,
            next_url="",
            in_form=True,
        )
        for card in cards
    }
