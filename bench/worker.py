"""One backend's measurements, in a process started by run.py with the dataset's environment.

python -m bench.worker --size N --backend sqlite --out results.json [--quick] ...
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import django


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _versions() -> dict[str, str]:
    import sqlite3

    import numpy
    from django.db import connection

    versions = {"django": django.get_version(), "numpy": numpy.__version__,
                "sqlite": sqlite3.sqlite_version}  # fmt: skip
    try:
        import gunicorn

        versions["gunicorn"] = gunicorn.__version__
    except ImportError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            versions["postgresql"] = cursor.fetchone()[0]
    return versions


def _index_facts() -> tuple[dict[str, object], object]:
    """Load time of the prepared snapshot, a fresh build's time, and the index's size."""
    from rapport.directory import index as ix

    started = time.perf_counter()
    state = ix.get_index()
    loaded = time.perf_counter() - started
    base = state.base
    touched = time.perf_counter()
    # Memory-mapped arrays load lazily: reading them once is what a first search pays.
    for name in ix.Segment._ARRAYS:
        getattr(base, name).sum()
    touch = time.perf_counter() - touched
    started = time.perf_counter()
    fresh = ix.build_segment()
    built = time.perf_counter() - started
    snapshot = ix.index_dir() / f"snapshot-{state.base_version}-{state.base_token or 'empty'}"
    facts = {
        "profiles": base.size,
        "office_points": len(base.pt_lat),
        "bitmaps": int(base.bits.shape[0]),
        "memory_mb": round(sum(getattr(fresh, n).nbytes for n in ix.Segment._ARRAYS) / 1e6, 1),
        "snapshot_mb": round(_dir_bytes(snapshot) / 1e6, 1),
        "first_get_index_s": round(loaded, 3),
        "first_read_s": round(touch, 3),
        "build_s": round(built, 2),
    }
    del fresh
    return facts, state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--backend", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--scenarios", default="")
    parser.add_argument("--centres", default="")
    parser.add_argument("--radii", default="")
    parser.add_argument("--layers", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--iterations", type=int, default=0)
    parser.add_argument("--budget", type=float, default=0)
    parser.add_argument("--naive-timeout", type=float, default=0)
    parser.add_argument("--no-pin", action="store_true")
    args = parser.parse_args(argv)

    django.setup()
    from rapport.core.allocator import tune_allocator
    from rapport.directory import search as s

    # As the web worker does (rapport/wsgi.py), so in-process layers compare with HTTP.
    tune_allocator()

    from . import common, layers, scenarios
    from .http import Server
    from .timing import Plan

    pin = not args.no_pin
    if pin:
        # The in-process layers run on the server's core, so their times compare.
        os.sched_setaffinity(0, {0})
    git_at_start = common.git_sha()
    print(f"=== {args.backend} {args.size:,} profiles (git {git_at_start})", flush=True)
    versions = _versions()
    index_facts, state = _index_facts()
    print(f"index: {index_facts}", flush=True)

    segment = state.base
    centres = scenarios.choose_centres(segment)
    values = scenarios.choose_values(segment)
    print(f"facet values: {values}")
    try:
        import rapport.directory.fulltext  # noqa: F401

        text_available = True
    except ImportError:
        text_available = False
        print("note: rapport/directory/fulltext.py missing: S4 and S5 skipped")
    text_terms = scenarios.choose_text_terms(segment) if text_available else {}
    tele_state = scenarios.busiest_tele_state(segment)
    radii = tuple(int(r) for r in args.radii.split(",") if r.strip()) or scenarios.RADII
    if args.quick and not args.radii:
        radii = (scenarios.DEFAULT_RADIUS,)
    chosen = scenarios.select(
        scenarios.build(
            centres,
            values,
            text_terms,
            tele_state,
            segment,
            radii=radii,
            text_available=text_available,
        ),  # fmt: skip
        args.scenarios,
        args.centres,
    )
    wanted = tuple(x.strip() for x in args.layers.split(",") if x.strip()) or layers.LAYERS
    unknown = set(wanted) - set(layers.LAYERS)
    if unknown:
        raise SystemExit(f"unknown layers: {sorted(unknown)}")
    plans = layers.Plans.default(
        quick=args.quick,
        iterations=args.iterations,
        budget=args.budget,
        naive_timeout=args.naive_timeout,
    )
    paths = layers.endpoints()
    notes: list[str] = []
    for kind, path in paths.items():
        if path is None:
            notes.append(f"{kind} endpoint not in this checkout: view_{kind}/http_{kind} skipped")
            print(f"note: {notes[-1]}")

    server = None
    memory: dict[str, object] = {}
    if any(layer.startswith("http_") for layer in wanted):
        server = Server(pin=pin)
        started = time.perf_counter()
        server.start()
        memory["server_start_s"] = round(time.perf_counter() - started, 2)
        memory["after_start_kb"] = server.memory()
        # Warm-up pass: every page once, so the worker's RSS is that of a warm process.
        for sc in chosen:
            for kind in ("html", "json"):
                path = layers.path_for(kind, sc.query, paths)
                if path:
                    server.get(path, timeout=600)
        memory["after_warmup_kb"] = server.memory()
        print(f"gunicorn worker memory: {memory}", flush=True)

    rows: list[dict[str, object]] = []
    checks: list[dict[str, object]] = []
    try:
        for sc in chosen:
            started = time.perf_counter()
            cell_rows, verdict = layers.run_scenario(sc, wanted, plans, paths=paths, server=server,
                                                     pin=pin)  # fmt: skip
            rows.extend(cell_rows)
            checks.append(verdict)
            shown = "  ".join(
                f"{r['layer']} {r['p50']:.2f}/{r['p95']:.2f}" for r in cell_rows if "p50" in r
            )
            flag = "ok" if verdict["ok"] else "MISMATCH " + json.dumps(verdict["problems"])[:300]
            if verdict.get("naive_timeout"):
                flag += f", naive timed out {verdict['naive_timeout']}"
            print(f"{sc.label:<24} total {verdict['total']:>7,}  {shown}  [{flag}]"
                  f" ({time.perf_counter() - started:.0f}s)", flush=True)  # fmt: skip
    finally:
        if server is not None:
            memory["after_run_kb"] = server.memory()
            server.stop()

    result = {
        "backend": args.backend,
        # The tree can move while a long run goes on: each backend records what it ran.
        "git": git_at_start,
        "size": args.size,
        "versions": versions,
        "prepare": common.read_prepare(args.size, args.backend),
        "index": index_facts,
        "memory": memory,
        "centres": {k: c.as_dict() for k, c in centres.items()},
        "values": values,
        "text_terms": text_terms,
        "tele_state": tele_state,
        "plans": {k: vars(v) for k, v in vars(plans).items() if isinstance(v, Plan)},
        "naive_timeout_s": plans.naive_timeout,
        "paths": paths,
        "notes": notes,
        "rows": rows,
        "checks": checks,
        "search_module": s.__file__,
    }
    Path(args.out).write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
