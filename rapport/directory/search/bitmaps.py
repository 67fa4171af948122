"""Bit-level reading of the index's bitmaps: a facet row as a bitmap, the band of words a query
works on (`Band`), and whether given positions have their bit set (`bits_at`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import index as ix

__all__ = ["Band", "any_of", "bits_at", "read_bits", "row_of", "value_runs"]


def value_runs(values: np.ndarray, *, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs of sorted integers whose neighbours are at most `gap` apart: (firsts, ends)."""
    if not len(values):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    breaks = np.flatnonzero(np.diff(values) > gap)
    return np.r_[values[0], values[breaks + 1]], np.r_[values[breaks], values[-1]] + 1


def row_of(segment: ix.Segment, namespace: str, key: str) -> np.ndarray:
    row = segment.row(namespace, key)
    return np.zeros(segment.words, dtype=np.uint64) if row is None else np.asarray(row)


def any_of(segment: ix.Segment, namespace: str, keys: Sequence[str], band: Band) -> np.ndarray:
    out = np.zeros(band.size, dtype=np.uint64)
    for key in keys:
        row = segment.row(namespace, key)
        if row is not None:
            out |= band.take(row)
    return out


@dataclass
class Band:
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
    def of(cls, base: np.ndarray) -> Band:
        nonzero = np.flatnonzero(base)
        if not len(nonzero):
            return cls(0, 0, None)
        lo, hi = int(nonzero[0]), int(nonzero[-1]) + 1
        if len(nonzero) >= cls.GATHER_BELOW * (hi - lo):
            return cls(lo, hi, None)
        firsts, ends = value_runs(nonzero, gap=cls.RUN_GAP)
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


def read_bits(bitmap: np.ndarray, positions: np.ndarray) -> np.ndarray:
    if not len(positions):
        return np.zeros(0, dtype=bool)
    words = bitmap[positions >> 6]
    return ((words >> (positions & 63).astype(np.uint64)) & ix._ONE).astype(bool)


def bits_at(bitmap: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Whether each position's bit is set (a column read for matching)."""
    return read_bits(np.asarray(bitmap), positions)
