"""Server time of the approach and place pages and of Find your match, in-process.

    .venv/bin/python bench/pages.py --size 1000000 --backend sqlite

On a dataset made by `bench/run.py prepare`. Pages are requested through
`django.test.Client` (the whole Django stack without a socket); matching is
`rapport.matching.scoring.rank()`, which scores every eligible profile and
explains the top ten. Each line: 3 warm-ups, then `--iterations` timed calls;
p50 / p95 in ms. Prints a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/, whose http.py would hide the standard
# library's: the repository root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common  # noqa: E402

PAGES = (
    "/approaches/relational-therapy/",
    "/approaches/relational-therapy/?page=50",
    "/approaches/relational-therapy/?location=10001",
    "/approaches/relational-therapy/?location=10001&page=50",
    "/therapists/ny/new-york/",
    "/issues/anxiety/",
)


def _answers():  # type: ignore[no-untyped-def]
    from rapport.matching.scoring import Answers, Preference

    return {
        "ZIP 10001, either format, anxiety + depression, Aetna, woman (nice), CBT": Answers(
            location="10001",
            issues=("anxiety", "depression"),
            payment="insurance",
            insurance="aetna",
            preferences=(Preference("gender", "woman"),),
            approaches=("cbt",),
        ),
        "ZIP 10001, in person, anxiety, self-pay <= $150": Answers(
            location="10001", mode="in_person", issues=("anxiety",), payment="self_pay", budget=150
        ),
        "Oceanside, CA, either, trauma, sliding scale": Answers(
            location="Oceanside, CA", issues=("trauma-ptsd",), payment="sliding_scale"
        ),
        "Owensboro, KY, in person, grief": Answers(
            location="Owensboro, KY", mode="in_person", issues=("grief-bereavement",)
        ),
    }


def _time(fn, iterations: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    for _ in range(3):
        fn()
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1000000")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--iterations", type=int, default=40)
    args = parser.parse_args()
    size = common.parse_size(args.size)
    os.environ.update(common.dataset_env(size, args.backend))
    os.environ.setdefault("ALLOWED_HOSTS", "*")
    # The warm-up a web worker does (geo tables, index, vocabulary, gc.freeze()).
    from django.db import connection
    from django.test import Client

    import rapport.wsgi  # noqa: F401
    from rapport.directory import index as ix
    from rapport.matching.scoring import rank

    ix.get_index()
    client = Client()
    print(f"{args.backend} {size:,} profiles, git {common.git_sha()}, load {common.load_average()}")
    print("\n| page | p50 | p95 | SQL queries |\n|---|---|---|---|")
    for url in PAGES:
        assert client.get(url).status_code == 200, url
        queries: list[str] = []

        # Counted on the way to the database (the test client resets query logs per request).
        def count(run, sql, *rest, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(url)
        p50, p95 = _time(lambda url=url: client.get(url), args.iterations)
        print(f"| `{url}` | {p50:.1f} | {p95:.1f} | {len(queries)} |")
    print("\n| Find your match: answers | eligible | p50 | p95 |\n|---|---|---|---|")
    for label, answers in _answers().items():
        eligible = rank(answers).eligible
        p50, p95 = _time(lambda answers=answers: rank(answers), args.iterations)
        print(f"| {label} | {eligible:,} | {p50:.1f} | {p95:.1f} |")
    print(f"\nload at end {common.load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
