"""The naive ORM search: the pattern performance.md says passes at 10k and fails at 1M.

How a first Django implementation would do it: join tables for the filters,
fetch every office in a bounding box and compute its distance in Python, row
by row; then a separate COUNT for the total and for each flag, and a separate
GROUP BY per facet, each facet re-running the whole candidate search without
its own selection. It must return exactly what search() returns (the CI smoke
test checks), so only its cost differs.

The one concession: candidate ids go to the database as one parameter
(json_each on SQLite, an array on PostgreSQL), because a 70,000-item IN list
fails outright on SQLite; that is the mildest fix anyone would apply.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from django.db import OperationalError, connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from rapport.core import geo
from rapport.directory import availability
from rapport.directory import search as s
from rapport.directory.facets import TERM_FIELDS
from rapport.directory.fulltext import fulltext_search
from rapport.directory.models import ApproachStatement, License, Status, TherapistProfile
from rapport.taxonomy import hierarchy
from rapport.taxonomy.models import Kind, Term

from .outcome import GENDERS, Outcome, effective


def _accepting() -> Q:
    """ "Accepting": the flag, and not confirmed more than 90 days ago (availability.py)."""
    cutoff = availability.today() - dt.timedelta(days=availability.EXPIRED_AFTER_DAYS)
    return Q(accepting_new_clients=True) & (
        Q(accepting_confirmed_at__isnull=True) | Q(accepting_confirmed_at__gte=cutoff)
    )


M2M_FIELDS = {name: kind for name, kind in TERM_FIELDS.items()
              if kind not in (Kind.APPROACH, Kind.LICENSE_TYPE)}  # fmt: skip


class NaiveTimeout(Exception):
    """One naive search took longer than the cell's limit (it can take minutes at 1M)."""


_deadline: float | None = None


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Abort a naive search after `seconds`: between its passes, and inside a statement.

    SQLite: a progress handler interrupts the running statement; PostgreSQL: a
    statement_timeout. Either error becomes NaiveTimeout.
    """
    global _deadline
    if not seconds:
        yield
        return
    _deadline = time.monotonic() + seconds
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        deadline = _deadline
        connection.connection.set_progress_handler(
            lambda: 1 if time.monotonic() > deadline else 0, 100_000
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, false)", [f"{int(seconds * 1000)}ms"]
            )
    try:
        yield
    except OperationalError as exc:
        if "interrupt" in str(exc) or "statement timeout" in str(exc):
            raise NaiveTimeout(f"over {seconds:g} s") from exc
        raise
    finally:
        _deadline = None
        if connection.connection is not None:
            if connection.vendor == "sqlite":
                connection.connection.set_progress_handler(None, 0)
            else:
                with connection.cursor() as cursor:
                    cursor.execute("RESET statement_timeout")


def _check_deadline() -> None:
    if _deadline is not None and time.monotonic() > _deadline:
        raise NaiveTimeout("over the time limit")


def _ids(ids: set[int] | list[int]) -> RawSQL:
    """A subquery yielding these ids, usable as `id__in=` whatever their number."""
    values = sorted(ids)
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])
    return RawSQL("SELECT unnest(%s::bigint[])", [values])


def _filtered(q: s.SearchQuery) -> QuerySet[TherapistProfile]:
    qs = TherapistProfile.objects.filter(status=Status.PUBLISHED)
    for name, kind in M2M_FIELDS.items():
        if getattr(q, name):
            # Each asked-for term with its narrower ones (taxonomy.hierarchy), as the index does.
            widened = {n for slug in getattr(q, name) for n in hierarchy.narrower(kind, slug)}
            qs = qs.filter(terms__kind=kind, terms__slug__in=widened)
    if q.approaches:
        qs = qs.filter(approach_statements__approach__slug__in=q.approaches)
    if q.license_types:
        qs = qs.filter(licenses__license_type__slug__in=q.license_types)
    if q.genders:
        qs = qs.filter(gender__in=q.genders)
    if q.sliding_scale:
        qs = qs.filter(sliding_scale=True)
    if q.free_consultation:
        qs = qs.filter(free_consultation=True)
    if q.verified:
        qs = qs.filter(licenses__verified_at__isnull=False)
    if q.accepting:
        qs = qs.filter(_accepting())
    if q.max_fee is not None:
        qs = qs.filter(fee_min__isnull=False, fee_min__lte=q.max_fee)
    return qs


def candidates(
    q: s.SearchQuery, location: s.Location | None, text_ids: set[int] | None
) -> dict[int, tuple[bool, bool]]:
    """id -> (reached in person, reached online), distance checked in Python on every row."""
    _check_deadline()
    qs = _filtered(q)
    found: dict[int, tuple[bool, bool]] = {}
    if q.mode in ("both", "in_person"):
        if location is None:
            rows = qs.filter(in_person=True).values_list("id", flat=True).order_by().distinct()
            for pk in rows:
                found[pk] = (True, False)
        elif location.has_point:
            radius = float(q.radius)
            dlat = radius / 69.0 + 0.01
            dlon = (
                radius / (69.0 * math.cos(math.radians(min(89.0, abs(location.lat) + dlat)))) + 0.01
            )
            rows = (
                qs.filter(
                    in_person=True,
                    offices__lat__range=(location.lat - dlat, location.lat + dlat),
                    offices__lon__range=(location.lon - dlon, location.lon + dlon),
                )
                .values_list("id", "offices__lat", "offices__lon")
                .order_by()
                .distinct()
            )
            for pk, lat, lon in rows:
                if geo.haversine_miles(location.lat, location.lon, lat, lon) <= radius:
                    found[pk] = (True, False)
        else:
            rows = qs.filter(in_person=True, offices__state=location.state)
            for pk in rows.values_list("id", flat=True).order_by().distinct():
                found[pk] = (True, False)
    if q.mode in ("both", "online"):
        online = qs.filter(telehealth=True)
        if location is not None:
            # JSON stored as text on SQLite, jsonb on PostgreSQL: a text match works on both.
            online = online.filter(telehealth_states__icontains=f'"{location.state}"')
        for pk in online.values_list("id", flat=True).order_by().distinct():
            found[pk] = (found.get(pk, (False, False))[0], True)
    if text_ids is not None:
        found = {pk: how for pk, how in found.items() if pk in text_ids}
    return found


def run(query: s.SearchQuery, *, timeout: float | None = None) -> Outcome:
    """The naive search; NaiveTimeout after `timeout` seconds."""
    with time_limit(timeout):
        return _run(query)


def _run(query: s.SearchQuery) -> Outcome:
    eff, rest = effective(query)
    location = s.resolve_location(eff.location).location
    text_ids = {pk for pk, _score in fulltext_search(rest)} if rest else None
    final = candidates(eff, location, text_ids)
    # A separate COUNT, as a paginator would issue.
    total = TherapistProfile.objects.filter(id__in=_ids(final)).count()
    ids = sorted(final)
    assert total == len(ids)

    def without(name: str) -> set[int]:
        """Candidates ignoring one selection: the whole search again."""
        if name == "accepting":
            if not eff.accepting:
                return set(final)
            return set(candidates(replace(eff, accepting=False), location, text_ids))
        if not getattr(eff, name):
            return set(final)
        return set(candidates(eff.without(name), location, text_ids))

    facets: dict[str, dict[str, int]] = {}
    for name, kind in M2M_FIELDS.items():
        rows = (
            Term.objects.filter(kind=kind, profiles__id__in=_ids(without(name)))
            .values_list("slug")
            .annotate(n=Count("profiles"))
            .order_by()
        )
        facets[name] = {slug: n for slug, n in rows if n}
        for (hkind, broad), counting in hierarchy.widened().items():
            if hkind == kind:
                n = (
                    TherapistProfile.objects.filter(
                        id__in=_ids(without(name)), terms__kind=kind, terms__slug__in=counting
                    )
                    .distinct()
                    .count()
                )
                if n:
                    facets[name][broad] = n
    rows = (
        ApproachStatement.objects.filter(profile_id__in=_ids(without("approaches")))
        .values_list("approach__slug")
        .annotate(n=Count("profile_id", distinct=True))
        .order_by()
    )
    facets["approaches"] = {slug: n for slug, n in rows if n}
    rows = (
        License.objects.filter(profile_id__in=_ids(without("license_types")))
        .values_list("license_type__slug")
        .annotate(n=Count("profile_id", distinct=True))
        .order_by()
    )
    facets["license_types"] = {slug: n for slug, n in rows if n}
    rows = (
        TherapistProfile.objects.filter(id__in=_ids(without("genders")), gender__in=GENDERS)
        .values_list("gender")
        .annotate(n=Count("id"))
        .order_by()
    )
    facets["genders"] = {gender: n for gender, n in rows if n}

    flags: dict[str, int] = {}
    for name, lookup in (
        ("sliding_scale", {"sliding_scale": True}),
        ("free_consultation", {"free_consultation": True}),
        ("verified", {"licenses__verified_at__isnull": False}),
        ("accepting", {}),
    ):
        also = _accepting() if name == "accepting" else Q()
        flags[name] = (
            TherapistProfile.objects.filter(also, id__in=_ids(without(name)), **lookup)
            .order_by()
            .distinct()
            .count()
        )
    flags["in_person"] = sum(1 for ip, _ol in final.values() if ip)
    flags["online"] = sum(1 for _ip, ol in final.values() if ol)
    return Outcome(ids, facets, flags)
