"""The editor's sections: which interchange fields each one saves, and which of them
wait for review on a published profile (name, licenses, statements)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    slug: str
    title: Promise
    intro: Promise
    fields: tuple[str, ...]  # interchange document fields this section writes
    reviewed: tuple[str, ...] = ()  # of those, the ones a published profile holds for review

    @property
    def all_reviewed(self) -> bool:
        return set(self.reviewed) == set(self.fields)


SECTIONS: tuple[Section, ...] = (
    Section(
        "basics", _("Basics"), _("Your name as clients will see it, and how you describe yourself."),
        ("name", "credentials", "title", "pronouns", "gender", "identities"), ("name",),
    ),
    Section(
        "licenses", _("Licenses"), _("Each license you practice under. Staff check licenses with the state board; until then they show as self-reported."),
        ("licenses", "npi"), ("licenses", "npi"),
    ),
    Section(
        "practice", _("Practice, fees and insurance"), _("Where and how you meet clients, what a session costs, and the insurance you take."),
        ("offices", "in_person", "telehealth", "telehealth_states", "fees", "insurance"),
    ),
    Section(
        "clients", _("Who I see"), _("The people you work with and what you help with: search filters read these."),
        ("ages", "issues", "communities", "languages", "formats"),
    ),
    Section(
        "approaches", _("Approaches and statements"), _("The approaches you practice, each in your own words. Each statement is shown on that approach's page."),
        ("approaches",), ("approaches",),
    ),
    Section(
        "about", _("About me"), _("Your general statement, shown at the top of your profile."),
        ("statement",), ("statement",),
    ),
    Section(
        "contact", _("Contact"), _("How the directory and clients reach you."),
        ("email", "phone", "website"),
    ),
)  # fmt: skip

SECTION_BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}


def section_or_404(slug: str) -> Section:
    try:
        return SECTION_BY_SLUG[slug]
    except KeyError:
        raise Http404 from None
