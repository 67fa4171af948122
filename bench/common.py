"""Datasets, their environments and the machine description; no Django imports here.

Every dataset gets an environment of its own so a benchmark never touches the
developer's database or search index: SQLite lives in
bench/out/<size>/sqlite/ (RAPPORT_DATA_DIR), PostgreSQL in the database
rapport_bench_<size>, with its index snapshots in bench/out/<size>/postgres/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"
BACKENDS = ("sqlite", "postgres")
POSTGRES_SERVER = os.environ.get("RAPPORT_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SEED = 1
# Variables of the caller's shell that would point a dataset at another database or cache.
_SCRUB = ("DATABASE_URL", "REDIS_URL", "RAPPORT_INDEX_DIR", "RAPPORT_ENV", "DJANGO_SETTINGS_MODULE")


def parse_size(text: str) -> int:
    """'10000', '10k', '100k', '1M' -> int."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", str(text))
    if not match:
        raise ValueError(f"not a size: {text!r}")
    number = float(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(number)


def dataset_dir(size: int, backend: str) -> Path:
    return OUT / str(size) / backend


def database_name(size: int) -> str:
    return f"rapport_bench_{size}"


def database_url(size: int) -> str:
    return f"{POSTGRES_SERVER.rstrip('/')}/{database_name(size)}"


def dataset_env(size: int, backend: str) -> dict[str, str]:
    """The environment under which `rapport` commands and the app see this dataset."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env["RAPPORT_DATA_DIR"] = str(dataset_dir(size, backend))
    env["DJANGO_SETTINGS_MODULE"] = "rapport.settings"
    # DEBUG would keep every SQL statement in memory and change the timings.
    env["DEBUG"] = "0"
    env["LOG_LEVEL"] = "WARNING"
    env["PYTHONHASHSEED"] = "0"
    if backend == "postgres":
        env["DATABASE_URL"] = database_url(size)
    elif backend != "sqlite":
        raise ValueError(f"unknown backend {backend!r}")
    # The harness imports `bench.*` in its worker processes.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def venv_bin(name: str) -> str:
    """A tool of the interpreter's environment (gunicorn), else from PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def read_prepare(size: int, backend: str) -> dict | None:
    path = dataset_dir(size, backend) / "prepare.json"
    return json.loads(path.read_text()) if path.exists() else None


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def git_sha() -> str:
    sha = _run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    return f"{sha}{'+dirty' if dirty else ''}" if sha else "unknown"


def machine() -> dict[str, object]:
    """CPU, memory and versions, recorded with every result file."""
    lscpu = _run(["lscpu"])
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in lscpu.splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    wrk = shutil.which("wrk")
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": _os_name(),
        "python": platform.python_version(),
        "git": git_sha(),
        "wrk": _run([wrk, "--version"]).splitlines()[0] if wrk else "",
        "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0
