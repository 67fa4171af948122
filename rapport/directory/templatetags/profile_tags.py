"""How the parts of a therapist profile read on a public page.

Locations and names go through `rapport.core.display` (never formatted by
hand in a template), so every page drops missing parts the same way.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from rapport.core import display, structured_data
from rapport.directory import availability
from rapport.directory.facets import GENDER
from rapport.directory.models import License, Office, TherapistProfile

from .site_tags import absolute_url

register = template.Library()

_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension)\s*(\d+)\s*$", re.IGNORECASE)


@register.filter(needs_autoescape=True)
def paragraphs(text: str | None, autoescape: bool = True) -> SafeString:
    """Plain text to <p>s: paragraphs split on blank lines, single newlines kept."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    escape = conditional_escape if autoescape else str
    parts = [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]
    return mark_safe(  # noqa: S308 - every part was escaped just above
        "\n".join("<p>" + str(escape(part)).replace("\n", "<br>") + "</p>" for part in parts)
    )


@register.simple_tag
def name_with_credentials(therapist: TherapistProfile) -> str:
    return display.name_and_credentials(therapist.name, therapist.credentials)


@register.simple_tag
def fee_summary(therapist: TherapistProfile) -> str:
    """'$90–$150 per session (estimate)': fees are estimates, never quotes (domain.md 2)."""
    low, high = therapist.fee_min, therapist.fee_max
    if low is not None and high is not None and low > high:
        low, high = high, low
    if low is not None and high is not None:
        amount = f"${low:,}" if low == high else f"${low:,}–${high:,}"
        return _("%(amount)s per session (estimate)") % {"amount": amount}
    if low is not None:
        return _("From $%(amount)s per session (estimate)") % {"amount": f"{low:,}"}
    if high is not None:
        return _("Up to $%(amount)s per session (estimate)") % {"amount": f"{high:,}"}
    return ""


@register.simple_tag
def office_place(office: Office) -> str:
    """'Tacoma, WA 98402': city and state by the display rules, then the ZIP."""
    place = display.location(office.city, office.state)
    return " ".join(part for part in (place, office.zip.strip()) if part)


@register.filter
def tel_href(phone: str | None) -> str:
    """'(253) 555-0142 x12' -> 'tel:+12535550142;ext=12' (RFC 3966)."""
    phone = phone or ""
    extension = ""
    match = _EXTENSION.search(phone)
    if match:
        extension = f";ext={match.group(1)}"
        phone = phone[: match.start()]
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return ""
    if phone.strip().startswith("+"):
        number = "+" + digits
    elif len(digits) == 10:
        number = "+1" + digits
    elif len(digits) == 11 and digits.startswith("1"):
        number = "+" + digits
    else:
        number = digits
    return f"tel:{number}{extension}"


@register.filter
def website_href(url: str | None) -> str:
    """The URL only if it is plain http(s): anything else (javascript:, data:) is dropped."""
    parts = urlsplit((url or "").strip())
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return parts.geturl()
    return ""


@register.filter
def website_host(url: str | None) -> str:
    host = urlsplit((url or "").strip()).hostname or ""
    return host.removeprefix("www.")


@register.simple_tag
def meta_description(therapist: TherapistProfile) -> str:
    parts = [therapist.display_line() + "."]
    now = availability.state(therapist)
    if now.is_open and not now.stale:  # not claimed to search engines once unconfirmed
        parts.append(_("Accepting new clients."))
    issues = [term.name for term in therapist.issues[:4]]
    if issues:
        parts.append(_("Works with %(issues)s.") % {"issues": ", ".join(issues).lower()})
    if therapist.telehealth and therapist.telehealth_states:
        parts.append(
            _("Telehealth in %(states)s.") % {"states": ", ".join(therapist.telehealth_states)}
        )
    return Truncator(" ".join(parts)).chars(160)


@register.simple_tag(takes_context=True)
def person_json_ld(context: template.Context, therapist: TherapistProfile) -> SafeString:
    """schema.org Person for search engines, safe to place inside <script>."""
    data = {
        "@context": "https://schema.org",
        **structured_data.person(therapist, absolute_url(context, therapist.get_absolute_url())),
    }
    if therapist.phone:
        data["telephone"] = therapist.phone
    # Only licenses with a current check: a self-reported one is not claimed to search engines.
    credentials = [
        structured_data.license_credential(
            name=lic.license_type.name,
            state=lic.state,
            verified_on=timezone.localtime(lic.verified_at).date(),
        )
        for lic in therapist.licenses.all()
        if lic.verified_at is not None
    ]
    if credentials:
        data["hasCredential"] = credentials
    return structured_data.script_json(data)


@register.simple_tag
def telehealth_states(therapist: TherapistProfile) -> str:
    return ", ".join(str(code) for code in therapist.telehealth_states or [])


@register.filter
def state_name(code: str | None) -> str:
    return display.location("", code)


# --- Who the therapist is --------------------------------------------------------------------

_GENDER_LABELS = dict(GENDER.choices)


def gender_label(value: str | None) -> str:
    """'woman' -> 'Woman' (the search filter's own label); free text as written, capitalized."""
    value = (value or "").strip()
    label = _GENDER_LABELS.get(value.lower())
    return str(label) if label is not None else capfirst(value)


@register.simple_tag
def identifies_as(therapist: TherapistProfile) -> list[str]:
    """The therapist's gender and self-described identities as one list: a gender of
    'woman' and the identity 'Woman' are one claim, said once."""
    labels = []
    gender = gender_label(therapist.gender)
    if gender:
        labels.append(gender)
    said = {gender.casefold(), (therapist.gender or "").strip().casefold()} - {""}
    for term in therapist.identities:
        if term.name.casefold() not in said and term.slug.casefold() not in said:
            labels.append(term.name)
    return labels


# --- Where to check a self-reported license ------------------------------------------------

LOOKUP_FILE = Path(__file__).resolve().parent.parent / "data" / "license_lookup.toml"
# Board lookups on a host outside .gov: each is the board's own system, and why we know.
OFFICIAL_HOSTS = {
    # Florida's own domain (state.fl.us), the Department of Health's.
    "mqa-internet.doh.state.fl.us": "Florida Department of Health",
    # Named by IDFPR (idfpr.illinois.gov FAQ) as its online licensing system.
    "online-dfpr.micropact.com": "Illinois Department of Financial and Professional Regulation",
    # The Division of Consumer Affairs' licensee verification, run on this platform.
    "newjersey.mylicense.com": "New Jersey Division of Consumer Affairs",
    # The "License Lookup website" dhp.virginia.gov sends licensees and the public to.
    "dhp.virginiainteractive.org": "Virginia Department of Health Professions",
    # North Carolina's boards are state agencies on their own .org domains, each named as
    # the board's site by the board's own pages (see license_lookup.toml `source`).
    "www.ncmedboard.org": "North Carolina Medical Board",
    "www.ncbmft.org": "North Carolina Marriage and Family Therapy Licensure Board",
    "www.ncsappb.org": "North Carolina Addictions Specialist Professional Practice Board",
}


@dataclass(frozen=True)
class BoardLookup:
    state: str
    groups: frozenset[str]
    label: str  # completes "Check this license on ..."
    url: str


@functools.cache
def lookup_table() -> dict[tuple[str, str], BoardLookup]:
    """(state, license-type group) -> the board's public lookup, from license_lookup.toml."""
    with LOOKUP_FILE.open("rb") as handle:
        entries = tomllib.load(handle)["boards"]
    table: dict[tuple[str, str], BoardLookup] = {}
    for entry in entries:
        board = BoardLookup(
            entry["state"], frozenset(entry["groups"]), entry["label"], entry["url"]
        )
        for group in board.groups:
            table[(board.state, group)] = board
    return table


@register.simple_tag
def license_lookup(license: License) -> BoardLookup | None:  # noqa: A002 - the model's name
    """Where a visitor can check a self-reported license: the issuing state's board
    lookup when we know it for this type of license; None for a verified license
    (already checked) and wherever no lookup is known (no link beats a wrong one)."""
    if license.is_verified:
        return None
    group = license.license_type.group
    return lookup_table().get(((license.state or "").upper(), group))
