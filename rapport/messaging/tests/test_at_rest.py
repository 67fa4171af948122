"""The database at rest holds no plaintext of a contact request: not the message, not who
sent it. Requests go through the real path (contact_send, the worker's tasks, the inbox
services), then the whole database is read as bytes: on SQLite a copy of the database file
(VACUUM INTO) and the raw pages of the live database (free pages included); on PostgreSQL a
pg_dump of the test database. A control string written in the clear to a profile proves
the search would find plaintext if it were there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from rapport.messaging import services
from rapport.messaging.services import SenderDetails
from rapport.testing import alice, alice_profile, make_profile, run_tasks

# transaction=True: the rows are committed, as in production, so another process (pg_dump)
# sees them and SQLite may VACUUM (not allowed inside a transaction).
pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = [
    "Zephyrine Quackenbush",
    "zephyrine.q@example.net",
    "(360) 555-0187",
    "intrusive thoughts about my newborn",
    "perinatal OCD specialist",
]
CONTROL = "Xanthippe Control-Plaintext"


def _write_requests() -> None:
    make_profile(name=CONTROL)  # in the clear on purpose: the search must find it
    for n, (notify, alternatives) in enumerate([(True, True), (False, False), (True, False)]):
        request, _created = services.contact_send(
            profile=alice_profile(),
            sender=SenderDetails(
                name=SECRETS[0],
                email=SECRETS[1],
                phone=SECRETS[2],
                preferred="either",
                message=f"I keep having {SECRETS[3]} and cannot tell anyone.",
                looking_for=SECRETS[4],
            ),
            idempotency_key=f"at-rest-{n}",
            notify_on_read=notify,
            wants_alternatives=alternatives,
        )
        if n == 0:
            services.contact_mark_read(request=request, by=alice())
            services.contact_mark_replied(request=request, by=alice(), via="email")
        if n == 1:
            services.contact_withdraw(request=request)
    settings_row = services.inbox_settings_for(alice())
    settings_row.email_includes_message = True  # plaintext in the email, never in the database
    settings_row.save()
    run_tasks()


def _assert_no_plaintext(raw: bytes) -> None:
    assert CONTROL.encode() in raw, "the search cannot see plaintext: the check is broken"
    for secret in SECRETS:
        for encoded in {secret.encode("utf-8"), secret.encode("utf-16-le")}:
            assert encoded not in raw, f"{secret!r} is in the database in the clear"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file; see the pg_dump test")
def test_the_sqlite_database_holds_no_plaintext(tmp_path: Path) -> None:
    _write_requests()
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    live = connection.connection.serialize()  # every page, free ones included
    _assert_no_plaintext(copy.read_bytes())
    _assert_no_plaintext(live)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL on PostgreSQL")
def test_a_postgresql_dump_holds_no_plaintext() -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        # In CI (RAPPORT_REQUIRE_POSTGRES=1) a missing tool must not pass as a skip.
        missing = pytest.fail if os.environ.get("RAPPORT_REQUIRE_POSTGRES") == "1" else pytest.skip
        missing("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    _write_requests()
    params = connection.get_connection_params()
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    argv = [
        pg_dump,
        "--no-owner",
        "--dbname",
        str(params.get("dbname") or connection.settings_dict["NAME"]),
    ]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            argv += [flag, str(params[key])]
    dump = subprocess.run(argv, env=env, capture_output=True, check=True, timeout=120).stdout
    _assert_no_plaintext(dump)
