"""The test oracle: the same search as `search.search`, written the slow, obvious way.

Plain ORM reads and Python loops over every published profile, independent of
the columnar index (`index.py`): no bitmaps, no segments, no latitude slices.
What it shares with the search package is only the published rules themselves:
place parsing (`resolve_location`), taxonomy words in the text box
(`TermDictionary.split_text`), the correction of a word that finds nothing
(`correct_text`, asked with the full-text engine's `word_matches`), the full-text
matcher (`fulltext.fulltext_search`), the distance formula (`geo.haversine_miles`) and the ranking ingredients
(`rotation_keys`, `quality_bands`, `FIT_WEIGHTS`, `NEAR_BANDS`). Completeness is computed
here from its definition, not read from the index.

Property tests require identical ids, order, totals and counts from both.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from rapport.core import geo
from rapport.directory import availability
from rapport.directory import search as s
from rapport.directory.facets import TERM_FIELDS
from rapport.directory.fulltext import query_words, word_matches
from rapport.directory.models import TherapistProfile
from rapport.directory.search import ranking
from rapport.directory.search import text as search_text
from rapport.taxonomy import hierarchy
from rapport.taxonomy.models import Kind

# The gender options search can filter on (profile-format.md: anything else is free text).
GENDERS = ("woman", "man", "nonbinary")
# Simple facets live in profile.terms; approaches and licence types have their own tables.
_M2M_FIELDS = {
    "issues": Kind.ISSUE,
    "insurance": Kind.INSURANCE,
    "languages": Kind.LANGUAGE,
    "identities": Kind.IDENTITY,
    "communities": Kind.COMMUNITY,
    "ages": Kind.AGE,
    "formats": Kind.FORMAT,
}


@dataclass
class Row:
    """What the oracle needs to know about one published profile."""

    id: int
    in_person: bool
    telehealth: bool
    telehealth_states: list[str]
    offices: list[tuple[float | None, float | None, str]]  # lat, lon, state
    values: dict[str, set[str]]  # query field -> slugs the profile has
    gender: str
    fee_min: int | None
    flags: dict[str, bool]
    wrote_about: set[str]  # approaches with a non-empty statement
    completeness: float
    confirmed: dt.date | None
    # Filled per query:
    in_person_match: bool = False
    online_match: bool = False
    anywhere_match: bool = False  # no place asked, "either" format: every profile
    distance: float = math.inf
    checks: dict[str, bool] = field(default_factory=dict)


def completeness_of(profile: TherapistProfile) -> float:
    """The share of the seven things a person deciding needs (the definition in index.py)."""
    statements = list(profile.approach_statements.all())
    issues = [t for t in profile.terms.all() if t.kind == Kind.ISSUE]
    offices = list(profile.offices.all())
    has = [
        len(profile.statement) >= 200,
        any(a.statement != "" for a in statements),
        len(issues) >= 3,
        profile.fee_min is not None or profile.sliding_scale,
        bool(list(profile.licenses.all())),
        any(o.lat is not None and o.lon is not None for o in offices) or profile.telehealth,
        profile.phone != "" or profile.website != "",
    ]
    return sum(has) / len(has)


def load_rows() -> list[Row]:
    profiles = TherapistProfile.objects.published().prefetch_related(
        "terms", "approach_statements__approach", "licenses__license_type", "offices"
    )
    rows = []
    # A narrower term counts toward its broader ones (taxonomy.hierarchy): a profile
    # listing panic attacks is found by, and counted for, "anxiety".
    broader: dict[tuple[str, str], set[str]] = {}
    for (kind, broad), slugs in hierarchy.widened().items():
        for slug in slugs:
            broader.setdefault((kind, slug), set()).add(broad)
    for p in profiles:
        terms = list(p.terms.all())
        values = {
            name: {t.slug for t in terms if t.kind == kind}
            | {b for t in terms if t.kind == kind for b in broader.get((kind, t.slug), ())}
            for name, kind in _M2M_FIELDS.items()
        }
        values["approaches"] = {a.approach.slug for a in p.approach_statements.all()}
        values["license_types"] = {lic.license_type.slug for lic in p.licenses.all()}
        rows.append(
            Row(
                id=p.pk,
                in_person=p.in_person,
                telehealth=p.telehealth,
                telehealth_states=list(p.telehealth_states or []),
                offices=[(o.lat, o.lon, o.state) for o in p.offices.all()],
                values=values,
                gender=p.gender,
                fee_min=p.fee_min,
                flags={
                    "accepting": p.accepting_new_clients,
                    "sliding_scale": p.sliding_scale,
                    "free_consultation": p.free_consultation,
                    "verified": any(lic.verified_at is not None for lic in p.licenses.all()),
                },
                wrote_about={a.approach.slug for a in p.approach_statements.all() if a.statement},
                completeness=completeness_of(p),
                confirmed=p.accepting_confirmed_at,
            )
        )
    return rows


def oracle_search(
    query: s.SearchQuery, today: dt.date
) -> tuple[list[int], int, dict[str, dict[str, int]], dict[str, int]]:
    """(ids of the requested page in order, total, facet counts, flag counts).

    Facet counts hold only options with a non-zero count: search shows no others.
    """
    location = s.resolve_location(query.location).location

    # Taxonomy words in the text box are selections; the rest is full text.
    selected = {name: tuple(getattr(query, name)) for name in TERM_FIELDS}
    text_scores: dict[int, float] | None = None
    if query.text.strip():
        dictionary = s.TermDictionary.load()
        found, rest = dictionary.split_text(query.text)
        if rest:
            found, rest = corrected(query.text, found, rest, dictionary)
        for name, slugs in found.items():
            selected[name] = tuple(dict.fromkeys([*selected[name], *slugs]))
        if rest:
            from rapport.directory.fulltext import fulltext_search

            text_scores = dict(fulltext_search(rest))

    want_in_person = query.mode in ("both", "in_person")
    want_online = query.mode in ("both", "online")
    rows = load_rows()
    for row in rows:
        # "Accepting" means confirmed within the last 90 days too (directory/availability.py).
        # Never confirmed: no clock started, still in.
        row.flags["accepting"] = row.flags["accepting"] and (
            row.confirmed is None or (today - row.confirmed).days <= availability.EXPIRED_AFTER_DAYS
        )
    for row in rows:
        # Where: in person and/or online.
        if location is None:
            row.in_person_match = want_in_person and row.in_person
            row.online_match = want_online and row.telehealth
            row.anywhere_match = query.mode == "both"
        else:
            if want_in_person and row.in_person:
                if location.has_point:
                    distances = [
                        geo.haversine_miles(location.lat, location.lon, lat, lon)
                        for lat, lon, _state in row.offices
                        if lat is not None and lon is not None
                    ]
                    inside = [d for d in distances if d <= query.radius]
                    row.in_person_match = bool(inside)
                    if inside:
                        row.distance = min(inside)
                else:
                    row.in_person_match = any(st == location.state for *_p, st in row.offices)
            row.online_match = (
                want_online and row.telehealth and location.state in row.telehealth_states
            )
        # Filters: OR within a facet, AND across.
        checks: dict[str, bool] = {}
        for name, slugs in selected.items():
            if slugs:
                checks[name] = bool(row.values[name] & set(slugs))
        if query.genders:
            checks["genders"] = row.gender in query.genders
        for name in s.BOOL_FILTERS:
            if getattr(query, name):
                checks[name] = row.flags[name]
        if query.accepting:
            checks["accepting"] = row.flags["accepting"]
        if query.max_fee is not None:
            checks["max_fee"] = row.fee_min is not None and row.fee_min <= query.max_fee
        if text_scores is not None:
            checks["text"] = row.id in text_scores
        row.checks = checks

    def passes(row: Row, ignoring: str | None = None) -> bool:
        if not (row.in_person_match or row.online_match or row.anywhere_match):
            return False
        return all(ok for name, ok in row.checks.items() if name != ignoring)

    results = [row for row in rows if passes(row)]

    # Facet counts: every filter but the facet's own.
    facets: dict[str, dict[str, int]] = {}
    for name in (*TERM_FIELDS, "genders"):
        counts: dict[str, int] = {}
        for row in rows:
            if not passes(row, ignoring=name):
                continue
            have = {row.gender} & set(GENDERS) if name == "genders" else row.values[name]
            for slug in have:
                counts[slug] = counts.get(slug, 0) + 1
        facets[name] = counts
    flag_counts = {
        name: sum(1 for row in rows if passes(row, ignoring=name) and row.flags[name])
        for name in (*s.BOOL_FILTERS, "accepting")
    }
    flag_counts["in_person"] = sum(1 for row in results if row.in_person_match)
    flag_counts["online"] = sum(1 for row in results if row.online_match)

    # Ranking, by the published rule.
    keyed = []
    # "The best text match" is the best among the results: text scores are scaled by it.
    top_text = (
        max((text_scores.get(row.id, 0.0) for row in results), default=0.0) if text_scores else 0.0
    )
    for row in results:
        fit = 0.0
        for name, slugs in selected.items():
            weight = s.FIT_WEIGHTS.get(name, s.FIT_WEIGHTS["other"])
            for slug in slugs:
                if slug in row.values[name]:
                    fit += weight
                    if name == "approaches" and slug in row.wrote_about:
                        fit += s.FIT_WEIGHTS["approach_statement"]
        if text_scores and top_text > 0:
            fit += float(
                np.round(s.FIT_WEIGHTS["text"] * text_scores.get(row.id, 0.0) / top_text, 1)
            )
        band = int(
            ranking.quality_bands(
                np.array([row.completeness]),
                np.array([row.confirmed.toordinal() if row.confirmed else 0]),
                today,
            )[0]
        )
        rotation = int(s.rotation_keys(np.array([row.id]), today)[0])
        if query.sort == "statement":
            # Approach pages: those who wrote about a chosen approach first.
            wrote = bool(row.wrote_about & set(selected["approaches"]))
            key: tuple = (not wrote, rotation)
        elif query.sort == "nearest":
            # Distances count to the micro-mile (offices closer than that are a tie, which
            # the rotation orders), as the rule is published; float noise below is no order.
            miles = round(row.distance * 1e6) if math.isfinite(row.distance) else math.inf
            key = (miles, rotation)
        elif query.sort == "fee":
            key = (math.inf if row.fee_min is None else row.fee_min, rotation)
        else:
            key = (-fit, near_band(row, location), -band, rotation)
        keyed.append((key, row.id))
    keyed.sort()
    start = (max(query.page, 1) - 1) * query.per_page
    page = [pid for _key, pid in keyed[start : start + query.per_page]]
    return page, len(results), facets, flag_counts


def corrected(
    text: str, found: dict[str, list[str]], rest: str, dictionary: s.TermDictionary
) -> tuple[dict[str, list[str]], str]:
    """The text's taxonomy words and free words as searched: a correction's when every
    word that finds nothing has one and each becomes a filter or a word the box ignores."""

    def finds_nothing(word: str, last: bool) -> bool:
        matches = word_matches(word, last=last)
        return matches is not None and len(matches[0]) == 0

    correction = search_text.correct_text(
        text, rest, finds_nothing, lambda: search_text.SpellingVocabulary.load(dictionary)
    )
    if correction is None or not correction.complete:
        return found, rest
    fixed_found, fixed_rest = dictionary.split_text(correction.text)
    if any(fix in query_words(fixed_rest) for _typed, fix in correction.fixed):
        return found, rest
    return fixed_found, fixed_rest


def near_band(row: Row, location: s.Location | None) -> int:
    """Near a ZIP code or city: 0 for an office within the first of NEAR_BANDS' miles, 1
    within the next..., and one more than the last for those met only online."""
    if location is None or not location.has_point:
        return 0  # no centre: nobody is nearer
    if row.in_person_match:
        for band, miles in enumerate(ranking.NEAR_BANDS):
            if row.distance <= miles:
                return band
    return len(ranking.NEAR_BANDS)


def oracle_term_counts(kind: str) -> dict[str, int]:
    """Published profiles per term of a kind (what approach and issue pages count)."""
    name = next(n for n, k in TERM_FIELDS.items() if k == kind)
    counts: dict[str, int] = {}
    for row in load_rows():
        for slug in row.values[name]:
            counts[slug] = counts.get(slug, 0) + 1
    return counts


def search_view(
    result: s.SearchResult,
) -> tuple[list[int], int, dict[str, dict[str, int]], dict[str, int]]:
    """The same four things from a real search result, to compare with the oracle."""
    facets = {
        name: {o.value: o.count for o in options if o.count}
        for name, options in result.facets.items()
    }
    for name in (*TERM_FIELDS, "genders"):
        facets.setdefault(name, {})
    counts = {
        name: result.counts.get(name, 0)
        for name in (*s.BOOL_FILTERS, "accepting", "in_person", "online")
    }
    return [hit.profile.pk for hit in result.hits], result.total, facets, counts
