"""Which profiles a query admits: its place and filters as bitmaps over one index segment,
and the candidates that come out (`SegmentCandidates`, a public type matching reads too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import availability
from .. import index as ix
from .bitmaps import Band, any_of, row_of
from .distance import haversine, nearest_per_profile, within_radius
from .places import Location
from .query import BOOL_FILTERS, FACET_KINDS, SearchQuery
from .text import TextScores

__all__ = [
    "Circles", "Filtered", "SegmentCandidates", "Selection", "accepting_bits", "count_results",
    "filtered", "select",
]  # fmt: skip


@dataclass
class SegmentCandidates:
    """One segment's candidates and the numbers ranking needs for them."""

    segment: ix.Segment
    positions: np.ndarray
    in_person: np.ndarray  # bool
    online: np.ndarray  # bool
    facet_counts: dict[str, dict[str, int]]
    location: Location | None = None
    # The radius in miles when some office lay within it; None when the query
    # had no radius or no office fell inside it.
    radius: float | None = None
    # Per active filter, how many results there would be without it (computed
    # with the facet counts; relaxations read it instead of searching again).
    without_counts: dict[str, int] | None = None

    @cached_property
    def distance(self) -> np.ndarray:
        """Miles per candidate (see `distance_of`), for sorting by distance and matching."""
        return self.distance_of(np.arange(len(self.positions)))

    def distance_of(self, local: np.ndarray) -> np.ndarray:
        """Miles to the nearest office within the radius of the candidates at these
        indexes, inf for online-only ones; with no radius results at all, to their
        nearest office anywhere (shown for context). Computed on demand: ranking
        by best match needs only the page's twenty."""
        local = np.asarray(local, dtype=np.int64)
        location = self.location
        if location is None or not location.has_point or not len(local):
            return np.full(len(local), np.inf)
        if self.radius is not None:
            # Only in-person candidates have an office within the radius: the
            # others (online-only) are inf without looking at their offices.
            miles = np.full(len(local), np.inf)
            near = np.flatnonzero(self.in_person[local])
            if len(near):
                miles[near] = self._distance_of(self.positions[local[near]], location)
            return miles
        return self._distance_of(self.positions[local], location)

    def _distance_of(self, positions: np.ndarray, location: Location) -> np.ndarray:
        segment = self.segment
        assert location.lat is not None and location.lon is not None  # has_point
        points = segment.points_of(positions)
        miles = haversine(
            location.lat, location.lon, segment.pt_lat[points], segment.pt_lon[points]
        )
        point_pos = segment.pt_pos[points].astype(np.int64)
        if self.radius is not None:
            # The offices that made them in-person matches (`within_radius`
            # keeps exactly the points within the great-circle radius).
            inside = miles <= self.radius
            point_pos, miles = point_pos[inside], miles[inside]
        return nearest_per_profile(positions, point_pos, miles)


@dataclass
class Filtered:
    """A query's filters over some candidates of one segment, as bitmaps over a band of words."""

    band: Band
    base: np.ndarray  # the candidates (band words)
    filters: dict[str, np.ndarray]  # band words, per active filter
    final: np.ndarray  # band words: the results
    accepting: np.ndarray  # band words: accepting and confirmed recently enough (availability.py)


@dataclass
class Selection(Filtered):
    """A query's place and filters over one segment: the filtered candidates and how they qualify."""

    in_person_bits: np.ndarray  # whole-segment bitmaps of how candidates qualify
    online_bits: np.ndarray
    radius_hit: bool  # some office lay within the radius


# Office positions within a radius of one search's location, per segment and radius: its
# relaxations ask again for the same circle (and one wider one).
Circles = dict[tuple[int, float], np.ndarray]


def select(
    segment: ix.Segment,
    dead: np.ndarray | None,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    circles: Circles | None = None,
    on: dt.date | None = None,
) -> Selection:
    in_person_bits, online_bits, radius_hit = _place_bits(segment, query, location, circles)
    base = in_person_bits | online_bits
    if location is None and query.mode == "both":
        # No place asked: every profile, also those who say neither that they meet in
        # person nor online (as an import reads an office with a state and no city). A
        # place asked leaves them out: they are near no point and online in no state.
        base = _everyone(segment)
    if dead is not None:
        base = base & ~dead
    narrowed = filtered(segment, base, query, text_scores, on)
    return Selection(
        narrowed.band, narrowed.base, narrowed.filters, narrowed.final, narrowed.accepting,
        in_person_bits, online_bits, radius_hit,
    )  # fmt: skip


def _everyone(segment: ix.Segment) -> np.ndarray:
    """Every position of the segment, as a bitmap (kept with the segment)."""
    bits = segment.derived.get("everyone")
    if bits is None:
        bits = ix.bitmap_from_positions(np.arange(segment.size), segment.size)
        segment.derived["everyone"] = bits
    return bits


def _place_bits(
    segment: ix.Segment,
    query: SearchQuery,
    location: Location | None,
    circles: Circles | None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Where: whole-segment bitmaps of the profiles that qualify in person (an office
    within the radius, or in the state) and online (telehealth in the location's
    state), and whether some office lay within the radius."""
    n = segment.size
    zero = np.zeros(segment.words, dtype=np.uint64)
    want_in_person = query.mode in ("both", "in_person")
    want_online = query.mode in ("both", "online")
    if location is None:
        in_person_bits = row_of(segment, "flag", "in_person") if want_in_person else zero
        online_bits = row_of(segment, "flag", "telehealth") if want_online else zero
        return in_person_bits, online_bits, False
    near_pos = np.empty(0, dtype=np.int64)
    if want_in_person and location.has_point:
        key = (id(segment), float(query.radius))
        found = circles.get(key) if circles is not None else None
        if found is None:
            assert location.lat is not None and location.lon is not None  # has_point
            found = within_radius(segment, location.lat, location.lon, query.radius)
            if circles is not None:
                circles[key] = found
        near_pos = found
        in_person_bits = ix.bitmap_from_positions(near_pos, n) if len(near_pos) else zero
    elif want_in_person:
        in_person_bits = row_of(segment, "office_state", location.state)
    else:
        in_person_bits = zero
    online_bits = row_of(segment, "tele", location.state) if want_online else zero
    return in_person_bits, online_bits, bool(len(near_pos))


def accepting_bits(segment: ix.Segment, on: dt.date) -> np.ndarray:
    """Whole-segment bitmap of the profiles in the "accepting" filter on a day: the stored
    accepting flag and a confirmation within `availability.EXPIRED_AFTER_DAYS`. Time, not a
    write, takes a profile out, so this is computed from the confirmation column and kept
    with the segment for the day: ~1 ms at 1M rows, once a day per process (packing the
    comparison straight into words; through positions it took ~12 ms)."""
    found = segment.derived.get("accepting_on")
    if found is None or found[0] != on:
        recent = np.zeros(segment.words * 64, dtype=bool)
        recent[: segment.size] = availability.recently_confirmed(segment.confirmed, on)
        packed = np.packbits(recent, bitorder="little").view(np.uint64)
        bits = row_of(segment, "flag", "accepting") & packed
        found = segment.derived["accepting_on"] = (on, bits)
    return found[1]


def filtered(
    segment: ix.Segment,
    base: np.ndarray,
    query: SearchQuery,
    text_scores: TextScores | None,
    on: dt.date | None = None,
) -> Filtered:
    """The query's filters over the candidates `base` (a whole-segment bitmap)."""
    n = segment.size
    # Work only on the words where any candidate can be (a place's
    # candidates sit in a few runs of positions: see index.py).
    band = Band.of(base)
    base = band.take(base)

    # Filters, each a bitmap over the band; a facet's counts use every filter but its own.
    filters: dict[str, np.ndarray] = {}
    for name, namespace in FACET_KINDS:
        selected = getattr(query, name)
        if selected:
            filters[name] = any_of(segment, namespace, selected, band)
    for name in BOOL_FILTERS:
        if getattr(query, name):
            filters[name] = band.take(row_of(segment, "flag", name))
    accepting = band.take(accepting_bits(segment, on or availability.today()))
    if query.accepting:
        filters["accepting"] = accepting
    if query.max_fee is not None:
        fee = segment.fee_min[np.minimum(band.positions(), n - 1)]
        filters["max_fee"] = band.pack((fee >= 0) & (fee <= query.max_fee))
    if text_scores is not None:
        filters["text"] = band.take(text_scores[id(segment)].bitmap)

    final = base
    for mask in filters.values():
        final = final & mask
    return Filtered(band, base, filters, final, accepting)


def count_results(
    state: ix.IndexState,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    circles: Circles | None = None,
    on: dt.date | None = None,
) -> int:
    """Results of a query over every segment, without facets or ranking."""
    return sum(
        ix.popcount(select(seg, dead, query, location, text_scores, circles, on).final)
        for seg, dead in state.segments
        if seg.size
    )
