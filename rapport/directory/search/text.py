"""The words of a search box: taxonomy phrases in it become facets (`TermDictionary.split_text`),
and the rest is matched by the full-text engine, kept per index segment (`match_text`)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rapport.core.text import fold
from rapport.taxonomy.models import Kind, Term

from .. import index as ix
from ..facets import TEXT_FACETS
from ..fulltext import query_words, word_matches

__all__ = [
    "STOPWORDS", "TEXT_CACHE_BYTES", "TEXT_KINDS", "TEXT_WITHIN_BELOW", "TermDictionary",
    "TextHits", "TextScores", "fold_words", "match_text", "term_dictionary",
]  # fmt: skip

_WORD = re.compile(r"[\w'+&-]+", re.UNICODE)
# Kinds whose names people type into a search box, in priority order (the facet table's
# `text_priority`): (query field, taxonomy kind).
TEXT_KINDS: tuple[tuple[str, str], ...] = tuple((f.field, f.kind or "") for f in TEXT_FACETS)


@dataclass
class TermDictionary:
    """Labels and text phrases of the taxonomy, cached per index version."""

    labels: dict[tuple[str, str], str]
    phrases: dict[tuple[str, ...], tuple[str, str]]  # folded words -> (query field, slug)
    longest: int

    @classmethod
    def load(cls) -> TermDictionary:
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
            w for w in rest if w not in STOPWORDS and any(c.isalnum() for c in w)
        )


STOPWORDS = frozenset(
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


_vocabulary: tuple[str, TermDictionary] | None = None


def term_dictionary(state: ix.IndexState) -> TermDictionary:
    global _vocabulary
    if _vocabulary is None or _vocabulary[0] != state.token:
        _vocabulary = (state.token, TermDictionary.load())
    return _vocabulary[1]


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


def match_text(text: str, state: ix.IndexState) -> TextScores:
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
