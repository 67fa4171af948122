"""The one search function behind the search page, the API, approach and place pages and matching.

`search(SearchQuery(...))` resolves the place, runs every filter as bitmap
operations on the columnar index (`index.py`), counts every facet option on
the same candidates (each facet ignoring its own selection: OR within a
facet, AND across facets), ranks, and reads only the page of profiles it
shows from the database.

The ranking rule, published on /how-we-rank/ (`RANKING_RULE`), is: fit to the
query first, then profile completeness and how recently availability was
confirmed (in bands), then a rotation that changes daily among near-equals.
Payment plays no part; there is no input for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from urllib.parse import urlencode

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core import geo
from rapport.core.states import STATES, normalize_state, state_name
from rapport.core.text import fold
from rapport.taxonomy.models import Kind, Term

from . import index as ix
from .fulltext import query_words, word_matches
from .summaries import ProfileSummary, read_summaries

RADII = (5, 10, 25, 50, 100)
DEFAULT_RADIUS = 25
MODES = ("both", "in_person", "online")
SORTS = ("best", "nearest", "fee")
# Not offered on the search page: the order of approach pages ("statement" first).
PAGE_SORTS = (*SORTS, "statement")
PER_PAGE = 20
MAX_PAGE = 500
FEW_RESULTS = 5

# Query field -> taxonomy kind, for the multi-select facets.
TERM_FIELDS: dict[str, str] = {
    "issues": Kind.ISSUE,
    "approaches": Kind.APPROACH,
    "insurance": Kind.INSURANCE,
    "languages": Kind.LANGUAGE,
    "identities": Kind.IDENTITY,
    "communities": Kind.COMMUNITY,
    "ages": Kind.AGE,
    "formats": Kind.FORMAT,
    "license_types": Kind.LICENSE_TYPE,
}
BOOL_FILTERS = ("sliding_scale", "free_consultation", "verified")
# Query field -> index namespace, for every facet with counts.
FACET_KINDS: tuple[tuple[str, str], ...] = (*TERM_FIELDS.items(), ("genders", "gender"))
# Fit weights: what a person asked for about their needs counts most.
FIT_WEIGHTS: dict[str, float] = {
    "issues": 3.0,
    "approaches": 2.0,
    "approach_statement": 1.0,  # extra when they wrote about a chosen approach
    "text": 3.0,  # the best text match; others scaled by their relevance
    "other": 1.0,
}
# Freshness: confirmed within 30 days counts fully, fading to nothing at 180.
FRESH_DAYS, STALE_DAYS = 30, 180

RANKING_RULE = _(
    "Best match puts first the therapists who fit more of what you asked for (issues count most, "
    "then approaches, then other choices and your words). Among equal fits, profiles that are "
    "more complete and whose availability was confirmed more recently come first, in broad bands. "
    "Within a band the order rotates every day, so nobody holds the top spot forever. Nobody can "
    "pay for placement."
)


# --- The query --------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
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
        for name in TERM_FIELDS:
            params.extend((name, value) for value in sorted(getattr(self, name)))
        params.extend(("gender", value) for value in sorted(self.genders))
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


# --- Places -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    kind: str  # "zip", "city" or "state"
    label: str
    state: str
    lat: float | None = None
    lon: float | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None


@dataclass(frozen=True)
class LocationResult:
    location: Location | None = None
    suggestions: tuple[Location, ...] = ()
    problem: str = ""


def _city_state_splits(text: str) -> list[tuple[str, str]]:
    """Ways to read "City, ST" or "Salt Lake City UT": split at a comma, else try the
    last one to three words as the state ("New York NY", "Kansas City Missouri")."""
    if "," in text:
        city, _sep, state = text.rpartition(",")
        return [(city.strip(" ,"), state.strip())] if city.strip(" ,") and state.strip() else []
    words = text.split()
    return [(" ".join(words[:-n]), " ".join(words[-n:])) for n in (1, 2, 3) if len(words) > n]


def resolve_location(text: str) -> LocationResult:
    """'98402', 'Tacoma, WA', 'Tacoma' (if only one state has one), 'WA' or 'Washington'."""
    text = " ".join(text.split()).strip(" ,")
    if not text:
        return LocationResult()
    if geo.zip5(text):
        place = geo.lookup_zip(text)
        if place is None:
            return LocationResult(
                problem=str(_("We don't know the ZIP code %(zip)s.") % {"zip": text})
            )
        label = f"{place.zip} ({geo_label(place.city, place.state)})"
        return LocationResult(Location("zip", label, place.state, place.lat, place.lon))
    code = normalize_state(text)
    if code:
        return LocationResult(Location("state", state_name(code), code))
    for city, state_text in _city_state_splits(text):
        state = normalize_state(state_text)
        if state:
            place = geo.lookup_city(city, state)
            if place is None:
                return LocationResult(
                    problem=str(
                        _("We don't know a place called %(city)s in %(state)s.")
                        % {"city": city, "state": state_name(state)}
                    )
                )
            return LocationResult(
                Location("city", geo_label(place.city, state), state, place.lat, place.lon)
            )
    places = geo.cities_named(text)
    if len(places) == 1:
        place = places[0]
        return LocationResult(
            Location("city", geo_label(place.city, place.state), place.state, place.lat, place.lon)
        )
    if places:
        return LocationResult(
            suggestions=tuple(
                Location("city", geo_label(p.city, p.state), p.state, p.lat, p.lon) for p in places
            ),
            problem=str(_("Several places are called %(city)s. Which one?") % {"city": text}),
        )
    return LocationResult(
        problem=str(
            _("We don't know a place called %(place)s. Try a ZIP code or “City, ST”.")
            % {"place": text}
        )
    )


def geo_label(city: str, state: str) -> str:
    return f"{city}, {state}"


# --- Taxonomy words in the text box --------------------------------------------------------

_WORD = re.compile(r"[\w'+&-]+", re.UNICODE)
# Kinds whose names people type into a search box, in priority order.
TEXT_KINDS: tuple[tuple[str, str], ...] = (
    ("issues", Kind.ISSUE),
    ("approaches", Kind.APPROACH),
    ("formats", Kind.FORMAT),
    ("insurance", Kind.INSURANCE),
    ("languages", Kind.LANGUAGE),
    ("license_types", Kind.LICENSE_TYPE),
)


@dataclass
class Vocabulary:
    """Labels and text phrases of the taxonomy, cached per index version."""

    labels: dict[tuple[str, str], str]
    phrases: dict[tuple[str, ...], tuple[str, str]]  # folded words -> (query field, slug)
    longest: int

    @classmethod
    def load(cls) -> Vocabulary:
        labels: dict[tuple[str, str], str] = {}
        phrases: dict[tuple[str, ...], tuple[str, str]] = {}
        field_of = {kind: name for name, kind in TEXT_KINDS}
        terms = Term.objects.active().only("kind", "slug", "name", "short_name", "aliases")
        for term in terms.order_by("kind", "position"):
            labels[(term.kind, term.slug)] = term.name
            name = field_of.get(term.kind)
            if name is None:
                continue
            candidates = [term.name, term.short_name, *term.aliases]
            if term.kind != Kind.LANGUAGE:
                candidates.append(term.slug.replace("-", " "))
            for phrase in candidates:
                words = tuple(fold_words(phrase or ""))
                # Two-letter words ("en", "es", "or") are too ambiguous in free text.
                if words and (len(words) > 1 or len(words[0]) > 2):
                    phrases.setdefault(words, (name, term.slug))
        return cls(labels, phrases, max((len(k) for k in phrases), default=1))

    def label(self, kind: str, slug: str) -> str:
        return self.labels.get((kind, slug), slug)

    @cached_property
    def labels_by_kind(self) -> dict[str, dict[str, str]]:
        by_kind: dict[str, dict[str, str]] = {}
        for (kind, slug), label in self.labels.items():
            by_kind.setdefault(kind, {})[slug] = label
        return by_kind

    @cached_property
    def slugs_by_kind(self) -> dict[str, frozenset[str]]:
        return {kind: frozenset(labels) for kind, labels in self.labels_by_kind.items()}

    def split_text(self, text: str) -> tuple[dict[str, list[str]], str]:
        """Pull taxonomy phrases out of free text: ('cbt for anxiety in teens') -> facets + rest."""
        words = fold_words(text)
        found: dict[str, list[str]] = {}
        rest: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                hit = self.phrases.get(tuple(words[i : i + size]))
                if hit:
                    found.setdefault(hit[0], [])
                    if hit[1] not in found[hit[0]]:
                        found[hit[0]].append(hit[1])
                    i += size
                    break
            else:
                rest.append(words[i])
                i += 1
        # Joining punctuation ("anxiety & depression") is not text to search for.
        return found, " ".join(
            w for w in rest if w not in _STOPWORDS and any(c.isalnum() for c in w)
        )


_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "for",
        "with",
        "in",
        "on",
        "of",
        "to",
        "my",
        "me",
        "i",
        "who",
        "is",
        "are",
        "therapist",
        "therapists",
        "therapy",
        "counselor",
        "counseling",
        "counselling",
        "near",
        "help",
    ]
)


def fold_words(text: str) -> list[str]:
    """The words of a text, folded as the full-text index folds them (`core.text.fold`)."""
    return [w.strip("'-") for w in _WORD.findall(fold(text)) if w.strip("'-")]


_vocabulary: tuple[str, Vocabulary] | None = None


def vocabulary(state: ix.IndexState) -> Vocabulary:
    global _vocabulary
    if _vocabulary is None or _vocabulary[0] != state.token:
        _vocabulary = (state.token, Vocabulary.load())
    return _vocabulary[1]


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

    @property
    def pages(self) -> int:
        return max((self.total + self.query.per_page - 1) // self.query.per_page, 1)


# --- The search ---------------------------------------------------------------------------------


@dataclass
class _SegmentPass:
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
        points = segment.points_of(positions)
        miles = _haversine(
            location.lat, location.lon, segment.pt_lat[points], segment.pt_lon[points]
        )
        point_pos = segment.pt_pos[points].astype(np.int64)
        if self.radius is not None:
            # The offices that made them in-person matches (`_within_radius`
            # keeps exactly the points within the great-circle radius).
            inside = miles <= self.radius
            point_pos, miles = point_pos[inside], miles[inside]
        return _nearest_per_profile(positions, point_pos, miles)


def search(
    query: SearchQuery,
    *,
    state: ix.IndexState | None = None,
    today: dt.date | None = None,
    with_facets: bool = True,
    with_relaxations: bool = True,
) -> SearchResult:
    state = state or ix.get_index()
    today = today or timezone.localdate()
    vocab = vocabulary(state)
    notes: list[str] = []

    resolved = resolve_location(query.location)
    location = resolved.location
    detected: dict[str, list[str]] = {}
    text_rest = ""
    if query.text.strip():
        detected, text_rest = vocab.split_text(query.text)
    effective = query
    for name, slugs in detected.items():
        effective = replace(
            effective, **{name: tuple(dict.fromkeys([*getattr(effective, name), *slugs]))}
        )

    text_scores = _text_scores(text_rest, state) if text_rest else None
    circles: Circles = {}
    passes = [
        _run_segment(segment, dead, effective, location, text_scores, with_facets, circles)
        for segment, dead in state.segments
    ]
    total = sum(len(p.positions) for p in passes)

    hits = _rank_and_page(passes, effective, text_scores, today, vocab)
    facets, counts = _merge_facets(passes, effective, vocab) if with_facets else ({}, {})
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
    )
    if with_relaxations and total < FEW_RESULTS:
        # Taxonomy words found in the text are facets now; the links keep them as such.
        relaxable = replace(effective, text=text_rest)
        result.relaxations = _relaxations(
            relaxable, location, state, text_scores, total, circles, passes
        )
    return result


# --- Full text, per segment --------------------------------------------------------------
#
# The engine (FTS5 or tsvector, fulltext.py) decides what a word matches and
# how well; this keeps each word's matches as positions of an index segment,
# so a query intersects sorted arrays instead of asking the engine again. A
# common word matches a quarter of all profiles: at a million, asking costs
# 0.2-0.4 s every time (the engine walks and scores every match), while the
# kept positions cost a millisecond or two. A segment's matches stay right
# while it lives: an edited profile is superseded by the delta segment, which
# asks the engine afresh. Scores keep the collection statistics of their
# first use (a word's idf drifts a little until the next snapshot).

# Bytes of kept matches per segment (positions and scores, 16 bytes a match,
# and a bitmap): ~14 of the commonest words at a million profiles.
TEXT_CACHE_BYTES = 64 << 20
# A segment this small (a delta of edits) asks the engine about its own ids;
# a snapshot asks about every profile once (cheaper than probing most of them).
TEXT_WITHIN_BELOW = 50_000
_text_lock = threading.Lock()


@dataclass
class TextHits:
    """The profiles of one segment that a query's text matches, and how well."""

    positions: np.ndarray  # int64, sorted
    scores: np.ndarray  # float64, summed over the query's words
    size: int  # the segment's number of profiles

    @cached_property
    def bitmap(self) -> np.ndarray:
        """The positions as a bitmap over the segment, built on first use and kept with
        the hits (a kept word's bitmap serves every later search with that word)."""
        return ix.bitmap_from_positions(self.positions, self.size)

    def at(self, positions: np.ndarray) -> np.ndarray:
        """Scores at these positions (0.0 where the text does not match)."""
        if not len(self.positions) or not len(positions):
            return np.zeros(len(positions))
        at = np.clip(np.searchsorted(self.positions, positions), 0, len(self.positions) - 1)
        return np.where(self.positions[at] == positions, self.scores[at], 0.0)


# Text hits per segment of the state searched, by id() of the segment.
TextScores = dict[int, TextHits]


def _text_scores(text: str, state: ix.IndexState) -> TextScores:
    words = query_words(text)
    return {id(segment): _segment_text(segment, words) for segment, _dead in state.segments}


def _segment_text(segment: ix.Segment, words: list[str]) -> TextHits:
    """Every word must match; the score is the sum of the words' scores."""
    hits: TextHits | None = None
    for i, word in enumerate(words):
        got = _word_hits(segment, word, last=i == len(words) - 1)
        if got is None:
            continue  # the backend ignores this word
        if hits is None:
            hits = got
        else:
            positions, mine, theirs = np.intersect1d(
                hits.positions, got.positions, assume_unique=True, return_indices=True
            )
            hits = TextHits(positions, hits.scores[mine] + got.scores[theirs], segment.size)
    return hits or TextHits(np.empty(0, dtype=np.int64), np.empty(0), segment.size)


def _word_hits(segment: ix.Segment, word: str, *, last: bool) -> TextHits | None:
    key = (word, last)
    cache = segment.text_cache
    with _text_lock:
        kept = cache.get(key)
        if kept is not None:
            cache.move_to_end(key)
            return kept
    within = segment.ids.tolist() if segment.size < TEXT_WITHIN_BELOW else None
    matches = word_matches(word, last=last, within=within)
    if matches is None:
        return None
    ids, scores = matches
    positions, found = segment.locate(ids)
    order = np.argsort(positions, kind="stable")
    hits = TextHits(positions[order], scores[found][order], segment.size)
    with _text_lock:
        cache[key] = hits
        cache.move_to_end(key)
        # Evict the least recently used words beyond the budget (never the one just read).
        size = sum(_kept_bytes(h) for h in cache.values())
        while size > TEXT_CACHE_BYTES and len(cache) > 1:
            _old, dropped = cache.popitem(last=False)
            size -= _kept_bytes(dropped)
    return hits


def _kept_bytes(hits: TextHits) -> int:
    # Positions, scores and (once a search has used it) the bitmap.
    return hits.positions.nbytes + hits.scores.nbytes + hits.size // 8


@dataclass
class _Filtered:
    """A query's filters over some candidates of one segment, as bitmaps over a band of words."""

    band: _Band
    base: np.ndarray  # the candidates (band words)
    filters: dict[str, np.ndarray]  # band words, per active filter
    final: np.ndarray  # band words: the results


@dataclass
class _Selection(_Filtered):
    """A query's place and filters over one segment: the filtered candidates and how they qualify."""

    in_person_bits: np.ndarray  # whole-segment bitmaps of how candidates qualify
    online_bits: np.ndarray
    radius_hit: bool  # some office lay within the radius


# Office positions within a radius of one search's location, per segment and radius: its
# relaxations ask again for the same circle (and one wider one).
Circles = dict[tuple[int, float], np.ndarray]


def _select(
    segment: ix.Segment,
    dead: np.ndarray | None,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    circles: Circles | None = None,
) -> _Selection:
    in_person_bits, online_bits, radius_hit = _place_bits(segment, query, location, circles)
    base = in_person_bits | online_bits
    if dead is not None:
        base = base & ~dead
    filtered = _filtered(segment, base, query, text_scores)
    return _Selection(
        filtered.band, filtered.base, filtered.filters, filtered.final,
        in_person_bits, online_bits, radius_hit,
    )  # fmt: skip


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
        in_person_bits = _row(segment, "flag", "in_person") if want_in_person else zero
        online_bits = _row(segment, "flag", "telehealth") if want_online else zero
        return in_person_bits, online_bits, False
    near_pos = np.empty(0, dtype=np.int64)
    if want_in_person and location.has_point:
        key = (id(segment), float(query.radius))
        found = circles.get(key) if circles is not None else None
        if found is None:
            found = _within_radius(segment, location.lat, location.lon, query.radius)
            if circles is not None:
                circles[key] = found
        near_pos = found
        in_person_bits = ix.bitmap_from_positions(near_pos, n) if len(near_pos) else zero
    elif want_in_person:
        in_person_bits = _row(segment, "office_state", location.state)
    else:
        in_person_bits = zero
    online_bits = _row(segment, "tele", location.state) if want_online else zero
    return in_person_bits, online_bits, bool(len(near_pos))


def _filtered(
    segment: ix.Segment,
    base: np.ndarray,
    query: SearchQuery,
    text_scores: TextScores | None,
) -> _Filtered:
    """The query's filters over the candidates `base` (a whole-segment bitmap)."""
    n = segment.size
    # Work only on the words where any candidate can be (a place's
    # candidates sit in a few runs of positions: see index.py).
    band = _Band.of(base)
    base = band.take(base)

    # Filters, each a bitmap over the band; a facet's counts use every filter but its own.
    filters: dict[str, np.ndarray] = {}
    for name, kind in TERM_FIELDS.items():
        selected = getattr(query, name)
        if selected:
            filters[name] = _any_of(segment, kind, selected, band)
    if query.genders:
        filters["genders"] = _any_of(segment, "gender", query.genders, band)
    for name in BOOL_FILTERS:
        if getattr(query, name):
            filters[name] = band.take(_row(segment, "flag", name))
    if query.accepting:
        filters["accepting"] = band.take(_row(segment, "flag", "accepting"))
    if query.max_fee is not None:
        fee = segment.fee_min[np.minimum(band.positions(), n - 1)]
        filters["max_fee"] = band.pack((fee >= 0) & (fee <= query.max_fee))
    if text_scores is not None:
        filters["text"] = band.take(text_scores[id(segment)].bitmap)

    final = base
    for mask in filters.values():
        final = final & mask
    return _Filtered(band, base, filters, final)


def _run_segment(
    segment: ix.Segment,
    dead: np.ndarray | None,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    with_facets: bool,
    circles: Circles | None = None,
) -> _SegmentPass:
    n = segment.size
    if n == 0:
        empty = np.empty(0, dtype=np.int64)
        return _SegmentPass(segment, empty, np.empty(0, bool), np.empty(0, bool), {})
    selection = _select(segment, dead, query, location, text_scores, circles)
    band, final = selection.band, selection.final
    in_person_bits, online_bits = selection.in_person_bits, selection.online_bits

    facet_counts: dict[str, dict[str, int]] = {}
    without_counts: dict[str, int] | None = None
    if with_facets:
        tally = _facet_tally(segment, dead, query, location, text_scores, selection)
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
    in_person = _bits_at(in_person_bits, positions)
    online = _bits_at(online_bits, positions)
    radius = float(query.radius) if selection.radius_hit else None
    return _SegmentPass(
        segment, positions, in_person, online, facet_counts, location, radius, without_counts
    )


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


def _facet_tally(
    segment: ix.Segment,
    dead: np.ndarray | None,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    selection: _Selection,
) -> _Tally:
    """The facet counts of a pass: the part that does not depend on the centre
    kept per segment, the rest counted now."""
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
        return _tally(segment, _filtered(segment, base, query, text_scores))

    # The text is part of the key (and its kept matches must be the very ones), so a
    # text search and the same search without text never replace each other's counts.
    key = (place, _filter_key(query), query.text.strip().casefold())
    tally = _cached_tally(segment, key, dead, text_hits, count_shared)
    if shared_bits is not None:
        # In-person candidates who do not also qualify online.
        local = selection.in_person_bits & ~shared_bits
        if dead is not None:
            local &= ~dead
        if local.any():
            tally = tally + _tally(segment, _filtered(segment, local, query, text_scores))
    return tally


def _filter_key(query: SearchQuery) -> tuple:
    """Everything about a query that decides its filters (not the place, sort or page)."""
    return (
        *(getattr(query, name) for name in TERM_FIELDS),
        query.genders,
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


def _tally(segment: ix.Segment, selection: _Filtered) -> _Tally:
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
        name: ix.popcount(band.take(_row(segment, "flag", name)) & without.get(name, final))
        for name in (*BOOL_FILTERS, "accepting")
    }
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
        firsts, ends = _runs(rows, gap=1)
        found = segment.derived[key] = [(int(a), int(b)) for a, b in zip(firsts, ends, strict=True)]
    return found


def _runs(values: np.ndarray, *, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs of sorted integers whose neighbours are at most `gap` apart: (firsts, ends)."""
    if not len(values):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    breaks = np.flatnonzero(np.diff(values) > gap)
    return np.r_[values[0], values[breaks + 1]], np.r_[values[breaks], values[-1]] + 1


def _row(segment: ix.Segment, namespace: str, key: str) -> np.ndarray:
    row = segment.row(namespace, key)
    return np.zeros(segment.words, dtype=np.uint64) if row is None else np.asarray(row)


def _any_of(segment: ix.Segment, namespace: str, keys: Sequence[str], band: _Band) -> np.ndarray:
    out = np.zeros(band.size, dtype=np.uint64)
    for key in keys:
        row = segment.row(namespace, key)
        if row is not None:
            out |= band.take(row)
    return out


@dataclass
class _Band:
    """The words of a segment's bitmaps that a query works on. Every bitmap of
    the pass is taken through it. Three shapes, by how the candidates' words
    lie (profiles are ordered by state, so mostly a few runs):
    - one slice lo:hi when most words in it hold a candidate;
    - a few runs of words (short gaps merged): `index` lists their words, and
      the facet counts read each run as a slice of the bitmaps, no copy;
    - else `index` lists just the non-empty words, gathered."""

    lo: int
    hi: int
    index: np.ndarray | None  # word numbers, when not the slice lo:hi
    runs: list[tuple[int, int, int]] | None = None  # (first word, end word, offset in index)

    # Below this share of non-empty words in lo:hi, a slice does too much work.
    GATHER_BELOW = 0.5
    # Runs closer than this many words are merged (the words between hold no candidate).
    RUN_GAP = 16
    # Above this many runs, a Python loop over them costs more than the gather.
    MAX_RUNS = 64
    # Below this many non-empty words, gathering them costs less than a numpy
    # call per run (the in-person candidates near most centres: ~0.5 -> 0.1 ms).
    GATHER_WORDS = 1024

    @classmethod
    def of(cls, base: np.ndarray) -> _Band:
        nonzero = np.flatnonzero(base)
        if not len(nonzero):
            return cls(0, 0, None)
        lo, hi = int(nonzero[0]), int(nonzero[-1]) + 1
        if len(nonzero) >= cls.GATHER_BELOW * (hi - lo):
            return cls(lo, hi, None)
        firsts, ends = _runs(nonzero, gap=cls.RUN_GAP)
        if len(firsts) > cls.MAX_RUNS or len(nonzero) < cls.GATHER_WORDS:
            return cls(lo, hi, nonzero)
        offsets = np.r_[0, np.cumsum(ends - firsts)[:-1]]
        index = np.concatenate([np.arange(a, b) for a, b in zip(firsts, ends, strict=True)])
        runs = [(int(a), int(b), int(o)) for a, b, o in zip(firsts, ends, offsets, strict=True)]
        return cls(lo, hi, index, runs)

    @property
    def size(self) -> int:
        return len(self.index) if self.index is not None else self.hi - self.lo

    def take(self, bitmap: np.ndarray) -> np.ndarray:
        if self.index is not None:
            return bitmap[self.index]
        return bitmap[self.lo : self.hi]

    def count(self, bits: np.ndarray, rows: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Per row of `bits` (a segment's bitmaps), the number of bits set in both
        the row and `mask` (band words)."""
        if not len(rows) or not self.size:
            return np.zeros(len(rows), dtype=np.int64)
        # A run of consecutive rows (the counted block) is sliced, not copied.
        first_row, last_row = int(rows[0]), int(rows[-1])
        if last_row - first_row + 1 == len(rows) and bool(np.all(np.diff(rows) == 1)):
            picked: slice | np.ndarray = slice(first_row, last_row + 1)
        else:
            picked = rows
        # Sums in uint32 (a row's count is at most 64 per word, far below 2**32):
        # ~15% faster than int64 over a state's worth of words.
        if self.index is None:
            total = np.bitwise_count(bits[picked, self.lo : self.hi] & mask).sum(
                axis=1, dtype=np.uint32
            )
        elif self.runs is None:
            block = (
                bits[picked][:, self.index]
                if isinstance(picked, slice)
                else bits[np.ix_(rows, self.index)]
            )
            total = np.bitwise_count(block & mask).sum(axis=1, dtype=np.uint32)
        else:
            total = np.zeros(len(rows), dtype=np.uint32)
            for first, end, offset in self.runs:
                block = bits[picked, first:end]
                total += np.bitwise_count(block & mask[offset : offset + end - first]).sum(
                    axis=1, dtype=np.uint32
                )
        return total.astype(np.int64)

    def positions(self) -> np.ndarray:
        """Every position the band's words cover, in word order (64 per word)."""
        words = self.index if self.index is not None else np.arange(self.lo, self.hi)
        return ((words.astype(np.int64) << 6)[:, None] + np.arange(64)).ravel()

    def pack(self, flags: np.ndarray) -> np.ndarray:
        """Per-position booleans (as from `positions()`) back into band words."""
        return np.packbits(flags, bitorder="little").view(np.uint64)

    def positions_of(self, words: np.ndarray) -> np.ndarray:
        """Positions of the set bits of band words."""
        bits = ix.set_bits(words)
        if self.index is not None:
            return (self.index[bits >> 6].astype(np.int64) << 6) + (bits & 63)
        return bits + self.lo * 64


def _bits_at(bitmap: np.ndarray, positions: np.ndarray) -> np.ndarray:
    if not len(positions):
        return np.zeros(0, dtype=bool)
    words = bitmap[positions >> 6]
    return ((words >> (positions & 63).astype(np.uint64)) & ix._ONE).astype(bool)


def _within_radius(segment: ix.Segment, lat: float, lon: float, radius: float) -> np.ndarray:
    """The profile positions of the office points within `radius` miles.

    A latitude slice, a longitude window, then a flat-earth distance (with the
    cosine at each pair's mean latitude) that decides every point further than
    2% from the edge; only the points near the edge get the exact
    great-circle distance. The flat formula is within ~0.1% of it below 100
    miles, so the 2% margin never misjudges a point.

    The flat distance is worked out in float32 on offsets from the centre, in
    place: a few degrees carry ~1e-6 relative error, far inside the margin, and
    the densest metro's ~100k points cost 0.4 ms instead of 1.25 (half the
    bytes, no temporaries per step). The exact distance uses the float64 points.
    """
    dlat = radius / 69.0 + 0.01
    lo = np.searchsorted(segment.pt_lat, lat - dlat, side="left")
    hi = np.searchsorted(segment.pt_lat, lat + dlat, side="right")
    if hi <= lo:
        return np.empty(0, dtype=np.int64)
    plat, plon = segment.pt_lat[lo:hi], segment.pt_lon[lo:hi]
    pos = segment.pt_pos[lo:hi]
    # A latitude band crosses the whole country: drop points far east or west
    # before any arithmetic (the longitude difference wraps at 180°).
    cos_lat = np.cos(np.radians(min(abs(lat) + dlat, 89.0)))
    wraps = True
    if cos_lat > 0.01:
        width = radius / (69.172 * cos_lat) + 0.01
        if lon - width >= -180.0 and lon + width <= 180.0:
            # Two comparisons (boolean temporaries) over the slice's ~60k points.
            near = (plon >= lon - width) & (plon <= lon + width)
            wraps = False
        else:  # the window crosses the 180th meridian
            dlon = np.abs(plon - lon)
            near = np.minimum(dlon, 360.0 - dlon) <= width
        plat, plon, pos = plat[near], plon[near], pos[near]
    dy = np.subtract(plat, lat, dtype=np.float32)  # degrees
    if wraps:
        dx = ((plon - lon + 180.0) % 360.0 - 180.0).astype(np.float32)
    else:
        dx = np.subtract(plon, lon, dtype=np.float32)
    lat0 = np.radians(lat)
    # dx times the cosine of the mean latitude, linearised around the centre
    # (|dy| < 0.03 rad): cos(lat0) - sin(lat0) * dy / 2, dy in radians.
    scale = dy * np.float32(-np.sin(lat0) * np.pi / 360.0)
    scale += np.float32(np.cos(lat0))
    dx *= scale
    dx *= dx
    dy *= dy
    dx += dy  # the flat distance squared, in degrees of latitude squared
    edge_of = (radius / geo.EARTH_RADIUS_MILES * 180.0 / np.pi) ** 2
    inside = dx <= np.float32(edge_of * 0.98**2)
    edge = np.flatnonzero(~inside & (dx <= np.float32(edge_of * 1.02**2)))
    if len(edge):
        inside[edge] = _haversine(lat, lon, plat[edge], plon[edge]) <= radius
    return pos[inside].astype(np.int64)


def _haversine(lat: float, lon: float, plat: np.ndarray, plon: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(plat)
    dp = p2 - p1
    # Wrap the longitude difference so the 180th meridian is no edge.
    dl = np.radians((plon - lon + 180.0) % 360.0 - 180.0)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * geo.EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _nearest_per_profile(
    positions: np.ndarray, point_pos: np.ndarray, point_miles: np.ndarray
) -> np.ndarray:
    """Per position, the smallest distance among its points (inf when it has none)."""
    distance = np.full(len(positions), np.inf)
    if not len(point_pos) or not len(positions):
        return distance
    order = np.argsort(point_pos, kind="stable")
    uniq, starts = np.unique(point_pos[order], return_index=True)
    nearest = np.minimum.reduceat(point_miles[order], starts)
    at = np.clip(np.searchsorted(uniq, positions), 0, len(uniq) - 1)
    hit = uniq[at] == positions
    distance[hit] = nearest[at[hit]]
    return distance


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


def quality_bands(completeness: np.ndarray, confirmed: np.ndarray, today: dt.date) -> np.ndarray:
    """0..4: completeness and availability freshness in broad bands (near-equals rotate)."""
    age = today.toordinal() - confirmed.astype(np.int64)
    freshness = np.clip((STALE_DAYS - age) / (STALE_DAYS - FRESH_DAYS), 0.0, 1.0)
    freshness[confirmed == 0] = 0.0
    score = 0.6 * completeness.astype(np.float64) + 0.4 * freshness
    return np.floor(np.clip(score, 0.0, 0.999) * 5).astype(np.int64)


def _fit_scores(
    p: _SegmentPass, query: SearchQuery, text_scores: TextScores | None, top_text: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    fit = np.zeros(len(p.positions))
    matched: dict[str, np.ndarray] = {}
    for name, kind in TERM_FIELDS.items():
        weight = FIT_WEIGHTS.get(name, FIT_WEIGHTS["other"])
        for slug in getattr(query, name):
            row = p.segment.row(kind, slug)
            if row is None:
                continue
            has = _bits_at(np.asarray(row), p.positions)
            matched[f"{name}:{slug}"] = has
            fit += weight * has
            if name == "approaches":
                wrote = p.segment.row("approach_statement", slug)
                if wrote is not None:
                    fit += FIT_WEIGHTS["approach_statement"] * _bits_at(
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


def _wrote_about(p: _SegmentPass, approaches: Sequence[str]) -> np.ndarray:
    """1 where the profile wrote a statement for any of the selected approaches."""
    wrote = np.zeros(len(p.positions), dtype=np.int64)
    for slug in approaches:
        row = p.segment.row("approach_statement", slug)
        if row is not None:
            wrote |= _bits_at(np.asarray(row), p.positions)
    return wrote


def _rank_and_page(
    passes: list[_SegmentPass],
    query: SearchQuery,
    text_scores: TextScores | None,
    today: dt.date,
    vocab: Vocabulary,
) -> list[Hit]:
    # Text relevance is scaled by the best match among the results themselves.
    top_text = 0.0
    if text_scores:
        top_text = max(
            (float(text_scores[id(p.segment)].at(p.positions).max(initial=0.0)) for p in passes),
            default=0.0,
        )
    # One composite sort key per candidate, per segment (only the fields the
    # sort needs: an approach page over 400k candidates must not build the rest).
    parts: list[tuple[_SegmentPass, dict[str, np.ndarray]]] = []
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
            fields = [(8191 - np.round(fit * 10).astype(np.int64), 13), (4 - band, 3)]
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
    # Distances for the page only (one call per segment).
    miles = np.full(len(picked), np.inf)
    for p, _matched in parts:
        mine = [i for i, pick in enumerate(picked) if pick[0] is p]
        if mine:
            miles[mine] = p.distance_of(np.array([picked[i][2] for i in mine]))
    hits = []
    for i, (pid, (p, matched_columns, local)) in enumerate(zip(page_ids, picked, strict=True)):
        profile = profiles.get(pid)
        if profile is None:  # unpublished since the index version was read
            continue
        matched: dict[str, list[str]] = {}
        for column, has in matched_columns.items():
            if has[local]:
                name, slug = column.split(":", 1)
                matched.setdefault(name, []).append(slug)
        distance = float(miles[i])
        hits.append(
            Hit(
                profile=profile,
                distance=None if np.isinf(distance) else distance,
                in_person=bool(p.in_person[local]),
                online=bool(p.online[local]),
                matched=matched,
                matched_labels=[
                    vocab.label(TERM_FIELDS[name], slug)
                    for name in ("issues", "approaches")
                    for slug in matched.get(name, [])
                ],
            )
        )
    return hits


def _merge_facets(
    passes: list[_SegmentPass], query: SearchQuery, vocab: Vocabulary
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
        kind = TERM_FIELDS.get(name, "gender")
        labels = _gender_labels() if kind == "gender" else vocab.labels_by_kind.get(kind, {})
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


def _gender_labels() -> dict[str, str]:
    return {"woman": str(_("Woman")), "man": str(_("Man")), "nonbinary": str(_("Nonbinary"))}


def count(query: SearchQuery, *, state: ix.IndexState | None = None) -> int:
    """How many profiles a query finds (no ranking, no facets): for relaxations and page counts."""
    state = state or ix.get_index()
    location = resolve_location(query.location).location
    text_scores = None
    if query.text.strip():
        found, rest = vocabulary(state).split_text(query.text)
        for name, slugs in found.items():
            query = replace(query, **{name: tuple(dict.fromkeys([*getattr(query, name), *slugs]))})
        text_scores = _text_scores(rest, state) if rest else None
    return _count(state, query, location, text_scores)


def _count(
    state: ix.IndexState,
    query: SearchQuery,
    location: Location | None,
    text_scores: TextScores | None,
    circles: Circles | None = None,
) -> int:
    """Results of a query over every segment, without facets or ranking."""
    return sum(
        ix.popcount(_select(seg, dead, query, location, text_scores, circles).final)
        for seg, dead in state.segments
        if seg.size
    )


def _count_without(passes: list[_SegmentPass] | None, name: str) -> int | None:
    """Results without one filter, from the passes' leave-one-out counts (None: not counted)."""
    if passes is None:
        return None
    total = 0
    for p in passes:
        if p.segment.size == 0:
            continue
        if p.without_counts is None or name not in p.without_counts:
            return None
        total += p.without_counts[name]
    return total


def _relaxations(
    query: SearchQuery,
    location: Location | None,
    state: ix.IndexState,
    text_scores: TextScores | None,
    total: int,
    circles: Circles | None = None,
    passes: list[_SegmentPass] | None = None,
) -> list[Relaxation]:
    """The nearest ways to more results, each with the count it would give.

    Dropping one filter is counted from the search's own leave-one-out
    products (`passes`, when it counted facets); a wider circle or another
    format is searched again.
    """
    # (label, the relaxed query, the one filter it drops or "")
    options: list[tuple[str, SearchQuery, str]] = []
    if location is not None and location.has_point and query.mode != "online":
        for radius in RADII:
            if radius > query.radius:
                options.append(
                    (
                        str(_("within %(miles)d miles") % {"miles": radius}),
                        replace(query, radius=radius),
                        "",
                    )
                )
    if location is not None and query.mode == "in_person":
        options.append(
            (
                str(
                    _("offer online sessions in %(state)s") % {"state": state_name(location.state)}
                ),
                replace(query, mode="online"),
                "",
            )
        )
    labels = {
        "issues": _("without the issue filter"),
        "approaches": _("without the approach filter"),
        "insurance": _("without the insurance filter"),
        "languages": _("without the language filter"),
        "identities": _("without the identity filter"),
        "communities": _("without the community filter"),
        "ages": _("without the age filter"),
        "formats": _("without the format filter"),
        "license_types": _("without the licence filter"),
        "genders": _("of any gender"),
        "max_fee": _("with any fee"),
        "sliding_scale": _("without requiring a sliding scale"),
        "free_consultation": _("without requiring a free consultation"),
        "verified": _("including self-reported licences"),
        "accepting": _("including those not taking new clients"),
    }
    for name, label in labels.items():
        current = getattr(query, name)
        if current and current != ():
            default = False if name == "accepting" else getattr(SearchQuery(), name)
            relaxed = replace(query, **{name: default})
            options.append((str(label), relaxed, name))
    results = []
    for label, relaxed, dropped in options:
        wider = relaxed.radius != query.radius
        # Of the wider radii (nearest first), only the nearest one that finds more is offered.
        if wider and any(r.query.radius != query.radius for r in results):
            continue
        relaxed = replace(relaxed, page=1)
        found = _count_without(passes, dropped) if dropped else None
        if found is None:
            found = _count(state, relaxed, location, text_scores, circles)
        if found > total:
            results.append(Relaxation(label, found, relaxed))
    results.sort(key=lambda r: -r.count)
    return results[:4]


__all__ = [
    "RADII", "MODES", "SORTS", "RANKING_RULE", "STATES", "SearchQuery", "SearchResult", "Hit",
    "FacetOption", "Relaxation", "Location", "LocationResult", "resolve_location", "search",
    "count", "fold_words",
]  # fmt: skip


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


def candidates(
    query: SearchQuery, *, state: ix.IndexState | None = None
) -> tuple[Location | None, list[_SegmentPass]]:
    """Every profile the query's place and filters admit, per segment, unranked.

    For matching (`matching/scoring.py`), which adds constraints of its own and
    ranks by its own score over the same columns.
    """
    state = state or ix.get_index()
    location = resolve_location(query.location).location
    passes = [
        _run_segment(segment, dead, query, location, None, False)
        for segment, dead in state.segments
    ]
    return location, passes


def bits_at(bitmap: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Whether each position's bit is set (a column read for matching)."""
    return _bits_at(np.asarray(bitmap), positions)
