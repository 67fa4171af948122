"""The first and later searches for a text word in a fresh worker, in-process.

    .venv/bin/python bench/text_cold.py --size 1000000 --backend sqlite

Search (search/text.py) keeps each word's full-text matches per index segment (docs/decisions.md):
the first search for a word in a worker asks the database about every profile, later
ones reuse the matches. The run tables (bench/run.py) warm every scenario up before
timing, so they show only later searches; this shows the first. Each word runs in a
new process (nothing kept), after the warm-up a web worker does (rapport/wsgi.py):
S4 at the densest centre (ZIP 10001, 25 miles, issue anxiety, the word), the first
call, then the p50 of 20 more. The words are chosen as in bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# Run as a script, sys.path[0] is bench/, whose http.py would hide the standard
# library's: the repository root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common  # noqa: E402


def _one(word: str) -> dict[str, float]:
    import django

    django.setup()
    import rapport.wsgi  # noqa: F401  (the warm-up a web worker does)
    from rapport.directory import search as s

    query = s.SearchQuery(location="10001", issues=("anxiety",), text=word)
    before = _memory_mb()
    started = time.perf_counter()
    total = s.search(query).total
    first = (time.perf_counter() - started) * 1000
    later = []
    for _ in range(20):
        started = time.perf_counter()
        s.search(query)
        later.append((time.perf_counter() - started) * 1000)
    later.sort()
    after = _memory_mb()
    return {
        "first_ms": round(first, 1),
        "later_p50_ms": round(later[10], 2),
        "results": total,
        "rss_before_mb": before["VmRSS"],
        "rss_after_mb": after["VmRSS"],
        "peak_mb": after["VmHWM"],
    }


def _memory_mb() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _sep, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1000000")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--word", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    size = common.parse_size(args.size)
    if args.word:
        print(json.dumps(_one(args.word)))
        return 0
    env = common.dataset_env(size, args.backend)
    os.environ.update(env)
    import django

    django.setup()
    from bench import scenarios
    from rapport.directory import index as ix

    terms = scenarios.choose_text_terms(ix.get_index().base, verbose=False)
    print(f"{args.backend} {size:,} profiles, git {common.git_sha()}, load {common.load_average()}")
    print(
        "| word | share | results | first search | later searches, p50 | worker RSS before → after (peak) |"
    )
    print("|---|---|---|---|---|---|")
    for label, word in terms.items():
        done = subprocess.run(
            [sys.executable, __file__, "--size", str(size), "--backend", args.backend, "--word", word],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {word!r} | {label} | {row['results']:,} | {row['first_ms']:,} ms |"
              f" {row['later_p50_ms']} ms | {row['rss_before_mb']} → {row['rss_after_mb']}"
              f" ({row['peak_mb']}) MB |")  # fmt: skip
    print(f"\nload at end {common.load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
