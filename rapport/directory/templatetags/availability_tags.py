"""How a profile's availability reads on every page: profile, search cards, approach pages'
specialists, match cards and the dashboard. One markup, one rule (`directory/availability.py`):
accepting / waitlist (with the expected wait) / not accepting, and "availability not confirmed
recently" once the confirmation is older than `STALE_AFTER_DAYS`."""

from __future__ import annotations

import datetime as dt
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .. import availability
from ..availability import Availability

register = template.Library()

_CLASSES = {
    Availability.ACCEPTING: "availability-open",
    Availability.WAITLIST: "availability-waitlist",
    Availability.NOT_ACCEPTING: "availability-closed",
}


def availability_html(
    profile: object, *, with_date: bool = False, on: dt.date | None = None
) -> str:
    """The availability of a profile as escaped inline markup (search cards build theirs in
    Python: `search_tags.result_cards`)."""
    now = availability.state(profile, on)
    tick = '<span aria-hidden="true">✓ </span>' if now.kind == Availability.ACCEPTING else ""
    out = f'<span class="{_CLASSES[now.kind]}">{tick}{escape(now.label)}</span>'
    if with_date and now.confirmed_at is not None and not now.stale:
        out += f' <span class="availability-date">({escape(now.confirmed_label)})</span>'
    if now.stale:
        out += (
            f' <span class="availability-stale">{escape(_("Availability not confirmed recently"))}'
        )
        if with_date and now.confirmed_at is not None:
            out += f" ({escape(now.confirmed_label)})"
        out += "</span>"
    return out


@register.simple_tag
def availability_status(profile: object, with_date: bool = False) -> SafeString:
    """`{% availability_status therapist %}`: the profile's availability, stale or not."""
    return mark_safe(availability_html(profile, with_date=with_date))  # noqa: S308 - escaped above


@register.simple_tag
def availability_of(profile: object) -> availability.AvailabilityState:
    """`{% availability_of therapist as now %}`: the state itself, for pages that branch on it."""
    return availability.state(profile)
