"""Facet counts: every option of every facet counted on the same candidates (each facet
ignoring its own selection: OR within a facet, AND across facets), the part that does not
depend on the centre kept per segment, and the counts merged into labelled `FacetOption`s."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from .. import availability
from .. import index as ix
from ..facets import FACET_BY_FIELD, FACET_FIELDS, Facet
from .bitmaps import row_of, value_runs
from .filters import Filtered, SegmentCandidates, Selection, filtered
from .places import Location
from .query import BOOL_FILTERS, FACET_KINDS, FacetOption, SearchQuery
from .text import TermDictionary, TextHits, TextScores

__all__ = ["FACET_CACHE_ENTRIES", "facet_tally", "merge_facets", "term_counts"]


# --- Facet counts ------------------------------------------------------------------
#
# Counting every facet option is most of a search's work where the candidates
# are many: in the default "in person or online" mode a place's candidates
# include every therapist offering online sessions in its state (~100k in
# California at a million profiles), and counting ~370 bitmap rows over their
# words costs ~2.5 ms. That part does not depend on where in the state the
# search is centred, so its counts are kept per segment, keyed by the state,
# the format, the filters and the text, and only the in-person candidates who do not
# also qualify online (a few hundred near most centres) are counted per
# search. Counts of disjoint candidate sets add up, so the sum is exactly
# what one pass over the union would count (tests compare both).


@dataclass
class _Tally:
    """Facet counts over one set of candidates, as numbers (labels come at merge)."""

    shared: np.ndarray  # int64 per counted row: against the results (facets without a selection)
    own: dict[str, np.ndarray]  # per facet with a selection: its rows against its leave-one-out set
    flags: dict[str, int]  # per boolean filter and "accepting": results with it set
    without: dict[str, int]  # per active filter: results there would be without it

    def __add__(self, other: _Tally) -> _Tally:
        return _Tally(
            self.shared + other.shared,
            {name: counts + other.own[name] for name, counts in self.own.items()},
            {name: count + other.flags[name] for name, count in self.flags.items()},
            {name: count + other.without[name] for name, count in self.without.items()},
        )


# Tallies kept per segment (0 turns the cache off; the benchmarks measure both).
FACET_CACHE_ENTRIES = settings.RAPPORT_FACET_CACHE_ENTRIES
_tally_lock = threading.Lock()


def facet_tally(
    segment: ix.Segment,
    dead: np.ndarray | None,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    selection: Selection,
    on: dt.date | None = None,
) -> _Tally:
    """The facet counts of a pass: the part that does not depend on the centre
    kept per segment, the rest counted now."""
    on = on or availability.today()
    if location is not None and location.has_point:
        if query.mode == "in_person":
            return _tally(segment, selection)
        # Online candidates depend only on the state; the in-person ones on the centre.
        shared_bits = selection.online_bits
        place: tuple = ("online", location.state)
    else:
        # A state or the whole country: nothing depends on a centre.
        shared_bits = None
        place = (query.mode, location.state if location is not None else "")
    text_hits = text_scores[id(segment)] if text_scores is not None else None

    def count_shared() -> _Tally:
        if shared_bits is None:
            return _tally(segment, selection)
        base = shared_bits & ~dead if dead is not None else shared_bits
        return _tally(segment, filtered(segment, base, query, text_scores, on))

    # The text is part of the key (and its kept matches must be the very ones), so a
    # text search and the same search without text never replace each other's counts.
    # The day too: the "accepting" filter and count depend on it (availability.py).
    key = (place, _filter_key(query), query.text.strip().casefold(), on.toordinal())
    tally = _cached_tally(segment, key, dead, text_hits, count_shared)
    if shared_bits is not None:
        # In-person candidates who do not also qualify online.
        local = selection.in_person_bits & ~shared_bits
        if dead is not None:
            local &= ~dead
        if local.any():
            tally = tally + _tally(segment, filtered(segment, local, query, text_scores, on))
    return tally


def _filter_key(query: SearchQuery) -> tuple:
    """Everything about a query that decides its filters (not the place, sort or page)."""
    return (
        *(getattr(query, name) for name in FACET_FIELDS),
        *(getattr(query, name) for name in BOOL_FILTERS),
        query.accepting,
        query.max_fee,
    )


def _cached_tally(
    segment: ix.Segment,
    key: tuple,
    dead: np.ndarray | None,
    text_hits: TextHits | None,
    compute: Callable[[], _Tally],
) -> _Tally:
    # The entry knows the dead bitmap and text matches it was counted with: a new
    # index version (edits supersede snapshot profiles) or other text misses.
    # Weakly, so a kept count never keeps an old bitmap or a word's matches alive.
    cache = segment.tally_cache
    if FACET_CACHE_ENTRIES > 0:
        with _tally_lock:
            entry = cache.get(key)
            if entry is not None and _is(entry[0], dead) and _is(entry[1], text_hits):
                cache.move_to_end(key)
                return entry[2]
    tally = compute()
    if FACET_CACHE_ENTRIES > 0:
        with _tally_lock:
            cache[key] = (_weak(dead), _weak(text_hits), tally)
            cache.move_to_end(key)
            while len(cache) > FACET_CACHE_ENTRIES:
                cache.popitem(last=False)
    return tally


def _weak(value: object | None) -> weakref.ref | None:
    return None if value is None else weakref.ref(value)


def _is(ref: weakref.ref | None, value: object | None) -> bool:
    """Whether a weak reference (or None) points at this very object (or None).
    A reference whose object has died points at nothing, not at None."""
    if ref is None or value is None:
        return ref is None and value is None
    return ref() is value


def _tally(segment: ix.Segment, selection: Filtered) -> _Tally:
    """Every facet option counted against a selection's results, each facet with a
    selection of its own against its leave-one-out set (OR within a facet)."""
    band, base, filters, final = selection.band, selection.base, selection.filters, selection.final
    names = list(filters)
    masks = [filters[name] for name in names]
    shared = np.zeros(segment.counted_rows, dtype=np.int64)
    own: dict[str, np.ndarray] = {}
    if not band.size:
        for name, kind in FACET_KINDS:
            if name in filters:
                rows = segment.namespace(kind)[1]
                own[name] = np.zeros(len(rows), dtype=np.int64)
        flags = dict.fromkeys((*BOOL_FILTERS, "accepting"), 0)
        return _Tally(shared, own, flags, dict.fromkeys(names, 0))
    # Leave-one-out products: all filters but the i-th, in O(k).
    prefix = [base]
    for mask in masks:
        prefix.append(prefix[-1] & mask)
    suffix = [np.full(band.size, np.uint64(0xFFFFFFFFFFFFFFFF), dtype=np.uint64)]
    for mask in reversed(masks):
        suffix.append(suffix[-1] & mask)
    suffix.reverse()
    without = {name: prefix[i] & suffix[i + 1] for i, name in enumerate(names)}
    # The rows of every facet against the result set, one block pass per run of
    # consecutive rows; a facet with a selection of its own is counted against
    # its leave-one-out set instead (not twice).
    for first, end in _row_runs(
        segment, [kind for name, kind in FACET_KINDS if name not in without]
    ):
        shared[first:end] = band.count(segment.bits, np.arange(first, end), final)
    for name, kind in FACET_KINDS:
        if name in without:
            rows = segment.namespace(kind)[1]
            own[name] = band.count(segment.bits, rows, without[name])
    flags = {
        name: ix.popcount(band.take(row_of(segment, "flag", name)) & without.get(name, final))
        for name in BOOL_FILTERS
    }
    flags["accepting"] = ix.popcount(selection.accepting & without.get("accepting", final))
    return _Tally(shared, own, flags, {name: ix.popcount(m) for name, m in without.items()})


def _row_runs(segment: ix.Segment, kinds: Sequence[str]) -> list[tuple[int, int]]:
    """The bitmap rows of these namespaces as runs of consecutive rows, (first,
    end) pairs: a run is read as a slice of the bitmaps, not copied. Kept per
    segment (a few sets of facets recur)."""
    key = ("row_runs", tuple(kinds))
    found = segment.derived.get(key)
    if found is None:
        parts = [segment.namespace(kind)[1] for kind in kinds]
        rows = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.intp)
        firsts, ends = value_runs(rows, gap=1)
        found = segment.derived[key] = [(int(a), int(b)) for a, b in zip(firsts, ends, strict=True)]
    return found


def merge_facets(
    passes: list[SegmentCandidates], query: SearchQuery, vocab: TermDictionary
) -> tuple[dict[str, list[FacetOption]], dict[str, int]]:
    tallies = [p.facet_counts for p in passes if p.facet_counts]
    if len(tallies) == 1:
        merged = dict(tallies[0])  # the usual single snapshot: its counts are read, not changed
    else:
        merged = {}
        for facet_counts in tallies:
            for name, counts in facet_counts.items():
                into = merged.setdefault(name, {})
                for key, count in counts.items():
                    into[key] = into.get(key, 0) + count
    counts = dict(merged.pop("flags", {}))
    facets: dict[str, list[FacetOption]] = {}
    for name, options in merged.items():
        facet = FACET_BY_FIELD[name]
        labels = vocab.labels_by_kind.get(facet.kind, {}) if facet.kind else _choice_labels(facet)
        selected = getattr(query, name)
        items = [
            FacetOption(slug, labels.get(slug, slug), count, slug in selected)
            for slug, count in options.items()
            if count or slug in selected
        ]
        for slug in set(selected) - set(options):
            items.append(FacetOption(slug, labels.get(slug, slug), 0, True))
        items.sort(key=lambda o: (not o.selected, -o.count, o.label))
        facets[name] = items
    return facets, counts


def _choice_labels(facet: Facet) -> dict[str, str]:
    """The labels of a facet whose options are not taxonomy terms (gender)."""
    return {value: str(label) for value, label in facet.choices}


def term_counts(kind: str, *, state: ix.IndexState | None = None) -> dict[str, int]:
    """Published profiles per term of a kind (e.g. specialists per approach), from the index."""
    state = state or ix.get_index()
    counts: dict[str, int] = {}
    for segment, dead in state.segments:
        for slug, row in segment.rows.get(kind, {}).items():
            bits = segment.bits[row]
            live = bits & ~dead if dead is not None else bits
            counts[slug] = counts.get(slug, 0) + ix.popcount(live)
    return counts
