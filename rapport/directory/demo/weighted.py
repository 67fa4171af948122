"""Weighted choice: the one drawing primitive every demo table goes through.

A draw costs one call to the caller's `random()` and one bisect. Tables take
the caller's `random` rather than owning one, so the whole run stays one
seeded stream (see `generator.py`).
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Table(Generic[T]):
    """Weighted choice with precomputed cumulative weights (one bisect per draw)."""

    __slots__ = ("cum", "hi", "items", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float] | None = None) -> None:
        if not items:
            raise ValueError("a table needs at least one item")
        self.items = list(items)
        self.cum = list(accumulate(weights if weights is not None else [1.0] * len(self.items)))
        self.total = self.cum[-1]
        self.hi = len(self.items) - 1

    def pick(self, rnd: Any) -> T:
        # `hi` guards against rnd() * total rounding up to total.
        return self.items[bisect(self.cum, rnd() * self.total, 0, self.hi)]

    def pick_distinct(self, rnd: Any, k: int) -> list[T]:
        """Up to k different items, heavier ones likelier (draw a few extra, drop repeats)."""
        if k <= 0:
            return []
        items, cum, total, hi = self.items, self.cum, self.total, self.hi
        k = min(k, len(items))
        out = list(dict.fromkeys([items[bisect(cum, rnd() * total, 0, hi)] for _ in range(k + 2)]))
        tries = 0
        while len(out) < k and tries < 12 * k:
            item = items[bisect(cum, rnd() * total, 0, hi)]
            if item not in out:
                out.append(item)
            tries += 1
        return out[:k]

    def __len__(self) -> int:
        return len(self.items)


def weighted(items: list[T], weights: list[float]) -> Table[T]:
    """A table of the items with a positive weight (all of them, evenly, if none has one)."""
    pairs = [(i, w) for i, w in zip(items, weights, strict=True) if w > 0]
    if not pairs:
        pairs = [(i, 1.0) for i in items]
    return Table([i for i, _ in pairs], [w for _, w in pairs])


def from_pairs(pairs: Sequence[tuple[T, float]]) -> Table[T]:
    """A table from (item, weight) pairs, as the data tables write them."""
    return Table([item for item, _ in pairs], [weight for _, weight in pairs])
