"""CI smoke test of the benchmark harness (bench/): it runs, and its layers agree.

A tiny dataset, two iterations, no timing assertions (benchmarks are not
tests: performance.md). What it does assert is correctness: the production
search, the bare SQL and the naive ORM return the same ids and counts, so a
benchmark never compares a fast wrong answer with a slow right one.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from bench import layers, outcome, scenarios
from bench.timing import Plan
from rapport.directory import index as ix

PROFILES = 300
ROW_FIELDS = {"scenario", "centre", "radius", "layer", "total", "n", "p50", "p95", "p99", "mean"}


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    call_command("seed_demo", therapists=PROFILES, seed=1, verbosity=0)
    yield ix.get_index().base
    ix.reset_for_tests()


@pytest.mark.django_db
def test_search_layers_agree_on_s0_to_s2(seeded):
    segment = seeded
    centres = scenarios.choose_centres(segment, verbose=False)
    values = scenarios.choose_values(segment)
    chosen = scenarios.select(
        scenarios.build(
            centres,
            values,
            {},
            scenarios.busiest_tele_state(segment),
            segment,
            text_available=False,
        ),  # fmt: skip
        "S0,S1,S2",
        "",
    )
    assert {sc.id for sc in chosen} == {"S0", "S1", "S2"}
    assert len(chosen) == 3 * len(centres) * len(scenarios.RADII)

    two = Plan(iterations=2, budget=0.0, warmup=0, min_iterations=2)
    plans = layers.Plans(fast=two, naive=two, http=two)
    totals = []
    for sc in chosen:
        rows, verdict = layers.run_scenario(sc, ("core", "search", "sql", "naive"), plans)
        assert verdict["ok"], (sc.label, verdict["problems"])
        assert [r["layer"] for r in rows] == ["core", "search", "sql", "naive"]
        for row in rows:
            assert set(row) >= ROW_FIELDS, (sc.label, row)
            assert row["n"] == 2
            assert row["p50"] <= row["p95"] <= row["p99"]
        totals.append(verdict["total"])
    # Not vacuous: the densest centre finds people.
    assert max(totals) > 0


@pytest.mark.django_db
def test_naive_matches_ours_with_filters_left_out(seeded):
    """Facet counts ignore their own selection: the hardest part to get the same."""
    centre = scenarios.choose_centres(seeded, verbose=False)["dense"]
    values = scenarios.choose_values(seeded)
    from rapport.directory.search import SearchQuery

    query = SearchQuery(
        location=centre.location,
        radius=50,
        issues=(values["issues"],),
        insurance=(values["insurance"],),
        genders=(values["genders"],),
        sliding_scale=True,
    )
    ours = outcome.ours(query)
    from bench import naive, sql

    assert outcome.compare(ours, naive.run(query)) == []
    assert outcome.compare(ours, sql.run(query)) == []
    assert sum(ours.facets["issues"].values()) >= ours.total
