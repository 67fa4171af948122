"""The PostgreSQL backend's health check: no round trip for a healthy idle
connection, and a connection the server ended is still caught before use.

Against the real server (the `postgres_url` fixture: skipped with the reason
where there is none, a failure in CI), on a connection of the test's own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import dj_database_url
import psycopg
import pytest
from django.db.backends.postgresql import base as django_postgresql
from django.db.utils import ConnectionHandler

from rapport.core.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.postgres


@pytest.fixture
def wrapper(postgres_url: str, django_db_blocker: Any) -> Iterator[DatabaseWrapper]:
    # Not the test database: a connection of the test's own to the server.
    settings = dj_database_url.parse(postgres_url, conn_max_age=60, conn_health_checks=True)
    settings["ENGINE"] = "rapport.core.postgresql"
    handler = ConnectionHandler({"default": settings})
    connection = handler["default"]
    assert isinstance(connection, DatabaseWrapper)
    with django_db_blocker.unblock():
        connection.ensure_connection()
        yield connection
        connection.close()


def _count_select_one() -> mock._patch[mock.MagicMock]:
    # Django's own check is the round trip: count the times ours falls back to it.
    return mock.patch.object(
        django_postgresql.DatabaseWrapper,
        "is_usable",
        autospec=True,
        side_effect=django_postgresql.DatabaseWrapper.is_usable,
    )


def test_a_healthy_idle_connection_is_usable_without_a_round_trip(
    wrapper: DatabaseWrapper,
) -> None:
    with _count_select_one() as select_one:
        assert wrapper.is_usable()
    assert select_one.call_count == 0


def test_a_connection_the_server_ended_is_not_usable_and_is_replaced(
    wrapper: DatabaseWrapper, postgres_url: str
) -> None:
    pid = wrapper.connection.info.backend_pid
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    deadline = time.monotonic() + 5
    while wrapper.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye is on its way
    assert not wrapper.is_usable()

    # What Django does before a request's first query: close it, then connect afresh.
    # BaseDatabaseWrapper sets it in __init__; django-stubs does not declare it.
    wrapper.health_check_done = False  # type: ignore[attr-defined]
    wrapper.close_if_health_check_failed()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_inside_a_transaction_is_checked_with_a_query(
    wrapper: DatabaseWrapper,
) -> None:
    wrapper.connection.execute("BEGIN")
    try:
        with _count_select_one() as select_one:
            assert wrapper.is_usable()
        assert select_one.call_count == 1
    finally:
        wrapper.connection.execute("ROLLBACK")
