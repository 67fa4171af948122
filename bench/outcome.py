"""What a search returns, reduced to what every layer must agree on: ids, total and counts.

`ours()` reads the production search (`rapport.directory.search`); `sql.py`
and `naive.py` compute the same `Outcome` their own way, and `compare()`
says where they differ. Ranking is not compared: only the bare SQL and the
naive ORM would need to reproduce it, and neither is meant to.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from rapport.directory import index as ix
from rapport.directory import search as s
from rapport.directory.facets import FACET_FIELDS

# Facet counts compared, by query field: every facet of the table (directory/facets.py).
FACETS: tuple[str, ...] = FACET_FIELDS
# Flag counts: the filters (each ignoring its own selection) and how people are reached.
FLAGS: tuple[str, ...] = (*s.BOOL_FILTERS, "accepting", "in_person", "online")
GENDERS: tuple[str, ...] = ix.GENDERS


@dataclass
class Outcome:
    ids: list[int]  # every matching profile id, sorted
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # non-zero counts only
    flags: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.ids)


def effective(query: s.SearchQuery) -> tuple[s.SearchQuery, str]:
    """The query as search() runs it: taxonomy words of the text become facets; the rest is text."""
    if not query.text.strip():
        return query, ""
    vocab = s.term_dictionary(ix.get_index())
    detected, rest = vocab.split_text(query.text)
    for name, slugs in detected.items():
        merged = tuple(dict.fromkeys([*getattr(query, name), *slugs]))
        query = replace(query, **{name: merged})
    return replace(query, text=rest), rest


def ours(query: s.SearchQuery) -> Outcome:
    """The production search's ids (every page) and counts."""
    result = s.search(query)
    parts = [np.asarray(p.segment.ids)[p.positions] for p in s.filter_and_count(query)]
    ids = sorted(int(i) for i in np.concatenate(parts)) if parts else []
    assert len(ids) == result.total, (len(ids), result.total)
    facets = {
        name: {o.value: o.count for o in result.facets.get(name, []) if o.count} for name in FACETS
    }
    flags = {name: int(result.counts.get(name, 0)) for name in FLAGS}
    return Outcome(ids, facets, flags)


def core_pass(query: s.SearchQuery) -> int:
    """What search() does in memory before ranking: every segment's filters and facet counts
    (`search.filter_and_count`, the search's own stage, not a copy of it)."""
    return sum(len(p.positions) for p in s.filter_and_count(query))


def compare(a: Outcome, b: Outcome) -> list[str]:
    """Human-readable differences (empty when the outcomes agree)."""
    problems: list[str] = []
    if a.ids != b.ids:
        only_a = sorted(set(a.ids) - set(b.ids))
        only_b = sorted(set(b.ids) - set(a.ids))
        problems.append(
            f"ids differ: {a.total} vs {b.total}; only first {only_a[:5]}, only second {only_b[:5]}"
        )
    for name in FACETS:
        x, y = a.facets.get(name, {}), b.facets.get(name, {})
        if x != y:
            keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            problems.append(
                f"{name} counts differ: "
                + ", ".join(f"{k} {x.get(k)}/{y.get(k)}" for k in keys[:5])
            )
    for name in FLAGS:
        if a.flags.get(name) != b.flags.get(name):
            problems.append(f"{name} count {a.flags.get(name)} vs {b.flags.get(name)}")
    return problems
