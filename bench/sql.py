"""The bare SQL: one hand-written statement that returns the same ids and counts as search().

What a careful developer would write without the columnar index: a bounding
box on office latitude/longitude plus the haversine distance in SQL, EXISTS
subqueries for the filters, one GROUP BY per facet (each facet ignoring its
own selection) over a materialised candidate set, all in one round trip.
Full-text uses the same FTS5 / tsvector table as the application.

It uses only the schema the migrations create (no bench-only indexes), so
it also shows what that schema costs a SQL-only search.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from django.db import connection

from rapport.directory import availability, fulltext
from rapport.directory import search as s
from rapport.directory.facets import TERM_FIELDS
from rapport.directory.models import ApproachStatement, License, Office, Status, TherapistProfile
from rapport.taxonomy import hierarchy
from rapport.taxonomy.models import Kind, Term

from .outcome import FACETS, GENDERS, Outcome, effective

P = TherapistProfile._meta.db_table
O = Office._meta.db_table  # noqa: E741
LINK = TherapistProfile.terms.through._meta.db_table
A = ApproachStatement._meta.db_table
L = License._meta.db_table
T = Term._meta.db_table
M2M_FIELDS = {name: kind for name, kind in TERM_FIELDS.items()
              if kind not in (Kind.APPROACH, Kind.LICENSE_TYPE)}  # fmt: skip
R = 3958.8  # rapport.core.geo.EARTH_RADIUS_MILES


class _Params:
    """Named placeholders, so a fragment can appear in several branches with one value each."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def __call__(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"

    def many(self, values: tuple | list) -> str:
        return ", ".join(self(v) for v in values)


def _accepting_cutoff() -> dt.date:
    return availability.today() - dt.timedelta(days=availability.EXPIRED_AFTER_DAYS)


def _tele_state(p: _Params, state: str) -> str:
    if connection.vendor == "sqlite":
        return f"EXISTS (SELECT 1 FROM json_each(pp.telehealth_states) WHERE value = {p(state)})"
    return f"pp.telehealth_states @> {p(json.dumps([state]))}::jsonb"


def _geo_sql(p: _Params, query: s.SearchQuery, location: s.Location | None) -> str:
    """(id, ip, ol): profiles reached in person (ip) or online (ol) from the location."""
    parts: list[str] = []
    published = "pp.status = " + p(Status.PUBLISHED)
    if query.mode in ("both", "in_person"):
        if location is None:
            parts.append(
                f"SELECT pp.id, 1 AS ip, 0 AS ol FROM {P} pp WHERE {published} AND pp.in_person"
            )
        elif location.has_point:
            lat, lon, radius = location.lat, location.lon, float(query.radius)
            dlat = radius / 69.0 + 0.01
            widest = math.cos(math.radians(min(89.0, abs(lat) + dlat)))
            dlon = radius / (69.0 * widest) + 0.01
            distance = (
                f"2 * {R} * asin(sqrt(power(sin((radians(o.lat) - radians({p(lat)})) / 2), 2)"
                f" + cos(radians({p(lat)})) * cos(radians(o.lat))"
                f" * power(sin(radians(o.lon - {p(lon)}) / 2), 2)))"
            )
            parts.append(
                f"SELECT o.profile_id AS id, 1 AS ip, 0 AS ol FROM {O} o JOIN {P} pp ON pp.id = o.profile_id"
                f" WHERE o.lat BETWEEN {p(lat - dlat)} AND {p(lat + dlat)}"
                f" AND o.lon BETWEEN {p(lon - dlon)} AND {p(lon + dlon)}"
                f" AND {published} AND pp.in_person AND {distance} <= {p(radius)}"
            )
        else:
            parts.append(
                f"SELECT pp.id, 1 AS ip, 0 AS ol FROM {P} pp WHERE {published} AND pp.in_person"
                f" AND EXISTS (SELECT 1 FROM {O} o WHERE o.profile_id = pp.id AND o.state = {p(location.state)})"
            )
    if query.mode in ("both", "online"):
        if location is None:
            parts.append(
                f"SELECT pp.id, 0 AS ip, 1 AS ol FROM {P} pp WHERE {published} AND pp.telehealth"
            )
        else:
            parts.append(
                f"SELECT pp.id, 0 AS ip, 1 AS ol FROM {P} pp WHERE {published} AND pp.telehealth"
                f" AND {_tele_state(p, location.state)}"
            )
    if not parts:
        return f"SELECT pp.id, 0 AS ip, 0 AS ol FROM {P} pp WHERE 1 = 0"
    return " UNION ALL ".join(parts)


def _text_filter(p: _Params, rest: str, column: str) -> str | None:
    words = fulltext.query_words(rest)
    if not words:
        return None
    table = fulltext.TABLE
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT rowid FROM {table} WHERE {table} MATCH {p(fulltext.fts5_query(words))})"
    with connection.cursor() as cursor:
        cursor.execute(*fulltext._tsquery_sql(words))
        tsquery = cursor.fetchone()[0]
    if not tsquery:
        return "1 = 0"
    return f"{column} IN (SELECT profile_id FROM {table} WHERE document @@ {p(tsquery)}::tsquery)"


def _widened(kind: str, slugs: list[str] | tuple[str, ...]) -> list[str]:
    """The slugs a filter on `slugs` accepts: each with its narrower terms (taxonomy.hierarchy)."""
    return sorted({n for slug in slugs for n in hierarchy.narrower(kind, slug)})


def _filters(p: _Params, q: s.SearchQuery) -> tuple[dict[str, str], dict[str, str]]:
    """(columns, clauses): EXISTS filters as columns of the candidate set over `g.id`,
    computed once per candidate; simple ones as clauses over the candidate row `c`."""
    columns: dict[str, str] = {}
    for name, kind in M2M_FIELDS.items():
        if getattr(q, name):
            columns[name] = (
                f"EXISTS (SELECT 1 FROM {LINK} l JOIN {T} t ON t.id = l.term_id"
                f" WHERE l.therapistprofile_id = g.id AND t.kind = {p(kind)}"
                f" AND t.slug IN ({p.many(_widened(kind, getattr(q, name)))}))"
            )
    if q.approaches:
        columns["approaches"] = (
            f"EXISTS (SELECT 1 FROM {A} a JOIN {T} t ON t.id = a.approach_id"
            f" WHERE a.profile_id = g.id AND t.slug IN ({p.many(q.approaches)}))"
        )
    if q.license_types:
        columns["license_types"] = (
            f"EXISTS (SELECT 1 FROM {L} li JOIN {T} t ON t.id = li.license_type_id"
            f" WHERE li.profile_id = g.id AND t.slug IN ({p.many(q.license_types)}))"
        )
    clauses: dict[str, str] = {name: f"c.f_{name}" for name in columns}
    if q.genders:
        clauses["genders"] = f"c.gender IN ({p.many(q.genders)})"
    for name in s.BOOL_FILTERS:
        if getattr(q, name):
            clauses[name] = f"c.v_{name}"
    if q.accepting:
        clauses["accepting"] = "c.v_accepting"
    if q.max_fee is not None:
        clauses["max_fee"] = f"(c.fee_min IS NOT NULL AND c.fee_min <= {p(q.max_fee)})"
    return columns, clauses


def build(query: s.SearchQuery) -> tuple[str, dict[str, object]]:
    eff, rest = effective(query)
    location = s.resolve_location(eff.location).location
    p = _Params()
    geo = _geo_sql(p, eff, location)
    # Text and EXISTS filters are columns of the materialised candidates:
    # evaluated once per candidate, not once per branch below.
    text_match = _text_filter(p, rest, "g.id") if rest else None
    columns, filters = _filters(p, eff)
    extra = "".join(f", ({sql}) AS f_{name}" for name, sql in columns.items())
    if text_match:
        extra += f", ({text_match}) AS v_text"
    cand = (
        f"SELECT g.id, g.ip, g.ol, pp.gender, pp.fee_min,"
        f" pp.sliding_scale AS v_sliding_scale, pp.free_consultation AS v_free_consultation,"
        # "Accepting": the flag, and not confirmed more than 90 days ago (availability.py).
        f" (pp.accepting_new_clients AND (pp.accepting_confirmed_at IS NULL"
        f" OR pp.accepting_confirmed_at >= {p(_accepting_cutoff())})) AS v_accepting,"
        f" EXISTS (SELECT 1 FROM {L} li WHERE li.profile_id = g.id AND li.verified_at IS NOT NULL)"
        f" AS v_verified{extra}"
        f" FROM (SELECT id, MAX(ip) AS ip, MAX(ol) AS ol FROM ({geo}) u GROUP BY id) g"
        f" JOIN {P} pp ON pp.id = g.id"
    )
    text = "c.v_text" if text_match else None
    # SQLite plans the materialised set without statistics and would scan every
    # link row of a kind, probing the candidates; CROSS JOIN makes it start from
    # the candidates (PostgreSQL estimates the set and needs no hint).
    join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"

    def where(leaving_out: str | None = None) -> str:
        clauses = [sql for name, sql in filters.items() if name != leaving_out]
        if text:
            clauses.append(text)  # text is never a facet: it narrows every count
        return " AND ".join(clauses) or "1 = 1"

    branches = [f"SELECT '#id' AS k, '' AS v, c.id AS n FROM c WHERE {where()}"]
    for name, kind in M2M_FIELDS.items():
        branches.append(
            f"SELECT '{name}', t.slug, COUNT(*) FROM c {join} {LINK} l ON l.therapistprofile_id = c.id"
            f" {join} {T} t ON t.id = l.term_id WHERE t.kind = {p(kind)} AND {where(name)}"
            f" GROUP BY t.slug"
        )
        # A broad term's count holds every profile listing it or a narrower one (the
        # index's rule, taxonomy.hierarchy); these rows come later and replace the plain ones.
        for (hkind, broad), counting in sorted(hierarchy.widened().items()):
            if hkind == kind:
                branches.append(
                    f"SELECT '{name}', {p(broad)}, COUNT(DISTINCT c.id) FROM c {join} {LINK} l"
                    f" ON l.therapistprofile_id = c.id {join} {T} t ON t.id = l.term_id"
                    f" WHERE t.kind = {p(kind)} AND t.slug IN ({p.many(sorted(counting))})"
                    f" AND {where(name)}"
                )
    branches.append(
        f"SELECT 'approaches', t.slug, COUNT(DISTINCT c.id) FROM c {join} {A} a ON a.profile_id = c.id"
        f" {join} {T} t ON t.id = a.approach_id WHERE {where('approaches')} GROUP BY t.slug"
    )
    branches.append(
        f"SELECT 'license_types', t.slug, COUNT(DISTINCT c.id) FROM c {join} {L} li"
        f" ON li.profile_id = c.id {join} {T} t ON t.id = li.license_type_id"
        f" WHERE {where('license_types')} GROUP BY t.slug"
    )
    branches.append(
        f"SELECT 'genders', c.gender, COUNT(*) FROM c WHERE c.gender IN ({p.many(GENDERS)})"
        f" AND {where('genders')} GROUP BY c.gender"
    )
    for name in (*s.BOOL_FILTERS, "accepting"):
        branches.append(f"SELECT '!{name}', '', COUNT(*) FROM c WHERE c.v_{name} AND {where(name)}")
    branches.append(f"SELECT '!in_person', '', COUNT(*) FROM c WHERE c.ip = 1 AND {where()}")
    branches.append(f"SELECT '!online', '', COUNT(*) FROM c WHERE c.ol = 1 AND {where()}")
    sql = f"WITH c AS MATERIALIZED ({cand}) " + " UNION ALL ".join(branches)
    return sql, p.values


def run(query: s.SearchQuery) -> Outcome:
    sql, params = build(query)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ids: list[int] = []
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    flags: dict[str, int] = {}
    for key, value, n in rows:
        if key == "#id":
            ids.append(int(n))
        elif key.startswith("!"):
            flags[key[1:]] = int(n)
        elif n:
            facets[key][value] = int(n)
    return Outcome(sorted(ids), facets, flags)
