"""Reach out links on every surface that lists therapists, and the contact form's fields.

"Reach out" shows only for profiles that can receive requests (selectors.can_receive):
`reachable` reads that for a whole page of profiles in one query, so a list of twenty adds
one query, never twenty. Each link carries `next`, the page and the card's anchor, so the
"sent" page leads the person back to the exact place in the list they came from.
"""

from __future__ import annotations

from html import escape as _escape
from typing import Any
from urllib.parse import urlencode

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from rapport.messaging import selectors

register = template.Library()


def _escape_attr(value: object) -> str:
    return _escape(str(value), quote=True)


def contact_url(slug: str, next_url: str = "") -> str:
    url = reverse("messaging:contact", kwargs={"slug": slug})
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _profile_of(item: Any) -> Any:
    # Search and match cards wrap a profile (`card.profile`); specialists too (`s.profile`).
    return getattr(item, "profile", item)


@register.simple_tag
def reachable(items: Any) -> set[int]:
    """The ids of the profiles behind `items` (cards, specialists or profiles) that can
    receive contact requests: one query for the page."""
    return selectors.receiving_ids(int(_profile_of(item).pk) for item in items or [])


def link_html(*, slug: str, name: str, next_url: str) -> str:
    label = _escape_attr(_("Reach out to %(name)s") % {"name": name})
    return (
        f'<a class="button button-small reach-out" href="{_escape_attr(contact_url(slug, next_url))}"'
        f' aria-label="{label}">{_escape_attr(_("Reach out"))}</a>'
    )


def _here(context: template.Context, anchor: str) -> str:
    request = context.get("request")
    if request is None:
        return ""
    # A saved list's address is its key: it stays out of other URLs.
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "matching:saved":
        return ""
    return f"{request.get_full_path()}#{anchor}"


@register.simple_tag(takes_context=True)
def reach_out(
    context: template.Context, profile: Any, receiving: set[int] | None, anchor_prefix: str
) -> SafeString:
    """The "Reach out" link for one listed profile (whose card's anchor is `anchor_prefix`
    and its id), or nothing when it cannot receive requests."""
    if not receiving or int(profile.pk) not in receiving:
        return mark_safe("")
    next_url = _here(context, f"{anchor_prefix}{int(profile.pk)}")
    html = link_html(slug=profile.slug, name=profile.name, next_url=next_url)
    return mark_safe(f'<p class="reach-out-row">{html}</p>')  # noqa: S308 - escaped in link_html


@register.simple_tag
def reach_out_search_buttons(
    cards: Any, shortlist_buttons: dict[int, str], here: str
) -> dict[int, str]:
    """The search page's end-of-card markup by profile id: Reach out (where it can) before
    the shortlist's Save, for `result_cards`."""
    receiving = reachable(cards)
    out = {}
    for card in cards:
        pk = int(card.profile.pk)
        link = ""
        if pk in receiving:
            link = link_html(
                slug=card.profile.slug, name=card.profile.name, next_url=f"{here}#card-{pk}"
            )
            link = f'<p class="reach-out-row">{link}</p>'
        out[pk] = link + shortlist_buttons.get(pk, "")
    return out


@register.simple_tag
def contact_field(field: BoundField, hint_id: str = "", **attrs: Any) -> SafeString:
    """A form field's widget, tied to its hint (or `hint_id`) and its error for screen
    readers."""
    described = [hint_id] if hint_id else []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    widget_attrs = dict(attrs)
    if described:
        widget_attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        widget_attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=widget_attrs)


@register.simple_tag
def inbox_unread(user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return selectors.unread_count(user)
