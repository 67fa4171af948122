"""Input and output schemas of the API: they are also its OpenAPI document.

Every constraint a parameter has is declared here (enums, ranges, lengths), so
the published schema says exactly what the API accepts, and a client that
follows it never meets a 400 other than an unknown taxonomy slug or place.
Output fields are required unless a profile document may leave them out, so
a response that drifts from this file fails the schemathesis run.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, create_model
from typing_extensions import TypedDict

from rapport.directory.facets import FACETS, Facet
from rapport.directory.search import DEFAULT_RADIUS, MAX_PAGE, MODES, PER_PAGE, RADII, SORTS

MAX_PER_PAGE = 50
MAX_FEE = 10_000
# Long enough for any real query; a bound keeps pathological input cheap.
MAX_TEXT = 200
MAX_LOCATION = 100
MAX_SLUG = 80
MAX_VALUES = 50


def _one_of(allowed: tuple[Any, ...]):  # type: ignore[no-untyped-def]
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(map(str, allowed))}")
        return value

    return AfterValidator(check)


def _blank_is_none(value: Any) -> Any:
    # An HTML form leaves an untouched number box as "max_fee=": that means "any".
    return None if value == "" else value


Slug = Annotated[str, Field(max_length=MAX_SLUG)]


def _slugs(description: str, example: str) -> Any:
    return Field(
        default_factory=list,
        max_length=MAX_VALUES,
        description=f"{description} Slugs are listed by GET /api/v1/taxonomy.",
        examples=[[example]],
    )


class _PlaceParams(Schema):
    q: str = Field(
        "",
        max_length=MAX_TEXT,
        description="Free text: names, words, taxonomy terms.",
        examples=["anxiety", "couples therapy in spanish"],
    )
    location: str = Field(
        "",
        max_length=MAX_LOCATION,
        description="A ZIP code, 'City, ST', a city, or a state.",
        examples=["98402", "Tacoma, WA", "WA"],
    )
    radius: Annotated[int, _one_of(RADII)] = Field(
        DEFAULT_RADIUS,
        description="Miles around the location for in-person offices.",
        json_schema_extra={"enum": list(RADII)},
    )
    mode: Literal[MODES] = Field("both", description="In person, online, or both.")  # type: ignore[valid-type]


def _facet_param(facet: Facet) -> tuple[Any, Any]:
    """A facet's parameter: a repeated slug, from the facet table (`directory/facets.py`)."""
    if facet.kind is not None:
        return list[Slug], _slugs(facet.api_description, facet.api_example)
    choices = [value for value, _label in facet.choices]
    return list[Slug], Field(
        default_factory=list,
        max_length=len(choices),
        description=facet.api_description,
        json_schema_extra={"items": {"type": "string", "enum": choices}},
    )


# One parameter per facet of the table, in its order, after the place and before the rest.
_FacetParams = create_model(  # type: ignore[call-overload]
    "_FacetParams",
    __base__=_PlaceParams,
    **{facet.param: _facet_param(facet) for facet in FACETS},
)


class SearchParams(_FacetParams):  # type: ignore[misc, valid-type]
    """The search page's query, as query parameters; lists are repeated parameters."""

    max_fee: Annotated[int | None, BeforeValidator(_blank_is_none)] = Field(
        None, ge=0, le=MAX_FEE, description="Lowest fee at most this many dollars per session."
    )
    sliding_scale: bool = Field(False, description="Only therapists with a sliding scale.")
    free_consultation: bool = Field(False, description="Only therapists with a free consultation.")
    verified: bool = Field(False, description="Only therapists with a verified licence.")
    accepting: bool = Field(True, description="Only therapists accepting new clients.")
    sort: Literal[SORTS] = Field("best", description="Best match, nearest, or lowest fee.")  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE)


# --- Errors -----------------------------------------------------------------------


class Out(BaseModel):
    """Output: plain pydantic models over the dicts the views build. (ninja's
    Schema reads attributes through a getter per field: ~2.5 ms for a search
    response's 400 facet options at 1M profiles, for no benefit with dicts.)"""


class MovedOut(Out):
    """The body of a 308: where a renamed profile is now (the Location header says the same)."""

    slug: str = Field(description="The profile's current slug.")
    location: str = Field(description="The profile's current URL in this API.")


class ErrorOut(Out):
    error: str
    suggestions: list[str] | None = Field(
        None, description="Places the location could mean, when it was ambiguous."
    )
    detail: list[dict[str, Any]] | None = Field(
        None, description="Every invalid parameter, when there were several."
    )


# --- Search -------------------------------------------------------------------------


class LocationOut(Out):
    kind: Literal["zip", "city", "state"]
    label: str
    state: str
    lat: float | None
    lon: float | None


class FeesOut(Out):
    min: int | None
    max: int | None
    sliding_scale: bool
    free_consultation: bool


class AvailabilityOut(Out):
    """Availability by the site's one rule (directory/availability.py)."""

    state: Literal["accepting", "waitlist", "not_accepting"]
    expected_wait_weeks: int | None = Field(description="For a waitlist: about how many weeks.")
    confirmed_at: str | None = Field(description="ISO date the owner last confirmed it, or null.")
    not_confirmed_recently: bool = Field(
        description="Not confirmed within 45 days (or never): pages say so and it ranks lower."
    )
    in_accepting_filter: bool = Field(
        description="Found by accepting=true: accepting or waitlist, and not left unconfirmed "
        "for more than 90 days."
    )


class ResultOut(Out):
    id: str = Field(description="The profile's slug: GET /api/v1/therapists/{id}.")
    url: str = Field(description="Path of the profile page.")
    name: str
    credentials: str
    title: str
    location: str = Field(description="'City, ST' of the first office, or ''.")
    distance_miles: float | None
    in_person: bool = Field(description="Found by an office within the radius (or the state).")
    online: bool = Field(description="Found by telehealth in the location's state.")
    accepting_new_clients: bool
    availability: AvailabilityOut
    fees: FeesOut
    matched: dict[str, list[str]] = Field(description="Selected slugs this profile has, per field.")
    statement_excerpt: str
    license_verified: bool = Field(
        description="At least one license has a current check (the search's `verified` filter)."
    )


class FacetOptionOut(TypedDict):
    # A TypedDict, not a model: it documents search.FacetOption, which the search
    # view encodes as it is (~400 a response; see the view's docstring).
    value: str
    label: str
    count: int
    selected: bool


class RelaxationOut(Out):
    label: str
    count: int
    query: dict[str, bool | int | str | list[str]] = Field(
        description="Parameters of the relaxed search, for GET /api/v1/therapists."
    )


class SpellingOut(Out):
    text: str = Field(description="q with the correction, e.g. 'anxiety' for 'anxeity'.")
    as_typed: str = Field(
        description="q with the corrected words in double quotes: searches them as typed."
    )
    searched: bool = Field(
        description="True: the results are for `text` (the correction names a filter). "
        "False: `text` is only suggested; the results are for q."
    )


class SearchOut(Out):
    total: int
    page: int
    per_page: int
    pages: int
    location: LocationOut | None
    results: list[ResultOut]
    facets: dict[str, list[FacetOptionOut]] = Field(
        description="Per filter parameter, its options counted on the results without that filter."
    )
    counts: dict[str, int]
    detected: dict[str, list[str]] = Field(description="Taxonomy terms recognised in q.")
    spelling: SpellingOut | None = Field(
        description="When a word of q finds nothing and is one letter off a known word: "
        "the corrected q; otherwise null."
    )
    relaxations: list[RelaxationOut] = Field(
        description="With few results: nearby searches that find more."
    )


# --- Profile documents (docs/profile-format.md, without private fields) ------------
# Documents leave out every empty field, so nothing but the keys is required.


class ApproachOut(Out):
    slug: str
    statement: str | None = None


class LicenseOut(Out):
    type: str
    number: str | None = None
    state: str
    status: Literal["licensed", "associate", "student"] | None = None
    supervisor: str | None = None
    verified: bool = Field(
        False,
        description="Checked by staff (state board lookup, NPI record or document) and the "
        "check has not expired; false means self-reported.",
    )
    verified_month: str | None = Field(
        None, description="The month of the current check, YYYY-MM; null when not verified."
    )


class OfficeOut(Out):
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    lat: float | None = None
    lon: float | None = None


class DocumentFeesOut(Out):
    min: int | None = None
    max: int | None = None
    sliding_scale: bool | None = None
    free_consultation: bool | None = None


class ProfileOut(Out):
    id: str = Field(description="The profile's id within its source (interchange format).")
    slug: str = Field(description="The public handle used in URLs and by this API.")
    url: str
    source: str
    name: str
    credentials: str | None = None
    title: str | None = None
    pronouns: str | None = None
    gender: str | None = None
    identities: list[str] | None = None
    communities: list[str] | None = None
    statement: str | None = None
    approaches: list[ApproachOut] | None = None
    issues: list[str] | None = None
    ages: list[str] | None = None
    formats: list[str] | None = None
    languages: list[str] | None = None
    licenses: list[LicenseOut] | None = None
    npi: str | None = None
    offices: list[OfficeOut] | None = None
    in_person: bool | None = None
    telehealth: bool | None = None
    telehealth_states: list[str] | None = None
    insurance: list[str] | None = None
    fees: DocumentFeesOut | None = None
    accepting_new_clients: bool | None = None
    accepting_confirmed_at: str | None = None
    expected_wait_weeks: int | None = None
    availability: AvailabilityOut | None = None
    phone: str | None = None
    website: str | None = None


# --- Taxonomy -------------------------------------------------------------------------------


class TermOut(Out):
    slug: str
    name: str
    short_name: str
    group: str
    summary: str
