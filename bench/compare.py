"""Compare two commits' benchmark runs: `python bench/compare.py OLD1 OLD2 NEW1 NEW2`.

Each argument is a `bench/out/results-*.json` written by `bench/run.py run`; two runs per
commit, best run alternately (old, new, old, new) on a quiet machine. Prints, per backend and
layer, the geometric mean over scenario cells of new/old at p50 and p95 (each cell taking the
better of its commit's two runs, the least disturbed sample), next to the same code's second run
against its first: the noise a ratio must be read against. Markdown, for docs/benchmarks.md.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

LAYERS = ("core", "search", "view_html", "view_json", "http_html", "http_json", "sql", "naive")
Cell = tuple[str, str, object, str]


def cells(run: dict, backend: str) -> dict[Cell, dict]:
    rows = run["backends"].get(backend, {}).get("rows", [])
    return {(r["scenario"], r["centre"], r["radius"], r["layer"]): r for r in rows if "p50" in r}


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def ratio(old: list[dict], new: list[dict], keys: list[Cell], stat: str) -> float:
    """new/old over the cells, each commit's better run per cell."""
    return geometric_mean(
        [min(c[k][stat] for c in new) / min(c[k][stat] for c in old) for k in keys]
    )


def main(paths: list[str]) -> None:
    if len(paths) != 4:
        sys.exit(__doc__)
    runs = [json.loads(Path(p).read_text()) for p in paths]
    old, new = runs[:2], runs[2:]
    print("| backend | layer | cells | new/old p50 | new/old p95 | old run 2 / run 1 p50 |")
    print("|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgres"):
        o = [cells(r, backend) for r in old]
        n = [cells(r, backend) for r in new]
        for layer in LAYERS:
            keys = [k for k in o[0] if k[3] == layer and all(k in c for c in (*o, *n))]
            if not keys:
                continue

            noise = geometric_mean([o[1][k]["p50"] / o[0][k]["p50"] for k in keys])
            print(
                f"| {backend} | {layer} | {len(keys)} | {ratio(o, n, keys, 'p50'):.3f} "
                f"| {ratio(o, n, keys, 'p95'):.3f} "
                f"| {noise:.3f} |"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
