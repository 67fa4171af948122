"""Search page helpers that run hundreds of times per page."""

from __future__ import annotations

from html import escape as _escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import availability
from .availability_tags import availability_html
from .photo_tags import avatar_markup
from .profile_tags import fee_summary, name_with_credentials

register = template.Library()


def escape(value: object) -> str:
    # The standard library's escape (the same five characters as Django's),
    # without Django's lazy-string wrapper: called ~800 times per page.
    return _escape(str(value), quote=True)


# (param, value, label) -> the escaped start of its <li> and its escaped label.
# The options come from the taxonomy, so this stays small; the cap is a guard.
_OPTION_MARKUP: dict[tuple[str, str, str], tuple[str, str]] = {}
_OPTION_MARKUP_CAP = 20_000


def _option_markup(param: str, value: str, label: str) -> tuple[str, str]:
    key = (param, value, label)
    found = _OPTION_MARKUP.get(key)
    if found is None:
        if len(_OPTION_MARKUP) >= _OPTION_MARKUP_CAP:
            _OPTION_MARKUP.clear()
        param, value = escape(param), escape(value)
        element_id = f"f-{param}-{value}"
        found = (
            f'<li><label class="check" for="{element_id}"><input type="checkbox"'
            f' id="{element_id}" name="{param}" value="{value}"',
            escape(label),
        )
        _OPTION_MARKUP[key] = found
    return found


@register.simple_tag
def facet_checks(facet, options) -> SafeString:  # type: ignore[no-untyped-def]
    """The <li> checkboxes of one facet, built in Python.

    The same markup as a template loop, but a page has ~400 of them and the
    template engine spent ~20 ms on it at a million profiles. Every value is
    escaped here, once per option for the life of the process (~800 escapes a
    page otherwise).
    """
    from_text = facet.from_text
    note = escape(_("from your search words")) if from_text else ""
    parts = []
    for option in options:
        head, label = _option_markup(facet.param, option.value, option.label)
        flags = " checked" if option.selected else ""
        extra = ""
        if option.value in from_text:
            flags += " disabled"
            extra = f' <span class="from-text">{note}</span>'
        parts.append(
            f"{head}{flags}> <span>{label} ({int(option.count)}){extra}</span></label></li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped above


@register.simple_tag
def facet_fieldsets(facets) -> SafeString:  # type: ignore[no-untyped-def]
    """One <fieldset> per facet that has options: the first few, then the rest
    in a <details>. Built here for the same reason as the checkboxes (ten
    included templates cost ~1 ms a page). Every value is escaped here."""
    parts = []
    for facet in facets:
        if not facet.shown:
            continue
        param, legend = escape(facet.param), escape(facet.legend)
        parts.append(
            f'\n<fieldset class="facet" id="facet-{param}">\n  <legend>{legend}</legend>\n'
            f'  <ul class="checks">\n    {facet_checks(facet, facet.shown)}\n  </ul>\n  '
        )
        if facet.more:
            count = len(facet.more)
            more = escape(
                ngettext("%(counter)s more", "%(counter)s more", count) % {"counter": count}
            )
            parts.append(
                f'\n  <details class="more" id="more-{param}">\n'
                f'    <summary>{more}<span class="visually-hidden"> {legend}</span></summary>\n'
                f'    <ul class="checks">\n      {facet_checks(facet, facet.more)}\n    </ul>\n'
                "  </details>\n  "
            )
        parts.append("\n</fieldset>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped above


@register.simple_tag
def result_cards(cards, buttons=None) -> SafeString:  # type: ignore[no-untyped-def]
    """The <li> result cards of the search page, built in Python.

    Why not a template: twenty included card templates cost ~3.5 ms of a
    ~12 ms page at a million profiles (performance.md's budget for the whole
    page is 10 ms); this builds the same markup in ~0.4 ms. Every value is
    escaped here; change the markup here and in `directory.css` together.
    `buttons`: markup to end each card with, by profile id (the shortlist's Save).
    """
    text = {
        "matches": escape(_("Matches your search:")),
        "works_with": escape(_("Works with:")),
        "sliding": escape(_("Sliding scale")),
        "free": escape(_("Free consultation")),
        "verified": escape(_("License verified")),
        "demo": escape(_("Demo profile")),
    }
    parts = []
    today = availability.today()
    for card in cards:
        therapist = card.profile
        pk = int(therapist.pk)
        name = escape(name_with_credentials(therapist))
        out = [
            f'<li class="result"><article class="card" aria-labelledby="card-{pk}">'
            f"{avatar_markup(therapist)}"
            f'<div class="card-body"><h3 class="card-name" id="card-{pk}">'
            f'<a href="{escape(therapist.get_absolute_url())}">{name}</a></h3>'
        ]
        if therapist.title:
            out.append(f'<p class="card-title">{escape(therapist.title)}</p>')
        if card.place or card.distance or card.ways:
            where = [escape(card.place)] if card.place else []
            if card.distance:
                where.append(f'<span class="nowrap">{escape(card.distance)}</span>')
            line = " · ".join(where)
            if card.ways:
                ways = escape(" · ".join(card.ways))
                line += ("<br>" if where else "") + f'<span class="card-ways">{ways}</span>'
            out.append(f'<p class="card-where">{line}</p>')
        if card.matched:
            lead = text["matches"] if card.matched_from_query else text["works_with"]
            out.append(f'<p class="card-match">{lead} {escape(", ".join(card.matched))}</p>')
        fee_bits = [escape(fees)] if (fees := fee_summary(therapist)) else []
        if therapist.sliding_scale:
            fee_bits.append(f'<span class="nowrap">{text["sliding"]}</span>')
        if therapist.free_consultation:
            fee_bits.append(f'<span class="nowrap">{text["free"]}</span>')
        if fee_bits:
            out.append(f'<p class="card-fee">{" · ".join(fee_bits)}</p>')
        if card.in_network:
            plans = escape(_("In network: %(plans)s") % {"plans": ", ".join(card.in_network)})
            out.append(f'<p class="card-network"><span aria-hidden="true">✓ </span>{plans}</p>')
        status = availability_html(therapist, on=today)
        if card.verified:
            status += (
                f' <span class="card-verified"><span aria-hidden="true">✓ </span>'
                f"{text['verified']}</span>"
            )
        if therapist.is_demo:
            status += f' <span class="card-demo">{text["demo"]}</span>'
        out.append(f'<p class="card-status">{status}</p>')
        if card.snippet:
            out.append(f'<p class="card-snippet">{escape(card.snippet)}</p>')
        if buttons:
            out.append(buttons.get(pk, ""))  # built and escaped by rapport.shortlist.buttons
        out.append("</div></article></li>")
        parts.append("".join(out))
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped above
