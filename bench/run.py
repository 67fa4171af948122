"""Rapport's search benchmark: `python bench/run.py prepare|run|report` (see bench/README.md).

    python bench/run.py prepare --size 100000 --backend both
    python bench/run.py run --size 100000 --backend both [--scenarios S0,S2] [--quick]
    python bench/run.py report bench/out/results-100000-both-*.json

`run` starts one worker process per backend (each with its dataset's
environment and `django.setup()`), then merges their results: the layers of
one scenario, and the two backends, are measured side by side in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make `bench` importable from the repository root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common


def _backends(value: str) -> list[str]:
    return list(common.BACKENDS) if value == "both" else [value]


def cmd_prepare(args: argparse.Namespace) -> int:
    from bench.prepare import prepare

    size = common.parse_size(args.size)
    for backend in _backends(args.backend):
        prepare(size, backend, force=args.force)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bench import report

    size = common.parse_size(args.size)
    backends = _backends(args.backend)
    missing = [b for b in backends if common.read_prepare(size, b) is None]
    if missing:
        print(f"not prepared: {', '.join(missing)}; run `python bench/run.py prepare --size {size}"
              f" --backend {args.backend}` first", file=sys.stderr)  # fmt: skip
        return 2
    load = common.load_average()
    if load >= 1.0:
        print(f"warning: load average {load:.2f}: other work on this machine skews timings",
              file=sys.stderr)  # fmt: skip
    merged: dict = {
        "machine": common.machine(),
        "size": size,
        "backends": {},
        "args": {k: v for k, v in vars(args).items() if k != "func"},
    }
    merged["machine"]["load_average_start"] = round(load, 2)
    for backend in backends:
        env = common.dataset_env(size, backend)
        # The code moves on while a dataset stays: bring its schema up to date first.
        migrated = subprocess.run(
            [sys.executable, "-m", "rapport", "migrate", "--no-input", "-v", "0"],
            env=env,
            cwd=common.REPO,
        )
        if migrated.returncode != 0:
            print(f"{backend}: migrate failed (exit {migrated.returncode})", file=sys.stderr)
            return migrated.returncode
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            out = Path(tmp.name)
        cmd = [sys.executable, "-m", "bench.worker", "--size", str(size), "--backend", backend,
               "--out", str(out), *args.worker_args]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=common.REPO)
        if done.returncode != 0:
            print(f"{backend} worker failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode
        merged["backends"][backend] = json.loads(out.read_text())
        merged["backends"][backend]["wall_seconds"] = round(time.perf_counter() - started, 1)
        out.unlink()
    merged["machine"]["load_average_end"] = round(common.load_average(), 2)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    label = "both" if len(backends) > 1 else backends[0]
    path = common.OUT / f"results-{size}-{label}-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=1))
    print()
    print(report.text_report(merged))
    print(f"\nwritten: {path.relative_to(common.REPO)}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bench import report

    for name in args.files:
        print(report.markdown_report(json.loads(Path(name).read_text()), source=name))
        print()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("prepare", help="create and seed a dataset")
    p.add_argument("--size", required=True, help="profiles: 10000, 100000, 1000000 (or 10k, 1M)")
    p.add_argument("--backend", choices=[*common.BACKENDS, "both"], default="sqlite")
    p.add_argument("--force", action="store_true", help="drop and rebuild an existing dataset")
    p.set_defaults(func=cmd_prepare)

    r = sub.add_parser("run", help="measure a prepared dataset")
    r.add_argument("--size", required=True)
    r.add_argument("--backend", choices=[*common.BACKENDS, "both"], default="sqlite")
    r.add_argument("--scenarios", default="", help="comma-separated ids or prefixes: S0,S4")
    r.add_argument("--centres", default="", help="comma-separated: dense,median,sparse")
    r.add_argument("--radii", default="", help="comma-separated miles for S0-S2 (default 10,25,50)")
    r.add_argument("--layers", default="",
                   help="comma-separated: core,search,view_html,view_json,http_html,http_json,sql,naive")  # fmt: skip
    r.add_argument("--quick", action="store_true", help="25 miles only, few iterations")
    r.add_argument("--iterations", type=int, default=0, help="override: iterations per fast cell")
    r.add_argument("--budget", type=float, default=0, help="override: seconds per fast cell")
    r.add_argument(
        "--naive-timeout", type=float, default=0, help="seconds per naive call (default 120)"
    )
    r.add_argument("--no-pin", action="store_true", help="do not pin to cores 0 and 1")
    r.set_defaults(func=cmd_run)

    rep = sub.add_parser("report", help="markdown tables from result files")
    rep.add_argument("files", nargs="+")
    rep.set_defaults(func=cmd_report)

    args = parser.parse_args(argv)
    if args.command == "run":
        forwarded = []
        for name in ("scenarios", "centres", "radii", "layers"):
            if getattr(args, name):
                forwarded += [f"--{name}", getattr(args, name)]
        if args.quick:
            forwarded.append("--quick")
        if args.iterations:
            forwarded += ["--iterations", str(args.iterations)]
        if args.budget:
            forwarded += ["--budget", str(args.budget)]
        if args.naive_timeout:
            forwarded += ["--naive-timeout", str(args.naive_timeout)]
        if args.no_pin or (os.cpu_count() or 1) < 2:
            forwarded.append("--no-pin")
        args.worker_args = forwarded
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
