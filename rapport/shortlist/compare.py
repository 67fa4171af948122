"""What the compare page shows about each saved therapist: the public profile, read today.

One `Column` per therapist with one `Cell` per row, in `ROWS` order, so the
phone layout (a card per therapist) and the desktop table (a column per
therapist) show the same facts from the same code. Licenses read as the
profile page reads them: "Verified <date>" only when the license was checked,
otherwise "Self-reported".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core import display
from rapport.directory.models import LicenseStatus, TherapistProfile
from rapport.directory.templatetags.profile_tags import fee_summary

ROWS = (
    ("availability", gettext_lazy("Availability")),
    ("fees", gettext_lazy("Fee per session")),
    ("sliding", gettext_lazy("Sliding scale")),
    ("consultation", gettext_lazy("Free first consultation")),
    ("insurance", gettext_lazy("Insurance")),
    ("in_person", gettext_lazy("In person")),
    ("online", gettext_lazy("Online")),
    ("sessions", gettext_lazy("Sessions")),
    ("approaches", gettext_lazy("Approaches")),
    ("issues", gettext_lazy("Can help with")),
    ("languages", gettext_lazy("Languages")),
    ("license", gettext_lazy("License")),
)


@dataclass
class Part:
    text: str
    tone: str = ""  # "good" (a check mark's green), "muted", or plain


@dataclass
class Cell:
    label: str
    parts: list[Part]


@dataclass
class Column:
    profile: TherapistProfile
    cells: list[Cell] = field(default_factory=list)


def _date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)  # as the template's |date shows it
    return formats.date_format(value, "F j, Y")


def _names(terms: list) -> list[Part]:
    return [Part(", ".join(t.name for t in terms))] if terms else [Part(_("Not listed"), "muted")]


def _yes_no(flag: bool) -> list[Part]:
    return [Part(_("Yes"), "good")] if flag else [Part(_("No"))]


def _licences(profile: TherapistProfile) -> list[Part]:
    parts: list[Part] = []
    for licence in profile.licenses.all():
        name = licence.license_type.name
        place = display.location("", licence.state)
        text = f"{name} ({place})" if place else name
        if licence.status == LicenseStatus.ASSOCIATE:
            text += " · " + _("associate, under supervision")
        elif licence.status == LicenseStatus.STUDENT:
            text += " · " + _("student, under supervision")
        parts.append(Part(text))
        if licence.verified_at is not None:  # License.is_verified
            parts.append(
                Part(
                    "✓ "
                    + _("License verified %(date)s")
                    % {"date": formats.date_format(timezone.localtime(licence.verified_at), "F Y")},
                    "good",
                )
            )
        else:
            parts.append(Part(_("Self-reported, not yet checked"), "muted"))
    return parts or [Part(_("No license listed"), "muted")]


def _cells(profile: TherapistProfile) -> dict[str, list[Part]]:
    if profile.accepting_new_clients:
        availability = [Part("✓ " + _("Accepting new clients"), "good")]
        if profile.accepting_confirmed_at:
            confirmed = _("Confirmed %(date)s") % {"date": _date(profile.accepting_confirmed_at)}
            availability.append(Part(confirmed, "muted"))
    else:
        availability = [Part(_("Not accepting new clients right now"))]
    fees = fee_summary(profile)
    places = [
        display.location(office.city, office.state)
        for office in profile.office_list()
        if office.city or office.state
    ]
    if profile.in_person and places:
        in_person = [Part(_("Yes"), "good"), Part("; ".join(dict.fromkeys(places)))]
    elif profile.in_person:
        in_person = [Part(_("Yes"), "good"), Part(_("Office not listed"), "muted")]
    else:
        in_person = [Part(_("No"))]
    states = [str(code) for code in profile.telehealth_states or []]
    if profile.telehealth and states:
        online = [
            Part(_("Yes"), "good"),
            Part(_("Clients in %(states)s") % {"states": ", ".join(states)}),
        ]
    else:
        online = _yes_no(profile.telehealth)
    return {
        "availability": availability,
        "fees": [Part(fees)] if fees else [Part(_("Not listed"), "muted")],
        "sliding": _yes_no(profile.sliding_scale),
        "consultation": _yes_no(profile.free_consultation),
        "insurance": _names(profile.insurance),
        "in_person": in_person,
        "online": online,
        "sessions": _names(profile.formats),
        "approaches": _names([s.approach for s in profile.approach_statements.all()]),
        "issues": _names(profile.issues),
        "languages": _names(profile.languages),
        "license": _licences(profile),
    }


def published_in_order(ids: list[int]) -> list[TherapistProfile]:
    """The published profiles among `ids`, in that order, with everything the page reads
    (a constant number of queries however many there are)."""
    if not ids:
        return []
    found = {
        p.pk: p
        for p in TherapistProfile.objects.published().with_public_relations().filter(pk__in=ids)
    }
    return [found[pk] for pk in ids if pk in found]


def columns(profiles: list[TherapistProfile]) -> list[Column]:
    result = []
    for profile in profiles:
        values = _cells(profile)
        result.append(
            Column(profile=profile, cells=[Cell(str(label), values[key]) for key, label in ROWS])
        )
    return result


def table_rows(cols: list[Column]) -> list[tuple[str, list[Cell]]]:
    """The same cells turned on their side: one row per fact, one cell per therapist."""
    return [(str(label), [col.cells[i] for col in cols]) for i, (_key, label) in enumerate(ROWS)]
