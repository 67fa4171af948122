"""`run.py prepare`: a dedicated database seeded with `seed_demo --seed 1`, and its search index.

Every step runs `python -m rapport ...` in a subprocess under the dataset's
environment (common.dataset_env), exactly as an operator would, and is timed.
The same seed on both backends gives the same profiles, so results compare.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

from . import common

FULLTEXT_SYNC = """
from django.db import connection
from rapport.directory.models import TherapistProfile
from rapport.directory import fulltext
published = TherapistProfile.objects.published().count()
with connection.cursor() as cursor:
    cursor.execute(f"SELECT COUNT(*) FROM {fulltext.TABLE}")
    indexed = cursor.fetchone()[0]
if indexed < published:
    fulltext.fulltext_sync()
    print(f"fulltext: synced {published:,} profiles (had {indexed:,})")
else:
    print(f"fulltext: already has {indexed:,} rows")
"""

DATASET_FACTS = """
import json
from django.db import connection
from rapport.directory.models import Office, TherapistProfile
facts = {
    "profiles": TherapistProfile.objects.count(),
    "published": TherapistProfile.objects.published().count(),
    "offices": Office.objects.count(),
    "vendor": connection.vendor,
}
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_database_size(current_database())")
        facts["database_bytes"] = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        facts["server_version"] = cursor.fetchone()[0]
    else:
        import sqlite3
        facts["server_version"] = sqlite3.sqlite_version
print("FACTS " + json.dumps(facts))
"""


def _has_module(env: dict[str, str], module: str) -> bool:
    probe = (
        f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({module!r}) else 1)"
    )
    return subprocess.run([sys.executable, "-c", probe], env=env).returncode == 0


def _has_command(env: dict[str, str], name: str) -> bool:
    probe = (
        "import django, sys; django.setup();"
        "from django.core.management import get_commands;"
        f"sys.exit(0 if {name!r} in get_commands() else 1)"
    )
    return subprocess.run([sys.executable, "-c", probe], env=env).returncode == 0


def _step(name: str, args: list[str], env: dict[str, str], timings: dict[str, float]) -> str:
    shown = " ".join(a if "\n" not in a and len(a) < 60 else "<script>" for a in args)
    print(f"--- {name}: rapport {shown}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        env=env,
        cwd=common.REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    timings[name] = round(time.perf_counter() - started, 2)
    if done.stdout:
        print(done.stdout.rstrip(), flush=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {done.returncode}")
    print(f"    {name}: {timings[name]:,.1f} s", flush=True)
    return done.stdout


def _reset_sqlite(size: int) -> None:
    directory = common.dataset_dir(size, "sqlite")
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def _reset_postgres(size: int) -> None:
    import psycopg

    name = common.database_name(size)
    with psycopg.connect(f"{common.POSTGRES_SERVER.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    directory = common.dataset_dir(size, "postgres")
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def exists(size: int, backend: str) -> bool:
    return common.read_prepare(size, backend) is not None


def prepare(size: int, backend: str, *, force: bool = False, seed: int = common.SEED) -> dict:
    if exists(size, backend) and not force:
        info = common.read_prepare(size, backend)
        print(f"{backend} {size:,}: already prepared (seeded in {info['seconds'].get('seed_demo')} s);"
              " --force to rebuild")  # fmt: skip
        return info
    env = common.dataset_env(size, backend)
    print(f"=== prepare {size:,} profiles on {backend} (seed {seed})", flush=True)
    (_reset_sqlite if backend == "sqlite" else _reset_postgres)(size)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    _step("migrate", ["migrate", "--no-input", "-v", "0"], env, timings)
    _step("seed_demo", ["seed_demo", "--therapists", str(size), "--seed", str(seed)], env, timings)
    notes: list[str] = []
    if _has_module(env, "rapport.directory.fulltext"):
        # The importer may not fill the full-text table yet; text scenarios need it.
        _step("fulltext_sync", ["shell", "-v", "0", "-c", FULLTEXT_SYNC], env, timings)
    else:
        notes.append("rapport.directory.fulltext missing: no full-text table filled")
    if _has_command(env, "rebuild_index"):
        _step("rebuild_index", ["rebuild_index"], env, timings)
    else:
        notes.append("no rebuild_index command: the index is built on first use")
    if backend == "postgres":
        # Fresh planner statistics, as an operator would after a bulk load.
        analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
        _step("analyze", ["shell", "-v", "0", "-c", analyze], env, timings)
    facts_out = _step("facts", ["shell", "-v", "0", "-c", DATASET_FACTS], env, timings)
    facts = json.loads(
        next(line[6:] for line in facts_out.splitlines() if line.startswith("FACTS "))
    )
    if backend == "sqlite":
        database = common.dataset_dir(size, backend) / "rapport.sqlite3"
        facts["database_bytes"] = database.stat().st_size if database.exists() else 0
    info = {
        "size": size,
        "backend": backend,
        "seed": seed,
        "seconds": timings,
        "total_seconds": round(time.perf_counter() - started, 1),
        "facts": facts,
        "notes": notes,
        "machine": common.machine(),
    }
    (common.dataset_dir(size, backend) / "prepare.json").write_text(json.dumps(info, indent=2))
    print(
        f"=== {backend} {size:,}: prepared in {info['total_seconds']:,.0f} s: {facts}", flush=True
    )
    for note in notes:
        print(f"    note: {note}")
    return info
