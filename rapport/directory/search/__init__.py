"""The one search behind the search page, the API, approach and place pages and matching.

`search(SearchQuery(...))` resolves the place, runs every filter as bitmap operations on the
columnar index (`directory/index.py`), counts every facet option on the same candidates (each
facet ignoring its own selection: OR within a facet, AND across facets), ranks, and reads only
the page of profiles it shows from the database. The ranking rule is `RANKING_RULE`.

The package's map, in the order a search runs through it:

    query.py     SearchQuery in, SearchResult (Hit, FacetOption, Relaxation) out; RADII, MODES...
    places.py    the place's text read into a Location: resolve_location()
    text.py      taxonomy words in the text box (TermDictionary), full-text hits per segment
    bitmaps.py   bit-level reads of the index: the band of words a query works on, bits_at()
    distance.py  office points within a radius, great-circle miles
    filters.py   a query's place and filters over one segment: SegmentCandidates
    counts.py    facet counts (kept per segment for the part that does not depend on the centre)
    ranking.py   fit, quality bands, daily rotation, the top page; FRESH_DAYS, STALE_DAYS
    relax.py     too few results: the nearest ways to more
    engine.py    search(), count(), candidates(), filter_and_count(): the stages put together

The facets themselves (query field, URL parameter, index namespace, labels...) are declared
once, outside the package so that the index and interchange can read them too:
`directory/facets.py`.

Other apps import only the names below, from `rapport.directory.search`; tests and the
benchmarks may also read a module's public names (`search.bitmaps.Band`). Nothing outside
the package reads a name starting with `_`: `directory/tests/test_search_surface.py` parses
every module under rapport/ and bench/ to hold them to that.
"""

from __future__ import annotations

from .bitmaps import bits_at
from .counts import term_counts
from .engine import candidates, count, filter_and_count, search
from .filters import SegmentCandidates
from .places import Location, LocationResult, resolve_location
from .query import (
    BOOL_FILTERS,
    DEFAULT_RADIUS,
    FEW_RESULTS,
    MAX_PAGE,
    MODES,
    PAGE_SORTS,
    PER_PAGE,
    RADII,
    SORTS,
    FacetOption,
    Hit,
    Relaxation,
    SearchQuery,
    SearchResult,
)
from .ranking import (
    FIT_WEIGHTS,
    FRESH_DAYS,
    RANKING_RULE,
    STALE_DAYS,
    composite_key,
    freshness,
    rotation_keys,
    top_order,
)
from .text import TermDictionary, fold_words, statement_word_counts, term_dictionary

__all__ = [
    # The query and its answer (query.py)
    "SearchQuery", "SearchResult", "Hit", "FacetOption", "Relaxation",
    "DEFAULT_RADIUS", "RADII", "MODES", "SORTS", "PAGE_SORTS", "PER_PAGE", "MAX_PAGE",
    "FEW_RESULTS", "BOOL_FILTERS",
    # Places (places.py)
    "Location", "LocationResult", "resolve_location",
    # Words (text.py)
    "TermDictionary", "term_dictionary", "fold_words", "statement_word_counts",
    # Running a search (engine.py, counts.py)
    "search", "count", "candidates", "filter_and_count", "term_counts", "SegmentCandidates",
    # The ranking rule and what matching shares of it (ranking.py, bitmaps.py)
    "RANKING_RULE", "FIT_WEIGHTS", "FRESH_DAYS", "STALE_DAYS",
    "rotation_keys", "composite_key", "top_order", "bits_at", "freshness",
]  # fmt: skip
