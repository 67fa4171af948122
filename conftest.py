"""Pytest-wide fixtures: optional services and the browser.

Tests that need PostgreSQL or Chromium skip with the reason on a machine
without them, so `make test` passes right after clone. CI turns those skips
into failures (RAPPORT_REQUIRE_POSTGRES=1, CI=true): a missing service there
would otherwise turn a whole layer of tests silently green.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
CHROMIUM = Path("/usr/bin/chromium")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def redact_url(url: str) -> str:
    """The URL without its password, for messages that end up in CI logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def _unavailable(message: str, *, required: bool) -> None:
    if required:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a reachable PostgreSQL server's maintenance database.

    Tests use it to create databases of their own (and drop them), so it
    must be a role allowed to CREATE DATABASE.
    """
    import psycopg

    url = os.environ.get("RAPPORT_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _unavailable(
            f"PostgreSQL not reachable at {redact_url(url)}: {reason}",
            required=_env_flag("RAPPORT_REQUIRE_POSTGRES"),
        )
    return url


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("e2e") is not None and not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)",
            required=_env_flag("CI"),
        )


@pytest.fixture
def own_index(tmp_path, monkeypatch):
    """Search index snapshots in a per-test folder (never the developer's data
    directory), and no index or vocabulary left over from another test's database.
    Modules that search use it with `pytest.mark.usefixtures("own_index")`."""
    from rapport.directory import index as ix

    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    yield
    ix.reset_for_tests()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """An empty cache for each test: rate-limit counts (core/ratelimits.py) and cached pages
    from one test must not decide another's outcome."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-ratelimit counts in fixed windows whose edge falls somewhere in each period
    (core/ratelimits.py): six tries of a "5 a minute" limit could straddle it on a busy
    machine, the count restarted and the sixth got through. Each test reads one instant
    instead, so a limit's count only grows within a test. (In-process only: the servers other
    tests start keep the real clock.) The CI failures that led here were a product bug, fixed
    in the middleware: the window's last second let every request through."""
    import time

    from rapport.testing import pin_ratelimit_clock

    pin_ratelimit_clock(monkeypatch, time.time())


@pytest.fixture
def admin_user(admin_user):  # type: ignore[no-untyped-def]
    """pytest-django's superuser, with the two-factor every staff account must have
    (accounts/middleware.py): `admin_client` reaches the admin as a real staff member would."""
    from rapport.testing import BOB_TOTP_SECRET, with_totp

    return with_totp(admin_user, BOB_TOTP_SECRET)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """Tests that commit (live_server, transactional_db) are cleaned up by Django's flush,
    which on SQLite is a DELETE on every table: the audit table's append-only trigger
    (moderation migration 0003) rightly refuses it. Only here, between tests, the flush
    drops the triggers, empties the tables and puts the triggers back. (On PostgreSQL the
    flush is a TRUNCATE, which the row triggers do not see.)"""
    from importlib import import_module

    # Through the backend's module: importing operations.py first is a circular import.
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class

    migration = import_module("rapport.moderation.migrations.0003_roles_append_only")
    real = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        statements = real(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if "moderation_auditevent" not in tables:
            return statements
        return [*migration.SQLITE_BACKWARD, *statements, *migration.SQLITE_FORWARD]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = real  # type: ignore[method-assign]
