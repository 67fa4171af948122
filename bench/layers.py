"""The layers measured for each scenario, side by side, and the correctness check between them.

Layers (the names used in result files):
- core:      the index pass alone (filters and every facet count, no ranking, no
             database): the search's numpy part (search.filter_and_count), to tell it from loading the page
- search:    search(SearchQuery(...)) with facets and relaxations, as the page calls it
- view_html: the /therapists/ page through Django's test Client, in process
- view_json: GET /api/v1/therapists through the test Client, in process
- http_html, http_json: the same over HTTP against gunicorn (see http.py)
- sql:       one hand-written SQL statement returning the same ids and counts (sql.py)
- naive:     the naive ORM version (naive.py)
Before timing, ours, sql and naive are run once and must agree on ids and counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.test import Client
from django.urls import Resolver404, resolve

from rapport.directory import search as s

from . import naive, outcome, sql
from .scenarios import Scenario
from .timing import Plan, measure, summarize

LAYERS = ("core", "search", "view_html", "view_json", "http_html", "http_json", "sql", "naive")
PAGE_PATH = "/therapists/"
API_PATHS = ("/api/v1/therapists", "/api/v1/therapists/")


@dataclass(frozen=True)
class Plans:
    fast: Plan
    naive: Plan
    http: Plan
    naive_timeout: float | None = None  # seconds per naive call; None: no limit

    @classmethod
    def default(
        cls,
        *,
        quick: bool = False,
        iterations: int = 0,
        budget: float = 0,
        naive_timeout: float = 0,
    ) -> Plans:
        if quick:
            fast = Plan(iterations or 10, budget or 1.5, warmup=1)
            naive = Plan(3, 3.0, warmup=0, min_iterations=1)
            return cls(fast, naive, Plan(10, 1.0, warmup=1), naive_timeout or 30.0)
        fast = Plan(iterations or 50, budget or 5.0, warmup=2)
        # The check call warms naive up; at 1M one call can exceed the budget.
        naive = Plan(10, 15.0, warmup=0, min_iterations=1)
        return cls(fast, naive, Plan(50, 3.0, warmup=2), naive_timeout or 120.0)


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def endpoints() -> dict[str, str | None]:
    """The page and API paths if this checkout has them (both are being built)."""
    api = next((p for p in API_PATHS if _resolves(p)), None)
    return {"html": PAGE_PATH if _resolves(PAGE_PATH) else None, "json": api}


def path_for(kind: str, query: s.SearchQuery, paths: dict[str, str | None]) -> str | None:
    base = paths.get(kind)
    if base is None:
        return None
    qs = query.to_querystring()
    return f"{base}?{qs}" if qs else base


def check(
    scenario: Scenario, layers: tuple[str, ...], naive_timeout: float | None = None
) -> dict[str, object]:
    """Run ours, sql and naive once; they must return the same ids and counts."""
    ours = outcome.ours(scenario.query)
    record: dict[str, object] = {"total": ours.total, "problems": {}, "check_ms": {}}
    for name, fn in (("sql", sql.run), ("naive", naive.run)):
        if name not in layers:
            continue
        started = time.perf_counter()
        if name == "naive":
            try:
                other = naive.run(scenario.query, timeout=naive_timeout)
            except naive.NaiveTimeout as exc:
                record["naive_timeout"] = str(exc)
                continue
        else:
            other = fn(scenario.query)
        record["check_ms"][name] = round((time.perf_counter() - started) * 1000, 3)  # type: ignore[index]
        problems = outcome.compare(ours, other)
        record["problems"][name] = problems  # type: ignore[index]
        record[f"{name}_total"] = other.total
    record["ok"] = not any(record["problems"].values())  # type: ignore[union-attr]
    return record


def run_scenario(
    scenario: Scenario,
    layers: tuple[str, ...],
    plans: Plans,
    *,
    paths: dict[str, str | None] | None = None,
    server: object | None = None,
    pin: bool = False,
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Rows (one per layer) and the correctness record of one scenario."""
    paths = paths if paths is not None else {"html": None, "json": None}
    verdict = check(scenario, layers, plans.naive_timeout)
    check_ms: dict[str, float] = verdict["check_ms"]  # type: ignore[assignment]
    base = {"scenario": scenario.id, "centre": scenario.centre, "radius": scenario.radius,
            "description": scenario.description, "total": verdict["total"],
            "query": scenario.query.to_querystring()}  # fmt: skip
    rows: list[dict[str, object]] = []
    client = Client()

    def in_process(layer: str, fn: Callable[[], object], plan: Plan) -> None:
        rows.append({**base, "layer": layer, **measure(fn, plan)})

    def skipped(layer: str, why: str) -> None:
        rows.append({**base, "layer": layer, "skipped": why})

    q = scenario.query
    for layer in layers:
        if layer == "core":
            in_process(layer, lambda: outcome.core_pass(q), plans.fast)
        elif layer == "search":
            in_process(layer, lambda: s.search(q), plans.fast)
        elif layer in ("view_html", "view_json"):
            path = path_for(layer[5:], q, paths)
            if path is None:
                skipped(layer, "URL not in this checkout yet")
                continue
            response = client.get(path)
            if response.status_code != 200:
                skipped(layer, f"HTTP {response.status_code}")
                continue
            if layer == "view_json":
                # The API must read the same query string as the page: same total.
                total = response.json().get("total")
                verdict["api_total"] = total
                if total != verdict["total"]:
                    verdict["ok"] = False
                    verdict["problems"]["api"] = [f"API total {total} vs {verdict['total']}"]  # type: ignore[index]
            in_process(layer, lambda path=path: client.get(path), plans.fast)
        elif layer in ("http_html", "http_json"):
            path = path_for(layer[5:], q, paths)
            if path is None:
                skipped(layer, "URL not in this checkout yet")
                continue
            if server is None:
                skipped(layer, "no server")
                continue
            from .http import measure as http_measure

            rows.append({**base, "layer": layer, **http_measure(server, path, plans.http, pin=pin)})  # type: ignore[arg-type]
        elif layer == "sql":
            # At 1M one statement takes seconds and the check has warmed it up already.
            warm = check_ms.get("sql", 0) > 1000
            in_process(
                layer, lambda: sql.run(q), replace(plans.fast, warmup=0) if warm else plans.fast
            )
        elif layer == "naive":
            if "naive_timeout" in verdict:
                skipped(layer, f"timed out ({verdict['naive_timeout']})")
                continue
            over = check_ms.get("naive", 0) > plans.naive.budget * 1000
            if over and plans.naive.min_iterations <= 1:
                # One call is over the cell's budget (1M): the check's call is the sample,
                # rather than paying for it twice.
                rows.append({**base, "layer": layer, **summarize([check_ms["naive"]]),
                             "note": "the correctness check's call"})  # fmt: skip
                continue
            try:
                in_process(layer, lambda: naive.run(q, timeout=plans.naive_timeout), plans.naive)
            except naive.NaiveTimeout as exc:
                skipped(layer, f"timed out ({exc})")
        else:
            raise ValueError(f"unknown layer {layer!r}")
    return rows, {**base, **verdict}
