"""The search itself: one pass of place, filters and facet counts per index segment
(`run_segment`), then ranking, the page, facets and relaxations (`search`); and the partial
runs other callers need (`count`, `candidates`, `filter_and_count`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np
from django.utils import timezone

from .. import index as ix
from ..fulltext import query_words
from .bitmaps import read_bits
from .counts import facet_tally, merge_facets
from .filters import Circles, SegmentCandidates, count_results, select
from .places import Location, LocationResult, resolve_location
from .query import FACET_KINDS, FEW_RESULTS, SearchQuery, SearchResult, Spelling
from .ranking import rank_and_page
from .relax import relaxations
from .text import (
    TermDictionary,
    TextScores,
    correct_text,
    finds_nothing,
    match_text,
    spelling_vocabulary,
    term_dictionary,
)

__all__ = ["candidates", "count", "filter_and_count", "run_segment", "search"]


def search(
    query: SearchQuery,
    *,
    place: LocationResult | None = None,
    state: ix.IndexState | None = None,
    today: dt.date | None = None,
    with_facets: bool = True,
    with_relaxations: bool = True,
) -> SearchResult:
    """The results of a query: its page of hits, facet counts, and relaxations when few.

    `place` is `resolve_location(query.location)` when the caller has already read it
    (a page that checks the place first passes it on, so the text is parsed once per
    request); it is read here when None.
    """
    state = state or ix.get_index()
    today = today or timezone.localdate()
    vocab = term_dictionary(state)
    notes: list[str] = []

    resolved = place if place is not None else resolve_location(query.location)
    location = resolved.location
    effective, detected, text_rest, text_scores, spelling = _searched_text(query, vocab, state)
    circles: Circles = {}
    passes = [
        run_segment(segment, dead, effective, location, text_scores, with_facets, circles, today)
        for segment, dead in state.segments
    ]
    total = sum(len(p.positions) for p in passes)

    hits = rank_and_page(passes, effective, text_scores, today, vocab, circles)
    facets, counts = merge_facets(passes, effective, vocab) if with_facets else ({}, {})
    result = SearchResult(
        query=query,
        location=location,
        location_problem=resolved.problem,
        location_suggestions=resolved.suggestions,
        total=total,
        hits=hits,
        facets=facets,
        counts=counts,
        detected=detected,
        text_rest=text_rest,
        notes=notes,
        spelling=spelling,
    )
    if with_relaxations and total < FEW_RESULTS:
        # Taxonomy words found in the text are facets now; the links keep them as such.
        relaxable = replace(effective, text=text_rest)
        result.relaxations = relaxations(
            relaxable, location, state, text_scores, total, circles, passes, on=today
        )
    return result


def _location(query: SearchQuery, place: LocationResult | None) -> Location | None:
    return (place if place is not None else resolve_location(query.location)).location


def _read_text(
    query: SearchQuery, vocab: TermDictionary
) -> tuple[SearchQuery, dict[str, list[str]], str]:
    """The query as it is searched: taxonomy words of its text added to its facets; with
    the words found and the rest of the text (what full text searches for)."""
    detected: dict[str, list[str]] = {}
    text_rest = ""
    if query.text.strip():
        detected, text_rest = vocab.split_text(query.text)
    effective = query
    for name, slugs in detected.items():
        merged: Any = tuple(dict.fromkeys([*getattr(effective, name), *slugs]))
        effective = replace(effective, **{name: merged})
    return effective, detected, text_rest


def _searched_text(
    query: SearchQuery, vocab: TermDictionary, state: ix.IndexState
) -> tuple[SearchQuery, dict[str, list[str]], str, TextScores | None, Spelling | None]:
    """`_read_text`, its full-text matches, and a correction when a word finds nothing.

    The corrected text is searched instead when every word that found nothing has a
    correction and each correction names a filter or is a word the box ignores
    ("anxeity" -> the issue filter Anxiety); otherwise it is only suggested.
    """
    effective, detected, text_rest = _read_text(query, vocab)
    text_scores = match_text(text_rest, state) if text_rest else None
    if not text_rest:
        return effective, detected, text_rest, text_scores, None
    correction = correct_text(
        query.text,
        text_rest,
        lambda word, last: finds_nothing(word, last, state),
        lambda: spelling_vocabulary(state),
    )
    if correction is None:
        return effective, detected, text_rest, text_scores, None
    fixed = _read_text(replace(query, text=correction.text), vocab)
    still_free = set(query_words(fixed[2]))
    searched = correction.complete and not any(fix in still_free for _w, fix in correction.fixed)
    spelling = Spelling(correction.text, correction.as_typed, searched)
    if searched:
        effective, detected, text_rest = fixed
        text_scores = match_text(text_rest, state) if text_rest else None
    return effective, detected, text_rest, text_scores, spelling


def run_segment(
    segment: ix.Segment,
    dead: np.ndarray | None,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    with_facets: bool,
    circles: Circles | None = None,
    on: dt.date | None = None,
) -> SegmentCandidates:
    """One segment's candidates for a query, with its facet counts when asked; `on` is the
    day the "accepting" filter is read for (availability.py; today when None)."""
    n = segment.size
    if n == 0:
        empty = np.empty(0, dtype=np.int64)
        return SegmentCandidates(segment, empty, np.empty(0, bool), np.empty(0, bool), {})
    selection = select(segment, dead, query, location, text_scores, circles, on)
    band, final = selection.band, selection.final
    in_person_bits, online_bits = selection.in_person_bits, selection.online_bits

    facet_counts: dict[str, dict[str, int]] = {}
    without_counts: dict[str, int] | None = None
    if with_facets:
        tally = facet_tally(segment, dead, query, location, text_scores, selection, on)
        without_counts = dict(tally.without)  # a kept tally is shared: copies only
        for name, kind in FACET_KINDS:
            keys, rows = segment.namespace(kind)
            counts = tally.own[name] if name in tally.own else tally.shared[rows]
            facet_counts[name] = dict(zip(keys, counts.tolist(), strict=True))
        flags = dict(tally.flags)
        flags["in_person"] = ix.popcount(band.take(in_person_bits) & final) if band.size else 0
        flags["online"] = ix.popcount(band.take(online_bits) & final) if band.size else 0
        facet_counts["flags"] = flags

    positions = band.positions_of(final)
    positions = positions[positions < n]
    in_person = read_bits(in_person_bits, positions)
    online = read_bits(online_bits, positions)
    radius = float(query.radius) if selection.radius_hit else None
    return SegmentCandidates(
        segment, positions, in_person, online, facet_counts, location, radius, without_counts
    )


def count(
    query: SearchQuery,
    *,
    place: LocationResult | None = None,
    state: ix.IndexState | None = None,
    today: dt.date | None = None,
) -> int:
    """How many profiles a query finds (no ranking, no facets): for relaxations and page counts."""
    state = state or ix.get_index()
    location = _location(query, place)
    text_scores = None
    if query.text.strip():
        query, _detected, _rest, text_scores, _spelling = _searched_text(
            query, term_dictionary(state), state
        )
    return count_results(state, query, location, text_scores, None, today)


def candidates(
    query: SearchQuery,
    *,
    place: LocationResult | None = None,
    state: ix.IndexState | None = None,
    today: dt.date | None = None,
) -> tuple[Location | None, list[SegmentCandidates]]:
    """Every profile the query's place and filters admit, per segment, unranked.

    For matching (`matching/scoring.py`), which adds constraints of its own and
    ranks by its own score over the same columns. The query's text is not read.
    `place` as in `search`.
    """
    state = state or ix.get_index()
    location = _location(query, place)
    passes = [
        run_segment(segment, dead, query, location, None, False, None, today)
        for segment, dead in state.segments
    ]
    return location, passes


def filter_and_count(
    query: SearchQuery, *, place: LocationResult | None = None, state: ix.IndexState | None = None
) -> list[SegmentCandidates]:
    """What `search` does in memory before ranking: the place, the text, every segment's
    filters and facet counts, and the counts merged and labelled; returns the candidates.

    For the benchmarks' "core" layer (`bench/outcome.py`), which times this part of a
    search alone, and for reading every result of a query (not only a page).
    """
    state = state or ix.get_index()
    vocab = term_dictionary(state)
    location = _location(query, place)
    effective, _detected, _rest, text_scores, _spelling = _searched_text(query, vocab, state)
    passes = [
        run_segment(segment, dead, effective, location, text_scores, True, {})
        for segment, dead in state.segments
    ]
    merge_facets(passes, effective, vocab)
    return passes
