"""`rapport backup`, and a restore as docs/deploy.md ("Backups") describes it.

Driven through the real CLI in subprocesses, on a SQLite file of its own and on a scratch
PostgreSQL database: a backup is only as good as the restore that has been tried.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parent.parent

PROFILES = [
    {"id": f"b{n}", "source": "backup", "name": f"Wren Alder {n}", "issues": ["anxiety"]}
    for n in range(1, 13)
]


def rapport(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, f"rapport {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def site(data_dir: Path, database_url: str) -> dict[str, str]:
    """The environment of an installation with its own data folder and database."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RAPPORT_ENV")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "rapport.settings",
        "RAPPORT_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
    }
    return env


def with_profiles(env: dict[str, str], work: Path) -> str:
    """Migrate, load the taxonomy and the profiles; the export, to compare a restore with."""
    rapport("migrate", "--no-input", "-v0", env=env)
    rapport("sync_taxonomy", env=env)
    source = work / "profiles.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in PROFILES), encoding="utf-8")
    rapport("import_profiles", str(source), env=env)
    return export(env, work)


def export(env: dict[str, str], work: Path) -> str:
    target = work / f"export-{uuid.uuid4().hex[:6]}.jsonl"
    rapport("export_profiles", "--all", "-o", str(target), env=env)
    return target.read_text(encoding="utf-8")


def test_a_sqlite_backup_taken_while_the_site_writes_restores_intact(tmp_path: Path) -> None:
    db = tmp_path / "site" / "rapport.sqlite3"
    env = site(tmp_path / "site", f"sqlite:///{db}")
    exported = with_profiles(env, tmp_path)

    # The site is running: a connection is in the middle of a write it has not committed.
    writer = sqlite3.connect(db, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM directory_therapistprofile WHERE external_id = 'b1'")
    out = rapport("backup", str(tmp_path / "backups"), env=env)
    writer.rollback()
    writer.close()

    (backup,) = (tmp_path / "backups").iterdir()
    assert backup.name.startswith("rapport-") and backup.suffix == ".sqlite3"
    assert str(backup) in out
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # personal data: owner only

    # Restore as docs/deploy.md says: stop the site, move the old files (and the -wal and
    # -shm beside them) away, copy the backup in, start the site.
    for stale in db.parent.glob("rapport.sqlite3*"):
        stale.rename(tmp_path / stale.name)
    shutil.copy2(backup, db)

    with sqlite3.connect(db) as restored:
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = restored.execute("SELECT COUNT(*) FROM directory_therapistprofile").fetchone()
    assert count == len(PROFILES)  # the uncommitted delete is not in the copy
    assert export(env, tmp_path) == exported


def test_the_backup_never_overwrites_and_says_when_there_is_no_database(tmp_path: Path) -> None:
    env = site(tmp_path, f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "backup", str(tmp_path / "backups")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert f"{tmp_path / 'missing.sqlite3'}: no such database" in result.stderr
    assert list((tmp_path / "backups").iterdir()) == []  # no partial file left


@pytest.fixture
def scratch_databases(postgres_url: str) -> Iterator[list[str]]:
    """URLs of two new, empty PostgreSQL databases: the site's and the restore's."""
    import psycopg
    from psycopg import sql

    names = [f"rapport_backup_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for name in names:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )
    parts = urlsplit(postgres_url)
    try:
        yield [urlunsplit(parts._replace(path=f"/{name}")) for name in names]
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            for name in names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.mark.postgres
def test_a_postgresql_backup_restores_with_pg_restore(
    tmp_path: Path, scratch_databases: list[str]
) -> None:
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            # In CI (RAPPORT_REQUIRE_POSTGRES=1) a missing tool must not pass as a skip.
            required = os.environ.get("RAPPORT_REQUIRE_POSTGRES") == "1"
            missing = pytest.fail if required else pytest.skip
            missing(f"{tool} not installed (Debian: apt-get install postgresql-client)")
    site_url, restore_url = scratch_databases
    env = site(tmp_path / "site", site_url)
    exported = with_profiles(env, tmp_path)
    rapport("backup", str(tmp_path / "backups"), env=env)
    (dump,) = (tmp_path / "backups").iterdir()
    assert dump.suffix == ".dump"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600

    # The restore of docs/deploy.md: pg_restore into an empty database.
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={restore_url}",
            str(dump),
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert export(site(tmp_path / "restored", restore_url), tmp_path) == exported


def test_without_pg_dump_it_says_what_to_install_and_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import CommandError

    from rapport.core.management.commands import backup

    db = {"NAME": "rapport", "HOST": "db.internal", "USER": "rapport", "PASSWORD": "s3cret"}
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(CommandError) as excinfo:
        backup.backup_postgres(db, tmp_path / "rapport.dump")
    message = str(excinfo.value)
    assert "apt-get install postgresql-client" in message
    assert f"pg_dump --format=custom --file={tmp_path / 'rapport.dump'} rapport" in message
    assert "s3cret" not in message  # the password goes in PGPASSWORD, never in a command line
    assert backup.pg_environment(db) == {
        "PGHOST": "db.internal",
        "PGUSER": "rapport",
        "PGPASSWORD": "s3cret",
    }
    assert not (tmp_path / "rapport.dump").exists()
