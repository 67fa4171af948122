"""The words of a search box: taxonomy phrases in it become facets (`TermDictionary.split_text`),
the rest is matched by the full-text engine, kept per index segment (`match_text`), and a
word that finds nothing one letter off a known word is corrected (`correct_text`)."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rapport.core.text import fold
from rapport.taxonomy.models import Kind, Term

from .. import index as ix
from ..facets import TEXT_FACETS
from ..fulltext import STOP_WORDS, query_words, word_matches
from ..models import TherapistProfile
from .bitmaps import read_bits

__all__ = [
    "SPELLING_MIN_LENGTH", "SPELLING_SAMPLE", "STOPWORDS", "TEXT_CACHE_BYTES", "TEXT_KINDS",
    "TEXT_WITHIN_BELOW", "Correction", "SpellingVocabulary", "TermDictionary", "TextHits",
    "TextScores", "correct_text", "finds_nothing", "fold_words", "match_text",
    "spelling_vocabulary", "statement_word_counts", "term_dictionary",
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


# --- Spelling: a word that finds nothing, one letter off a known word ----------------------
#
# "anxeity" finds nobody: rather than a dead end, the search box suggests the nearest known
# word ("anxiety"), and searches for it when it names a filter. Known words are the
# taxonomy's (names, short names, aliases: what `split_text` reads), the box's own stop words
# ("therapist"), and the common words of the statements. Only words that find nothing are
# corrected: a rare word that finds someone (a surname) is never second-guessed.

# Shorter typed words are never corrected: one letter off "ocd" are "odd" and "add".
SPELLING_MIN_LENGTH = 4
# The common words: those in at least 0.5% (and two) of the first statements by id. Read on
# the first search per index version with a word that finds nothing: ~40 ms for 1,000.
SPELLING_SAMPLE = 1000
SPELLING_MIN_SHARE = 0.005
SPELLING_MAX_COMMON = 5000

# Text in double quotes is searched as typed ("Search instead for" quotes the word).
_QUOTED = re.compile(r'["\u201c\u201d]([^"\u201c\u201d]*)["\u201c\u201d]')
# A word as the full-text engine reads it (fulltext.query_words): letters and digits.
_ENGINE_WORD = re.compile(r"[^\W_]+")


@dataclass
class SpellingVocabulary:
    """The words a search box knows, each with its rank when several are one letter off a
    typed word: (0, n) a word that names a taxonomy term alone, (1, n) a word of a longer
    term name or a stop word of the box, (2, n) the n-th commonest word of the statements."""

    rank: dict[str, tuple[int, int]]

    @classmethod
    def load(cls, vocab: TermDictionary) -> SpellingVocabulary:
        rank: dict[str, tuple[int, int]] = {}
        singles = [words[0] for words in vocab.phrases if len(words) == 1]
        parts = [w for words in vocab.phrases if len(words) > 1 for w in words]
        for tier, words in enumerate((singles, [*parts, *STOPWORDS], common_words())):
            for word in words:
                if len(word) >= 3 and word.isalpha() and word not in STOP_WORDS:
                    rank.setdefault(word, (tier, len(rank)))
        return cls(rank)

    @cached_property
    def _by_deletion(self) -> dict[str, list[str]]:
        # Each word under itself and under each of its one-letter deletions: two words one
        # edit apart share a key (a deletion of one is the other, or both have the same).
        index: dict[str, list[str]] = {}
        for word in self.rank:
            for key in {word, *_deletions(word)}:
                index.setdefault(key, []).append(word)
        return index

    def nearest(self, word: str) -> str | None:
        """The best-ranked known word one edit (a letter added, dropped, changed, or two
        neighbours swapped) from `word`; None when there is none or `word` is known."""
        if word in self.rank:
            return None
        found = {v for key in {word, *_deletions(word)} for v in self._by_deletion.get(key, ())}
        close = [v for v in found if one_edit_apart(word, v)]
        return min(close, key=lambda v: self.rank[v], default=None)


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution, or swap of two neighbouring letters."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i, j = (diff + [0, 0])[:2]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def statement_word_counts(limit: int) -> tuple[Counter[str], int]:
    """In how many of the first `limit` published statements (by id) each word stands, as the
    full-text engine splits words; and how many statements were read."""
    statements = (
        TherapistProfile.objects.published().order_by("id").values_list("statement", flat=True)
    )[:limit]
    counts: Counter[str] = Counter()
    read = 0
    for statement in statements:
        read += 1
        counts.update(set(_ENGINE_WORD.findall(fold(statement or ""))))
    return counts, read


def common_words() -> list[str]:
    """The statements' common words, commonest first: those in SPELLING_MIN_SHARE of the
    first SPELLING_SAMPLE published statements by id."""
    counts, read = statement_word_counts(SPELLING_SAMPLE)
    least = max(2, math.ceil(SPELLING_MIN_SHARE * read))
    common = [w for w, n in counts.items() if n >= least]
    common.sort(key=lambda w: (-counts[w], w))
    return common[:SPELLING_MAX_COMMON]


_spelling: tuple[str, SpellingVocabulary] | None = None


def spelling_vocabulary(state: ix.IndexState) -> SpellingVocabulary:
    """Read on the first search with a word that finds nothing, kept per index version."""
    global _spelling
    if _spelling is None or _spelling[0] != state.token:
        _spelling = (state.token, SpellingVocabulary.load(term_dictionary(state)))
    return _spelling[1]


def finds_nothing(word: str, last: bool, state: ix.IndexState) -> bool:
    """Whether one word of a query matches no profile of the index (as `match_text` reads
    it, so its kept matches answer: no database query after the search's own)."""
    for segment, dead in state.segments:
        hits = _word_hits(segment, word, last=last)
        if hits is None:
            return False  # the engine ignores the word: it is not what found nothing
        positions = hits.positions
        if dead is not None and len(positions):
            positions = positions[~read_bits(dead, positions)]
        if len(positions):
            return False
    return True


@dataclass(frozen=True)
class Correction:
    """A search box's text with the words that found nothing corrected."""

    text: str  # each corrected word replaced by its correction
    as_typed: str  # each corrected word in quotes: searched as typed, never corrected again
    fixed: tuple[tuple[str, str], ...]  # (typed word, its correction), folded
    complete: bool  # every word that found nothing has a correction


def correct_text(
    text: str,
    text_rest: str,
    nothing: Callable[[str, bool], bool],
    vocabulary: Callable[[], SpellingVocabulary],
) -> Correction | None:
    """Corrections of the free words (`text_rest`) of `text` that find nothing.

    `nothing(word, last)` says whether a word of the query finds nothing (`last`: the
    query's last word, which also matches as a prefix); `vocabulary()` is read only when
    some word does. Words in double quotes are left as typed.
    """
    quoted = {w for part in _QUOTED.findall(text) for w in query_words(part)}
    words = query_words(text_rest)
    lost = [
        word
        for i, word in enumerate(words)
        if word not in quoted and nothing(word, i == len(words) - 1)
    ]
    if not lost:
        return None
    known = vocabulary()
    fixes: dict[str, str] = {}
    for word in lost:
        fix = known.nearest(word) if len(word) >= SPELLING_MIN_LENGTH else None
        if fix is not None:
            fixes[word] = fix
    if not fixes:
        return None
    return Correction(
        text=_replace_words(text, lambda typed, word: fixes[word], fixes),
        as_typed=_replace_words(text, lambda typed, word: f'"{typed}"', fixes),
        fixed=tuple(fixes.items()),
        complete=len(fixes) == len(set(lost)),
    )


def _replace_words(text: str, replace: Callable[[str, str], str], fixes: dict[str, str]) -> str:
    """`text` with each word of `fixes` replaced by replace(as typed, folded)."""

    def one(match: re.Match[str]) -> str:
        word = fold(match.group())
        return replace(match.group(), word) if word in fixes else match.group()

    return _ENGINE_WORD.sub(one, text)
