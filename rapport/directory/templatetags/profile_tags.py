"""How the parts of a therapist profile read on a public page.

Locations and names go through `rapport.core.display` (never formatted by
hand in a template), so every page drops missing parts the same way.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from rapport.core import display, structured_data
from rapport.directory.models import Office, TherapistProfile

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
    if therapist.accepting_new_clients:
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
    return structured_data.script_json(data)


@register.simple_tag
def telehealth_states(therapist: TherapistProfile) -> str:
    return ", ".join(str(code) for code in therapist.telehealth_states or [])


@register.filter
def state_name(code: str | None) -> str:
    return display.location("", code)
