"""The order of results: fit to the query, then (near a ZIP code or city) distance in bands,
then completeness and freshness in broad bands, then a rotation that changes daily (`RANKING_RULE`, published on /how-we-rank/), and the top
page of it read from the database (`rank_and_page`).

`rotation_keys`, `composite_key`, `top_order` and `freshness` are public: matching
(`matching/scoring.py`) orders its own scores with the same daily rotation and freshness.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import numpy as np
from django.utils.translation import gettext_lazy as _

from .. import availability
from ..facets import TERM_FIELDS
from ..summaries import read_summaries
from .bitmaps import read_bits
from .distance import within_radius
from .filters import Circles, SegmentCandidates
from .query import RADII, Hit, SearchQuery
from .text import TermDictionary, TextScores

__all__ = [
    "FIT_WEIGHTS", "FRESH_DAYS", "NEAR_BANDS", "RANKING_RULE", "STALE_DAYS", "composite_key",
    "freshness", "near_bands", "quality_bands", "rank_and_page", "rotation_keys", "top_order",
]  # fmt: skip

# Fit weights: what a person asked for about their needs counts most.
FIT_WEIGHTS: dict[str, float] = {
    "issues": 3.0,
    "approaches": 2.0,
    "approach_statement": 1.0,  # extra when they wrote about a chosen approach
    "text": 3.0,  # the best text match; others scaled by their relevance
    "other": 1.0,
}
# Near a ZIP code or city, among equal fits: an office within 5 miles, then 10, 25, 50 and
# 100 (the distance menu's steps), then online only. Bands, not miles, so that near-equals
# still rotate daily and a block or two never decides who comes first.
NEAR_BANDS: tuple[int, ...] = RADII
# Freshness: confirmed within 30 days (when the reminder goes out) counts fully, fading to
# nothing at 45, when pages start saying "not confirmed recently": the one rule is in
# directory/availability.py.
FRESH_DAYS, STALE_DAYS = availability.REMIND_AFTER_DAYS, availability.STALE_AFTER_DAYS

RANKING_RULE = _(
    "Best match puts first the therapists who fit more of what you asked for (issues count most, "
    "then approaches, then other choices and your words). When you search near a ZIP code or "
    "city, among equal fits those who can see you in person nearby come first: an office within "
    "5 miles, then 10, 25, 50 and 100 miles, then those you would meet only online. Then "
    "profiles that are more complete and whose availability was confirmed more recently come "
    "first, in broad bands. "
    "Within a band the order rotates every day, so nobody holds the top spot forever. Nobody can "
    "pay for placement."
)


def rotation_keys(ids: np.ndarray, day: dt.date) -> np.ndarray:
    """A per-day pseudo-random order of profile ids (splitmix64): stable within a day."""
    seed = int.from_bytes(hashlib.sha256(day.isoformat().encode()).digest()[:8], "little")
    x = ids.astype(np.uint64) ^ np.uint64(seed)
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x


def freshness(confirmed: np.ndarray, today: dt.date) -> np.ndarray:
    """1.0 for availability confirmed within FRESH_DAYS, fading to 0.0 at STALE_DAYS (and
    for never confirmed); `confirmed` holds day ordinals, 0 for never. Search's quality
    bands and matching's score (`matching/scoring.py`) both read it."""
    age = today.toordinal() - confirmed.astype(np.int64)
    fresh = np.clip((STALE_DAYS - age) / (STALE_DAYS - FRESH_DAYS), 0.0, 1.0)
    fresh[confirmed == 0] = 0.0
    return fresh


def quality_bands(completeness: np.ndarray, confirmed: np.ndarray, today: dt.date) -> np.ndarray:
    """0..4: completeness and availability freshness in broad bands (near-equals rotate)."""
    score = 0.6 * completeness.astype(np.float64) + 0.4 * freshness(confirmed, today)
    return np.floor(np.clip(score, 0.0, 0.999) * 5).astype(np.int64)


def near_bands(
    p: SegmentCandidates, radius: float, circles: Circles | None = None
) -> np.ndarray | None:
    """0..len(NEAR_BANDS) per candidate: the first of NEAR_BANDS' distances that holds an
    office of an in-person match; online-only matches after every band. None when the
    search has no centre (no place, or a state): nobody is nearer then.

    Read from the circles of the bands smaller than the search's radius (each a latitude
    slice and a flat distance, `within_radius`, exact like the radius itself), not from
    each candidate's nearest office (`SegmentCandidates.distance`): that gathers, measures
    and groups every office of every in-person candidate, while a smaller circle touches
    only the points near the centre, once.
    """
    location = p.location
    if location is None or not location.has_point:
        return None
    near = np.full(len(p.positions), len(NEAR_BANDS), dtype=np.int64)
    if p.radius is None:  # no office of this segment within the radius: all online only
        return near
    assert location.lat is not None and location.lon is not None  # has_point
    smaller = [miles for miles in NEAR_BANDS if miles < radius]
    in_person = np.flatnonzero(p.in_person)
    if not smaller or not len(in_person):
        near[in_person] = 0
        return near
    # Per position, how many of the smaller circles hold one of its offices (they nest,
    # so an office in the 5-mile circle is in the 10-mile one too).
    inside = np.zeros(p.segment.size, dtype=np.int8)
    for miles in smaller:
        key = (id(p.segment), float(miles))
        circle = circles.get(key) if circles is not None else None
        if circle is None:
            circle = within_radius(p.segment, location.lat, location.lon, miles)
            if circles is not None:
                circles[key] = circle
        inside[circle] += 1  # once per position, however many of its offices
    near[in_person] = len(smaller) - inside[p.positions[in_person]]
    return near


def _fit_scores(
    p: SegmentCandidates, query: SearchQuery, text_scores: TextScores | None, top_text: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    fit = np.zeros(len(p.positions))
    matched: dict[str, np.ndarray] = {}
    for name, kind in TERM_FIELDS.items():
        weight = FIT_WEIGHTS.get(name, FIT_WEIGHTS["other"])
        for slug in getattr(query, name):
            row = p.segment.row(kind, slug)
            if row is None:
                continue
            has = read_bits(np.asarray(row), p.positions)
            matched[f"{name}:{slug}"] = has
            fit += weight * has
            if name == "approaches":
                wrote = p.segment.row("approach_statement", slug)
                if wrote is not None:
                    fit += FIT_WEIGHTS["approach_statement"] * read_bits(
                        np.asarray(wrote), p.positions
                    )
    if text_scores and top_text > 0:
        scores = text_scores[id(p.segment)].at(p.positions)
        # Quantised, so tiny relevance differences do not defeat the rotation.
        fit += np.round(FIT_WEIGHTS["text"] * scores / top_text, 1)
    return fit, matched


def composite_key(fields: list[tuple[np.ndarray, int]], rotation: np.ndarray) -> np.ndarray:
    """One uint64 per result: the sort fields (most significant first, each a
    non-negative integer in its bit width), then as many rotation bits as fit.
    Sorting it equals sorting by the fields, then by the rotation."""
    key = np.zeros(len(rotation), dtype=np.uint64)
    shift = 64
    for values, width in fields:
        shift -= width
        clipped = np.clip(np.asarray(values, dtype=np.int64), 0, 2**width - 1).astype(np.uint64)
        key |= clipped << np.uint64(shift)
    return key | (rotation >> np.uint64(64 - shift))


def top_order(key: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k smallest keys in order: a partition, then a small sort.
    Page 1 of 80,000 results sorts 20 keys, not 80,000."""
    if k >= len(key) // 4:
        return np.argsort(key, kind="stable")
    top = np.argpartition(key, k)[:k]
    return top[np.argsort(key[top], kind="stable")]


def _wrote_about(p: SegmentCandidates, approaches: Sequence[str]) -> np.ndarray:
    """1 where the profile wrote a statement for any of the selected approaches."""
    wrote = np.zeros(len(p.positions), dtype=np.int64)
    for slug in approaches:
        row = p.segment.row("approach_statement", slug)
        if row is not None:
            wrote |= read_bits(np.asarray(row), p.positions)
    return wrote


def rank_and_page(
    passes: list[SegmentCandidates],
    query: SearchQuery,
    text_scores: TextScores | None,
    today: dt.date,
    vocab: TermDictionary,
    circles: Circles | None = None,
) -> list[Hit]:
    """The page of hits of the query's sort; `circles` as in `run_segment` (near bands
    read and keep theirs there)."""
    # Text relevance is scaled by the best match among the results themselves.
    top_text = 0.0
    if text_scores:
        top_text = max(
            (float(text_scores[id(p.segment)].at(p.positions).max(initial=0.0)) for p in passes),
            default=0.0,
        )
    # One composite sort key per candidate, per segment (only the fields the
    # sort needs: an approach page over 400k candidates must not build the rest).
    parts: list[tuple[SegmentCandidates, dict[str, np.ndarray]]] = []
    keys = []
    for p in passes:
        if not len(p.positions):
            continue
        fit, matched = _fit_scores(p, query, text_scores, top_text)
        ids = p.segment.ids[p.positions]
        if query.sort == "statement":
            # Approach pages: therapists who wrote about this approach first,
            # then the daily rotation (the rule stated on the page).
            fields = [(1 - _wrote_about(p, query.approaches), 1)]
        elif query.sort == "nearest":
            # Online matches sort after in-person ones, by rotation, whatever
            # their far-away offices: distance only orders the in-person matches.
            miles = np.where(p.in_person, p.distance, np.inf)
            fields = [(np.where(np.isfinite(miles), np.round(miles * 1e6), 2**27 - 1), 27)]
        elif query.sort == "fee":
            fee = p.segment.fee_min[p.positions].astype(np.int64)
            fields = [(np.where(fee < 0, 2**14 - 1, fee), 14)]
        else:
            band = quality_bands(
                p.segment.completeness[p.positions], p.segment.confirmed[p.positions], today
            )
            fields = [(8191 - np.round(fit * 10).astype(np.int64), 13)]
            near = near_bands(p, float(query.radius), circles)
            if near is not None:
                fields.append((near, 3))
            fields.append((4 - band, 3))
        keys.append(composite_key(fields, rotation_keys(ids, today)))
        parts.append((p, matched))
    if not parts:
        return []
    key = keys[0] if len(keys) == 1 else np.concatenate(keys)
    start = (max(query.page, 1) - 1) * query.per_page
    order = top_order(key, start + query.per_page)
    chosen = order[start : start + query.per_page]
    if not len(chosen):
        return []
    offsets = np.cumsum([0, *[len(p.positions) for p, _ in parts]])
    # (segment pass, its matched columns, index within it) per chosen result
    picked = []
    for k in chosen:
        part_index = int(np.searchsorted(offsets, k, side="right") - 1)
        picked.append((*parts[part_index], int(k - offsets[part_index])))
    page_ids = [int(p.segment.ids[p.positions[local]]) for p, _, local in picked]
    profiles = read_summaries(page_ids)
    # Distances for the page only (one call per segment), unless ranking read them all.
    miles = np.full(len(picked), np.inf)
    for p, _matched in parts:
        mine = [i for i, pick in enumerate(picked) if pick[0] is p]
        if mine:
            at = np.array([picked[i][2] for i in mine])
            known = p.__dict__.get("distance")  # the cached property, when "nearest" read it
            miles[mine] = known[at] if known is not None else p.distance_of(at)
    hits = []
    for i, (pid, (p, matched_columns, local)) in enumerate(zip(page_ids, picked, strict=True)):
        profile = profiles.get(pid)
        if profile is None:  # unpublished since the index version was read
            continue
        hit_matched: dict[str, list[str]] = {}
        for column, has in matched_columns.items():
            if has[local]:
                name, slug = column.split(":", 1)
                hit_matched.setdefault(name, []).append(slug)
        distance = float(miles[i])
        hits.append(
            Hit(
                profile=profile,
                distance=None if np.isinf(distance) else distance,
                in_person=bool(p.in_person[local]),
                online=bool(p.online[local]),
                matched=hit_matched,
                matched_labels=[
                    vocab.label(TERM_FIELDS[name], slug)
                    for name in ("issues", "approaches")
                    for slug in hit_matched.get(name, [])
                ],
            )
        )
    return hits
