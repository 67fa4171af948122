"""A light read of the profiles that a page of results shows.

Why: model instances with prefetched relations cost ~5.5 ms for a page of 20
at 1M profiles (about 200 objects, and a queryset per relation per profile,
built by the prefetch machinery). A result card and an API result need a
dozen columns, the offices, whether any licence is verified and the terms:
one flat query into plain objects costs ~0.5-1 ms. Pages that show more of a
profile (the profile page, approach pages' statements) keep the model read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

from rapport.taxonomy.models import Term

from .models import (
    ApproachStatement,
    License,
    Office,
    PublicFacts,
    Status,
    TherapistProfile,
    cached_terms,
    terms_in_order,
)

# The public columns a result shows, in the order of ProfileSummary's fields.
COLUMNS = (
    "id", "slug", "source", "name", "credentials", "title", "statement", "fee_min", "fee_max",
    "sliding_scale", "free_consultation", "accepting_new_clients", "telehealth",
    "telehealth_states", "gender", "accepting_confirmed_at", "expected_wait_weeks",
    # The card's photo: on the profile row, so showing photos adds no query (test_photos.py).
    "photo_small", "photo_small_px", "photo_alt",
)  # fmt: skip


@dataclass
class OfficeSummary:
    city: str
    state: str
    lat: float | None
    lon: float | None


@dataclass
class LicenceSummary:
    state: str
    verified_at: dt.datetime | None


@dataclass
class ApproachSummary:
    name: str
    statement: str


@dataclass
class ProfileSummary(PublicFacts):
    pk: int
    slug: str
    source: str
    name: str
    credentials: str
    title: str
    statement: str
    fee_min: int | None
    fee_max: int | None
    sliding_scale: bool
    free_consultation: bool
    accepting_new_clients: bool
    telehealth: bool
    telehealth_states: list[str]
    gender: str
    accepting_confirmed_at: dt.date | None
    expected_wait_weeks: int | None
    photo_small: str = ""
    photo_small_px: int = 0
    photo_alt: str = ""
    offices: list[OfficeSummary] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    licence_verified: bool = False
    # Read with details=True (Find your match explains a match from them):
    licences: list[LicenceSummary] = field(default_factory=list)
    approaches: dict[str, ApproachSummary] = field(default_factory=dict)  # by approach slug

    def __post_init__(self) -> None:
        # SQLite gives booleans as 0/1 to plain SQL.
        self.sliding_scale = bool(self.sliding_scale)
        self.free_consultation = bool(self.free_consultation)
        self.accepting_new_clients = bool(self.accepting_new_clients)
        self.telehealth = bool(self.telehealth)
        if isinstance(self.telehealth_states, str):  # SQLite keeps JSON as text
            self.telehealth_states = json.loads(self.telehealth_states)
        if isinstance(self.accepting_confirmed_at, str):  # ...and dates as text
            self.accepting_confirmed_at = dt.date.fromisoformat(self.accepting_confirmed_at)

    @property
    def id(self) -> int:
        return self.pk

    def office_list(self) -> list[OfficeSummary]:  # type: ignore[override]
        return self.offices

    def term_list(self) -> list[Term]:
        return self.terms


# JSON aggregates per backend: a profile's offices and terms come back as one
# column each, so a page of results is one query (three round trips fewer to
# PostgreSQL: ~1.6 -> ~1.0 ms for twenty at a million profiles).
_JSON_LIST = {
    "sqlite": ("json_group_array", "json_array"),
    "postgresql": ("json_agg", "json_build_array"),
}


def read_summaries(
    profile_ids: Sequence[int], *, details: bool = False
) -> dict[int, ProfileSummary]:
    """Published profiles among `profile_ids`, by id, in one query (with `details`,
    their licences and approach statements too).

    Plain SQL through the ORM's connection: compiling ORM querysets cost more
    than running them (~1 ms of the ~1.5 ms at 1M profiles).
    """
    ids = [int(i) for i in profile_ids]
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    p, o, lic, a = (
        m._meta.db_table for m in (TherapistProfile, Office, License, ApproachStatement)
    )
    links = TherapistProfile.terms.through._meta.db_table
    aggregate, array = _JSON_LIST[connection.vendor]

    def rows_of(table: str, *columns: str) -> str:
        # The profile's rows of a related table as a JSON list of [position, id, *columns].
        values = ", ".join(f"{table}.{c}" for c in ("position", "id", *columns))
        return f"(SELECT {aggregate}({array}({values})) FROM {table} WHERE {table}.profile_id = {p}.id)"

    extras = [
        f"EXISTS (SELECT 1 FROM {lic} WHERE {lic}.profile_id = {p}.id"
        f" AND {lic}.verified_at IS NOT NULL)",
        rows_of(o, "city", "state", "lat", "lon"),
        f"(SELECT {aggregate}({links}.term_id) FROM {links}"
        f" WHERE {links}.therapistprofile_id = {p}.id)",
    ]
    if details:
        extras += [rows_of(lic, "state", "verified_at"), rows_of(a, "approach_id", "statement")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(f'{p}.{c}' for c in COLUMNS)}, {', '.join(extras)}"
            f" FROM {p} WHERE {p}.status = %s AND {p}.id IN ({marks})",
            [Status.PUBLISHED, *ids],
        )
        rows = cursor.fetchall()
    found: dict[int, ProfileSummary] = {}
    term_ids: dict[int, list[int]] = {}
    statements: list[tuple[ProfileSummary, int, str]] = []
    width = len(COLUMNS)
    for row in rows:
        summary = ProfileSummary(*row[:width], licence_verified=bool(row[width]))
        for city, state, lat, lon in _in_order(row[width + 1]):
            summary.offices.append(OfficeSummary(city, state, lat, lon))
        term_ids[summary.pk] = _json_list(row[width + 2])
        if details:
            for state, verified_at in _in_order(row[width + 3]):
                summary.licences.append(LicenceSummary(state, _aware(verified_at)))
            statements += [(summary, *rest) for rest in _in_order(row[width + 4])]
        found[summary.pk] = summary
    for profile_id, terms in terms_in_order(term_ids).items():
        found[profile_id].terms = terms
    if statements:
        terms_by_id = cached_terms()
        if any(approach_id not in terms_by_id for _, approach_id, _ in statements):
            terms_by_id = cached_terms(refresh=True)  # a term added since the cache was read
        for summary, approach_id, statement in statements:
            term = terms_by_id.get(approach_id)
            if term is not None:
                summary.approaches[term.slug] = ApproachSummary(term.name, statement)
    return found


def _json_list(value: str | list | None) -> list:
    """A JSON aggregate's value: text from SQLite, parsed by psycopg; NULL when none."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def _in_order(value: str | list | None) -> list[list]:
    """Related rows from `rows_of`, by position then id (positions may tie at their
    default 0), without those two: the aggregates are unordered (SQLite before 3.44
    cannot order inside one)."""
    return [row[2:] for row in sorted(_json_list(value), key=lambda row: row[:2])]


def _aware(value: str | None) -> dt.datetime | None:
    # SQLite keeps UTC without a zone; PostgreSQL's JSON carries the offset.
    # Django's own read makes both aware, and so does this.
    moment = parse_datetime(value) if value else None
    if moment is not None and settings.USE_TZ and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment
