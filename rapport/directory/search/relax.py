"""Too few results: the nearest ways to more (a wider circle, online sessions, one filter
fewer), each with the count it would give."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from rapport.core.states import state_name

from .. import index as ix
from ..facets import FACETS
from .filters import Circles, SegmentCandidates, count_results
from .places import Location
from .query import RADII, Relaxation, SearchQuery
from .text import TextScores

__all__ = ["relaxations"]


def _count_without(passes: list[SegmentCandidates] | None, name: str) -> int | None:
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


def relaxations(
    query: SearchQuery,
    location: Location | None,
    state: ix.IndexState,
    text_scores: TextScores | None,
    total: int,
    circles: Circles | None = None,
    passes: list[SegmentCandidates] | None = None,
    *,
    on: dt.date | None = None,
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
        # Each facet's "without the issue filter" (facets.py), then the other filters.
        **{facet.field: facet.without for facet in FACETS},
        "max_fee": _("with any fee"),
        "sliding_scale": _("without requiring a sliding scale"),
        "free_consultation": _("without requiring a free consultation"),
        "verified": _("including self-reported licenses"),
        "accepting": _("including those not taking new clients"),
    }
    for name, words in labels.items():
        current = getattr(query, name)
        if current and current != ():
            default: Any = False if name == "accepting" else getattr(SearchQuery(), name)
            relaxed = replace(query, **{name: default})
            options.append((str(words), relaxed, name))
    results: list[Relaxation] = []
    for label, relaxed, dropped in options:
        wider = relaxed.radius != query.radius
        # Of the wider radii (nearest first), only the nearest one that finds more is offered.
        if wider and any(r.query.radius != query.radius for r in results):
            continue
        relaxed = replace(relaxed, page=1)
        found = _count_without(passes, dropped) if dropped else None
        if found is None:
            found = count_results(state, relaxed, location, text_scores, circles, on)
        if found > total:
            results.append(Relaxation(label, found, relaxed))
    results.sort(key=lambda r: -r.count)
    return results[:4]
