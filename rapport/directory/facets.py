"""The facet table: every multi-select facet of search declared once, with every name it has.

A facet is a set of options a person can tick ("Issues: anxiety, grief"), OR within the
facet and AND across facets, each option counted on the search page. Each one has a
`SearchQuery` field, a URL and API parameter, an index namespace, a taxonomy kind (gender
is the one facet that is not a taxonomy), labels for the page, the relaxations and the API's
errors, and (for most) a field of the interchange document. Search (`search/`), the page's
form and view, the API and its schema, the index and interchange all read this table.

Adding a facet: one `Facet` entry below, plus its data (a taxonomy `Kind` and its terms file,
a `SearchQuery` field of the same name; `tests/test_facet_table.py` names anything missing).
The table's order is the index's row order and the URL's parameter order: append, do not
reorder (`page_position` orders the page).

This module imports nothing of the directory, so every reader can import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rapport.taxonomy.models import Kind

__all__ = [
    "DOCUMENT_TERM_FIELDS", "FACETS", "FACET_GROUPS", "FACET_BY_FIELD", "FACET_FIELDS",
    "GENDER", "GENDERS", "TERM_FIELDS", "TEXT_FACETS", "Facet",
]  # fmt: skip


@dataclass(frozen=True)
class FacetGroup:
    """A fold of the search page's filters: ~150 options in one column were 4,000 px tall."""

    slug: str  # the <details> id is "group-<slug>"
    title: Promise
    hint: Promise  # what is inside, so a closed group still says what it holds


# The search page's groups, in page order. The page's own filters (the way to meet, distance,
# fees, "accepting", "verified") sit in them too: see directory/_results.html.
FACET_GROUPS: tuple[FacetGroup, ...] = (
    FacetGroup("fit", _("Your needs"), _("Concerns, approaches, ages")),
    FacetGroup("practical", _("Practical"), _("Meeting, fees, insurance, format, language")),
    FacetGroup("therapist", _("About the therapist"), _("Gender, identity, communities, license")),
)


@dataclass(frozen=True)
class Facet:
    field: str  # the SearchQuery field, and the key of its counts in a SearchResult
    param: str  # the URL and API parameter, and the API's key for its counts
    namespace: str  # the index namespace of its bitmap rows
    kind: str | None  # the taxonomy kind of its options; None: fixed `choices`
    legend: Promise  # the search page's heading over its options
    page_position: int  # where the search page shows it (0 first)
    group: str  # the search page's group of filters it sits in (FACET_GROUPS)
    without: Promise  # a relaxation that drops it: "without the issue filter"
    noun: Promise  # one option, in the API's "unknown issue 'x'"
    api_description: str  # the API parameter's description (OpenAPI)
    api_example: str  # a valid option, for the OpenAPI document
    # The interchange document's field of slugs (None: not a plain list of slugs there).
    document_field: str | None = None
    # Reading the search box: its names there become this facet, in this priority
    # (None: never read from text), shown as a chip saying `detected` ("%(label)s").
    text_priority: int | None = None
    detected: Promise | None = None
    choices: tuple[tuple[str, Promise], ...] = ()  # options of a non-taxonomy facet


FACETS: tuple[Facet, ...] = (
    Facet(
        "issues", "issues", Kind.ISSUE, Kind.ISSUE,
        legend=_("What you would like help with"), page_position=0, group="fit",
        without=_("without the issue filter"), noun=_("issue"),
        api_description="Issues (any of them).", api_example="anxiety",
        document_field="issues",
        text_priority=0, detected=_("Showing therapists who work with %(label)s"),
    ),
    Facet(
        "approaches", "approaches", Kind.APPROACH, Kind.APPROACH,
        legend=_("Approaches"), page_position=1, group="fit",
        without=_("without the approach filter"), noun=_("approach"),
        api_description="Approaches (any of them).", api_example="relational-therapy",
        text_priority=1, detected=_("Showing therapists who use %(label)s"),
    ),
    Facet(
        "insurance", "insurance", Kind.INSURANCE, Kind.INSURANCE,
        legend=_("Insurance"), page_position=3, group="practical",
        without=_("without the insurance filter"), noun=_("insurance"),
        api_description="Insurance plans (any of them).", api_example="aetna",
        document_field="insurance",
        text_priority=3, detected=_("Showing therapists who take %(label)s"),
    ),
    Facet(
        "languages", "languages", Kind.LANGUAGE, Kind.LANGUAGE,
        legend=_("Languages"), page_position=5, group="practical",
        without=_("without the language filter"), noun=_("language"),
        api_description="Languages, ISO 639-1 (any of them).", api_example="es",
        document_field="languages",
        text_priority=4, detected=_("Showing therapists who speak %(label)s"),
    ),
    Facet(
        "identities", "identities", Kind.IDENTITY, Kind.IDENTITY,
        legend=_("Therapist identity"), page_position=7, group="therapist",
        without=_("without the identity filter"), noun=_("identity"),
        api_description="Therapist identities (any of them).", api_example="transgender",
        document_field="identities",
    ),
    Facet(
        "communities", "communities", Kind.COMMUNITY, Kind.COMMUNITY,
        legend=_("Communities they serve"), page_position=8, group="therapist",
        without=_("without the community filter"), noun=_("community"),
        api_description="Communities served (any of them).", api_example="lgbtq-affirming",
        document_field="communities",
    ),
    Facet(
        "ages", "ages", Kind.AGE, Kind.AGE,
        legend=_("Ages they see"), page_position=2, group="fit",
        without=_("without the age filter"), noun=_("age group"),
        api_description="Age groups (any of them).", api_example="adults",
        document_field="ages",
    ),
    Facet(
        "formats", "formats", Kind.FORMAT, Kind.FORMAT,
        legend=_("Session formats"), page_position=4, group="practical",
        without=_("without the format filter"), noun=_("format"),
        api_description="Formats (any of them).", api_example="couples",
        document_field="formats",
        text_priority=2, detected=_("Showing therapists who offer %(label)s sessions"),
    ),
    Facet(
        "license_types", "license_types", Kind.LICENSE_TYPE, Kind.LICENSE_TYPE,
        legend=_("License type"), page_position=9, group="therapist",
        without=_("without the license filter"), noun=_("license type"),
        api_description="Licence types (any of them).", api_example="lmhc",
        text_priority=5, detected=_("Showing therapists with the license %(label)s"),
    ),
    Facet(
        "genders", "gender", "gender", None,
        legend=_("Therapist gender"), page_position=6, group="therapist",
        without=_("of any gender"), noun=_("gender"),
        api_description="Therapist gender (any of them).", api_example="woman",
        choices=(("woman", _("Woman")), ("man", _("Man")), ("nonbinary", _("Nonbinary"))),
    ),
)  # fmt: skip

FACET_BY_FIELD: dict[str, Facet] = {facet.field: facet for facet in FACETS}
FACET_FIELDS: tuple[str, ...] = tuple(facet.field for facet in FACETS)
# Query field -> taxonomy kind, for the facets whose options are taxonomy terms.
TERM_FIELDS: dict[str, str] = {facet.field: facet.kind for facet in FACETS if facet.kind}
# The facets whose names are read from the search box, in priority order.
TEXT_FACETS: tuple[Facet, ...] = tuple(
    sorted((f for f in FACETS if f.text_priority is not None), key=lambda f: f.text_priority or 0)
)
# Interchange document field -> taxonomy kind, for the fields that are lists of term slugs.
DOCUMENT_TERM_FIELDS: dict[str, str] = {
    facet.document_field: facet.kind for facet in FACETS if facet.document_field and facet.kind
}
GENDER = FACET_BY_FIELD["genders"]
GENDERS: tuple[str, ...] = tuple(value for value, _label in GENDER.choices)
