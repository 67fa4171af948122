"""What a search asks and what it answers: `SearchQuery` in, `SearchResult` (with its `Hit`s,
`FacetOption`s and `Relaxation`s) out, and the fixed choices a query is made of."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from ..facets import FACETS
from ..summaries import ProfileSummary
from .places import Location

__all__ = [
    "BOOL_FILTERS", "DEFAULT_RADIUS", "FACET_KINDS", "FEW_RESULTS", "MAX_PAGE", "MODES",
    "PAGE_SORTS", "PER_PAGE", "RADII", "SORTS", "FacetOption", "Hit",
    "Relaxation", "SearchQuery", "SearchResult", "Spelling",
]  # fmt: skip

RADII = (5, 10, 25, 50, 100)
DEFAULT_RADIUS = 25
MODES = ("both", "in_person", "online")
SORTS = ("best", "nearest", "fee")
# Not offered on the search page: the order of approach pages ("statement" first).
PAGE_SORTS = (*SORTS, "statement")
PER_PAGE = 20
MAX_PAGE = 500
FEW_RESULTS = 5

# The facets (query field, URL parameter, index namespace...) are declared once, in
# `directory/facets.py`; search reads them from there.
BOOL_FILTERS = ("sliding_scale", "free_consultation", "verified")
# Query field -> index namespace, for every facet with counts (the table's order).
FACET_KINDS: tuple[tuple[str, str], ...] = tuple((f.field, f.namespace) for f in FACETS)


# --- The query --------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    # One tuple of slugs per facet of `directory/facets.py` (issues ... genders), named as
    # the table's `field`s: a test holds the two together.
    location: str = ""
    radius: int = DEFAULT_RADIUS
    mode: str = "both"
    issues: tuple[str, ...] = ()
    approaches: tuple[str, ...] = ()
    insurance: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    license_types: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    max_fee: int | None = None
    sliding_scale: bool = False
    free_consultation: bool = False
    verified: bool = False
    accepting: bool = True
    text: str = ""
    sort: str = "best"
    page: int = 1
    per_page: int = PER_PAGE

    def to_params(self) -> list[tuple[str, str]]:
        """URL parameters in one canonical order, defaults left out: one URL per search."""
        params: list[tuple[str, str]] = []
        if self.text:
            params.append(("q", self.text))
        if self.location:
            params.append(("location", self.location))
            if self.radius != DEFAULT_RADIUS:
                params.append(("radius", str(self.radius)))
        if self.mode != "both":
            params.append(("mode", self.mode))
        for facet in FACETS:
            params.extend((facet.param, value) for value in sorted(getattr(self, facet.field)))
        if self.max_fee is not None:
            params.append(("max_fee", str(self.max_fee)))
        for name in BOOL_FILTERS:
            if getattr(self, name):
                params.append((name, "1"))
        if not self.accepting:
            params.append(("accepting", "any"))
        if self.sort != "best":
            params.append(("sort", self.sort))
        if self.page != 1:
            params.append(("page", str(self.page)))
        return params

    def to_querystring(self) -> str:
        return urlencode(self.to_params())

    def without(self, name: str) -> SearchQuery:
        default = SearchQuery()
        return replace(self, **{name: getattr(default, name)}, page=1)


# --- Results ---------------------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Relaxation:
    label: str
    count: int
    query: SearchQuery


@dataclass
class Hit:
    # A light read of the profile (summaries.py): what result lists show.
    profile: ProfileSummary
    distance: float | None  # miles to the nearest qualifying office
    in_person: bool  # qualifies by an office within the radius (or in the state)
    online: bool  # qualifies by telehealth in the location's state
    matched: dict[str, list[str]]  # query field -> selected slugs this profile has

    # Labels of the matched issues and approaches, for "Matches your search: ...".
    matched_labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Spelling:
    """A correction of the search box's text: a word found nothing, one letter off a known word."""

    text: str  # the text with the correction: "anxiety"
    as_typed: str  # the text searched exactly as typed, the corrected words quoted: '"anxeity"'
    # The results are for `text` (each correction names a filter or a word the box ignores);
    # otherwise `text` is only suggested ("Did you mean ...?").
    searched: bool


@dataclass
class SearchResult:
    query: SearchQuery
    location: Location | None
    location_problem: str
    location_suggestions: tuple[Location, ...]
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetOption]]
    counts: dict[str, int]  # flag and mode counts on the current results
    relaxations: list[Relaxation] = field(default_factory=list)
    detected: dict[str, list[str]] = field(default_factory=dict)  # taxonomy words found in text
    text_rest: str = ""
    notes: list[str] = field(default_factory=list)
    spelling: Spelling | None = None

    @property
    def pages(self) -> int:
        return max((self.total + self.query.per_page - 1) // self.query.per_page, 1)
