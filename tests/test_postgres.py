"""Moving a directory between backends loses nothing.

The operator's path from the embedded SQLite to PostgreSQL is
`export_profiles` on one and `import_profiles` on the other. This drives the
real CLI in subprocesses on a fresh PostgreSQL database and a fresh SQLite
file and requires byte-identical exports, equal in content to the input.
Differences between the backends (collation of unicode names, JSON columns,
float and date round trips, 4-byte UTF-8) show up here and nowhere else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parent.parent

# The field order of docs/profile-format.md, which export follows.
SPEC_ORDER = (
    "id", "source", "name", "credentials", "title", "pronouns", "gender", "identities",
    "communities", "statement", "approaches", "issues", "ages", "formats", "languages",
    "licenses", "npi", "offices", "in_person", "telehealth", "telehealth_states", "insurance",
    "fees", "accepting_new_clients", "accepting_confirmed_at", "email", "phone", "website",
)  # fmt: skip
# Sets of slugs: the spec gives them no order, so the exporter may write
# them in taxonomy order.
UNORDERED = {
    "identities", "communities", "issues", "ages", "formats", "languages", "insurance",
    "telehealth_states",
}  # fmt: skip

# Written in export's canonical form (every field with a value, defaults
# spelled out), so "equal in content to the input" is a plain comparison.
# Names mix case, accents, CJK and emoji so that a name-ordered export would
# differ between PostgreSQL's locale collation and SQLite's byte order.
PROFILES: list[dict[str, object]] = [
    {
        "id": "rt-001",
        "source": "roundtrip",
        "name": "Zoë Ångström-Nakamura",
        "credentials": "PhD, LMFT",
        "title": "Licensed Marriage & Family Therapist",
        "pronouns": "she/her",
        "gender": "woman",
        "identities": ["woman", "latine"],
        "communities": ["lgbtq-affirming", "trans-affirming"],
        "statement": "I work with couples and families.\n\nSessions are in English or Spanish.",
        "approaches": [
            {
                "slug": "relational-therapy",
                "statement": "We look at how you relate — to others and to yourself.",
            }
        ],
        "issues": ["anxiety", "depression"],
        "ages": ["adults", "teens"],
        "formats": ["individual", "couples"],
        "languages": ["en", "es"],
        "licenses": [{"type": "LMFT", "number": "121606", "state": "CA", "status": "licensed"}],
        "npi": "1234567893",
        "offices": [
            {
                "address": "1 Kaiser Plaza, Suite 4",
                "city": "Oakland",
                "state": "CA",
                "zip": "94612",
                "lat": 37.80962,
                "lon": -122.264132,
            }
        ],
        "in_person": True,
        "telehealth": True,
        "telehealth_states": ["CA", "OR"],
        "insurance": ["aetna"],
        "fees": {"min": 90, "max": 150, "sliding_scale": True, "free_consultation": True},
        "accepting_new_clients": True,
        "accepting_confirmed_at": "2025-01-15",
        "email": "zoe@example.org",
        "phone": "(510) 555-0134",
        "website": "https://example.org/zoe",
    },
    {
        # An office without a city: its coordinates come from the ZIP and are
        # not exported (they are recomputed on every import).
        "id": "rt-002",
        "source": "roundtrip",
        "name": "Ángel Muñoz",
        "credentials": "LPC",
        "title": "Consejero profesional",
        "statement": (
            "I use <b>plain</b> language & no jargon.\n\n"
            "<script>alert('not a therapy technique')</script> <a href=\"https://evil.example\">x</a>"
        ),
        "issues": ["depression"],
        "languages": ["es", "en"],
        "offices": [{"state": "TX", "zip": "78701"}],
        "in_person": True,
        "telehealth": False,
        "accepting_new_clients": True,
    },
    {
        # Telehealth only, supervised associate, CJK name.
        "id": "rt-003",
        "source": "roundtrip",
        "name": "李小龍",
        "credentials": "MSW",
        "pronouns": "he/him",
        "gender": "man",
        "statement": "Anxiety and depression, online.",
        "issues": ["anxiety"],
        "languages": ["en"],
        "licenses": [
            {
                "type": "LCSW",
                "number": "ASW 98765",
                "state": "WA",
                "status": "associate",
                "supervisor": "Dr. Mária Kovács",
            }
        ],
        "in_person": False,
        "telehealth": True,
        "telehealth_states": ["WA"],
        "accepting_new_clients": True,
    },
    {
        # The least a profile can be: what remains are the defaults export spells out.
        "id": "rt-004",
        "source": "import",
        "name": "Émile Durand",
        "languages": ["en"],
        "in_person": False,
        "telehealth": False,
        "accepting_new_clients": True,
    },
    {
        "id": "rt-005",
        "source": "roundtrip",
        "name": "ana lópez",
        "title": "Counselor Associate",
        "gender": "Two-spirit",
        "issues": ["anxiety"],
        "languages": ["es"],
        "offices": [{"city": "Tacoma", "state": "WA"}],
        "in_person": True,
        "telehealth": False,
        "insurance": ["aetna"],
        "fees": {"min": 60},
        "accepting_new_clients": False,
    },
    {
        "id": "rt-006",
        "source": "roundtrip",
        "name": "Siobhán O'Brien",
        "statement": 'She said "hello" \\ back\\slash, tab-free, emoji 🌱 and ünïcödé.',
        "languages": ["en"],
        "offices": [
            {
                "address": "200 Main St",
                "city": "Portland",
                "state": "OR",
                "zip": "97204",
                "lat": 45.5152,
                "lon": -122.6784,
            },
            {"city": "Salem", "state": "OR", "zip": "97301"},
        ],
        "in_person": True,
        "telehealth": True,
        "telehealth_states": ["OR", "WA"],
        "fees": {"max": 200, "free_consultation": True},
        "accepting_new_clients": True,
        "accepting_confirmed_at": "2024-12-31",
        "website": "https://example.org/siobhan?ref=a&b=c",
    },
    {
        "id": "rt-007",
        "source": "roundtrip",
        "name": "Zoe Adams",
        "languages": ["en"],
        "in_person": False,
        "telehealth": True,
        "telehealth_states": ["NY"],
        "accepting_new_clients": True,
        "phone": "+1 212 555 0199 ext. 12",
    },
    {
        "id": "rt-008",
        "source": "roundtrip",
        "name": "Ōsaka Tarō",
        "approaches": [{"slug": "relational-therapy"}],
        "issues": ["depression", "anxiety"],
        "languages": ["en"],
        "offices": [{"address": "PO Box 12", "state": "HI"}],
        "in_person": False,
        "telehealth": False,
        "accepting_new_clients": True,
    },
]


def _cli_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    # The CI pass sets these for the suite; each leg here chooses its own.
    for name in ("DATABASE_URL", "REDIS_URL", "RAPPORT_ENV", "SECRET_KEY"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "rapport.settings"
    env["RAPPORT_DATA_DIR"] = str(data_dir)
    env["PYTHONIOENCODING"] = "utf-8"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _rapport(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`rapport {' '.join(args)}` exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}",
            pytrace=False,
        )
    return result


def _round_trip(input_file: Path, work: Path, database_url: str | None) -> bytes:
    """migrate, import (twice), export on one backend; returns the export's bytes."""
    env = _cli_env(work, database_url)
    _rapport("migrate", "--no-input", env=env)
    first = _rapport("import_profiles", str(input_file), env=env)
    assert f"{len(PROFILES)} created" in first.stdout + first.stderr, first.stdout + first.stderr
    # Upsert by (source, id): the same file again changes nothing.
    again = _rapport("import_profiles", str(input_file), env=env)
    assert f"0 created, 0 updated, {len(PROFILES)} unchanged" in again.stdout + again.stderr, (
        again.stdout + again.stderr
    )
    out = work / "export.jsonl"
    _rapport("export_profiles", "-o", str(out), env=env)
    return out.read_bytes()


@pytest.fixture
def fresh_postgres_database(postgres_url: str) -> Iterator[str]:
    """A new, empty database (UTF-8, unique name) on the test server; dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"rapport_roundtrip_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(name)
            )
        )
    parts = urlsplit(postgres_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            # FORCE: a connection a failed subprocess left behind must not
            # keep the database alive.
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _comparable(doc: dict[str, object]) -> dict[str, object]:
    return {
        key: sorted(value) if key in UNORDERED and isinstance(value, list) else value
        for key, value in doc.items()
    }


def test_it_exports_the_same_bytes_from_postgresql_and_sqlite(
    tmp_path: Path, fresh_postgres_database: str
) -> None:
    input_file = tmp_path / "profiles.jsonl"
    input_file.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PROFILES), encoding="utf-8"
    )
    (tmp_path / "pg").mkdir()
    (tmp_path / "sqlite").mkdir()

    from_postgres = _round_trip(input_file, tmp_path / "pg", fresh_postgres_database)
    from_sqlite = _round_trip(input_file, tmp_path / "sqlite", None)

    assert (tmp_path / "sqlite" / "rapport.sqlite3").exists(), "the SQLite leg did not use SQLite"
    assert from_postgres == from_sqlite, (
        "exports differ between backends\n"
        f"--- PostgreSQL ---\n{from_postgres.decode()}\n--- SQLite ---\n{from_sqlite.decode()}"
    )

    exported = [json.loads(line) for line in from_sqlite.decode("utf-8").splitlines()]
    by_id = {doc["id"]: doc for doc in exported}
    assert sorted(by_id) == sorted(p["id"] for p in PROFILES)
    for profile in PROFILES:
        doc = by_id[profile["id"]]
        assert _comparable(doc) == _comparable(profile), f"{profile['id']} changed on the way"
        keys = list(doc)
        assert keys == sorted(keys, key=SPEC_ORDER.index), f"{profile['id']}: not in spec order"
