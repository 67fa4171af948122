"""`rapport backup DIR`: a consistent copy of the database, safe while the site is running.

- SQLite: the online backup API (sqlite3 `Connection.backup`) copies the database in one read
  transaction. In WAL mode (settings.py) a reader blocks no writer, so the site keeps taking
  writes, and the copy is the database as of one moment, without the half-written state a
  `cp` of a live file (and of its -wal file) can catch. The copy is written under a temporary
  name, checked with `PRAGMA integrity_check`, and only then renamed to
  `rapport-<UTC time>.sqlite3`, so a file with that name is always a whole backup.
- PostgreSQL: `pg_dump -Fc` (also a consistent snapshot, without blocking writers) to
  `rapport-<UTC time>.dump`; without pg_dump the command says what to install and run.

Backups hold personal data (accounts, contact details), so files are created readable by
their owner only. Restoring: docs/deploy.md, "Backups".
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Back up the database to a timestamped file in DIR (safe while the site runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="where to write the backup")

    def handle(self, *args: object, **options: Any) -> None:
        directory: Path = options["directory"]
        directory.mkdir(parents=True, exist_ok=True)
        db = settings.DATABASES["default"]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        if db["ENGINE"] == "django.db.backends.sqlite3":
            target = backup_sqlite(Path(db["NAME"]), directory / f"rapport-{stamp}.sqlite3")
        else:
            target = backup_postgres(db, directory / f"rapport-{stamp}.dump")
        self.stdout.write(f"{target} ({target.stat().st_size:,} bytes)")


def _private_file(path: Path) -> None:
    """Create `path` empty, readable by its owner only; refuse to overwrite anything."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError as exc:
        raise CommandError(f"{path} already exists") from exc


def backup_sqlite(source: Path, target: Path) -> Path:
    if not source.exists():
        raise CommandError(f"{source}: no such database")
    partial = target.with_name(target.name + ".partial")
    _private_file(partial)
    try:
        # Read-only: the backup never writes to the live database.
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=20)
        dst = sqlite3.connect(partial)
        try:
            # All pages in one step, so one read transaction: stepwise copying restarts
            # whenever the site writes, and might never finish on a busy site.
            src.backup(dst)
            (result,) = dst.execute("PRAGMA integrity_check").fetchone()
        finally:
            dst.close()
            src.close()
        if result != "ok":
            raise CommandError(f"the copy failed its integrity check: {result}")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def pg_dump_argv(db: Mapping[str, Any], target: Path) -> list[str]:
    return ["pg_dump", "--format=custom", f"--file={target}", db["NAME"]]


def pg_environment(db: Mapping[str, Any]) -> dict[str, str]:
    """libpq's variables for the connection: a password on the command line would show in
    `ps` to every user of the machine."""
    names = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    return {env: str(db[key]) for key, env in names.items() if db.get(key)}


def backup_postgres(db: Mapping[str, Any], target: Path) -> Path:
    argv = pg_dump_argv(db, target)
    if shutil.which("pg_dump") is None:
        raise CommandError(
            "pg_dump is not installed: install the PostgreSQL client of the server's major "
            "version or newer (Debian: apt-get install postgresql-client), then run this "
            "again, or run it where it is installed, with PGHOST, PGPORT, PGUSER and "
            f"PGPASSWORD set: {shlex.join(argv)}"
        )
    _private_file(target)
    result = subprocess.run(
        argv,
        env={**os.environ, **pg_environment(db)},
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
    return target
