"""Read routing with a replica: which alias each read goes to (core/replica.py).

Both aliases point at the test database, as Django's test MIRROR setting does (settings.py gives
`replica` `TEST: {"MIRROR": "default"}`): the data is the same, so what these tests see is only
*where* each query ran, counted per connection. With DATABASE_REPLICA_URL set (to any URL),
settings.py's own alias is the mirror; otherwise the fixture below adds the same alias.
"""

from __future__ import annotations

import time

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rapport.core import replica
from rapport.core.replica import REPLICA, primary, read_alias
from rapport.directory import index as ix
from rapport.directory.models import TherapistProfile
from rapport.testing import PASSWORD, alice, alice_profile

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
    pytest.mark.usefixtures("own_index"),
]


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    # What DATABASE_REPLICA_URL adds, after the test database exists: a second connection to
    # it, marked as a mirror so the test runner neither creates nor flushes it.
    databases = connections.settings
    if REPLICA in databases:  # DATABASE_REPLICA_URL was set: settings.py made it a mirror
        yield
        return
    databases[REPLICA] = {**databases["default"], "TEST": {"MIRROR": "default"}}
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del databases[REPLICA]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _queries(client: Client, method: str, path: str, **data: str) -> tuple[int, int, int]:
    """(status, queries on the primary, queries on the replica) of one request."""
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = getattr(client, method)(path, data)
    return response.status_code, len(on_primary), len(on_replica)


def test_it_reads_from_the_replica_outside_transactions_and_writes_to_the_primary() -> None:
    profile = alice_profile()
    assert read_alias() == REPLICA
    assert TherapistProfile.objects.filter(pk=profile.pk).db == REPLICA
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        profile.name = "Alice O."
        profile.save(update_fields=["name"])
    assert len(on_replica) == 0
    with transaction.atomic():
        # A service's reads must see what it locks and changes.
        assert read_alias() == "default"
        assert TherapistProfile.objects.filter(pk=profile.pk).db == "default"
    with primary():
        assert read_alias() == "default"
    assert read_alias() == REPLICA


def test_an_anonymous_page_view_reads_from_the_replica(client: Client) -> None:
    profile = alice_profile()
    status, _on_primary, on_replica = _queries(client, "get", f"/therapists/{profile.slug}/")
    assert status == 200
    assert on_replica > 0


def test_a_post_and_the_session_s_next_seconds_read_the_primary(
    client: Client, monkeypatch
) -> None:
    profile = alice_profile()
    status, _p, on_replica = _queries(
        client, "post", "/accounts/login/", login=alice().email, password=PASSWORD
    )
    assert (status, on_replica) == (302, 0)
    status, _p, on_replica = _queries(
        client, "post", f"/account/profiles/{profile.pk}/availability/", availability="waitlist",
        wait_weeks="3",
    )  # fmt: skip
    assert (status, on_replica) == (302, 0)
    # The redirect after the save: the dashboard shows the change, read from the primary.
    with CaptureQueriesContext(connections[REPLICA]) as on_replica_ctx:
        dashboard = client.get("/account/")
    assert dashboard.status_code == 200 and len(on_replica_ctx) == 0
    assert "3 weeks" in dashboard.content.decode()
    # Once the window has passed, the same session's reads go to the replica again.
    later = time.time() + replica.PRIMARY_WINDOW_SECONDS + 1
    monkeypatch.setattr(replica.time, "time", lambda: later)
    status, _p, on_replica = _queries(client, "get", "/account/")
    assert status == 200 and on_replica > 0


def test_a_write_by_a_visitor_without_a_session_starts_none(client: Client) -> None:
    # A password reset writes (the email's task row) without signing anyone in: the window
    # is not worth a cookie the visitor did not have.
    email = alice().email
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302 and len(on_replica) == 0
    assert "sessionid" not in response.cookies


def test_the_index_is_built_and_versioned_from_the_primary() -> None:
    alice_profile()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        state = ix.get_index()
        ix.latest_change_version()
    assert state.size == 1
    assert len(on_replica) == 0


def test_the_task_queue_and_sessions_are_read_from_the_primary() -> None:
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    # The worker picks its connection from a queryset before opening its locking transaction.
    assert DBTaskResult.objects.all().db == "default"
    assert Session.objects.all().db == "default"


def test_readyz_checks_the_replica_too(client: Client, monkeypatch) -> None:
    alice_profile()
    ix.get_index()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["replica"] == "ok"
    # Pages read from the replica: without it this app server is not ready.
    from rapport.core import views

    monkeypatch.setattr(
        views, "_check_database", lambda alias="default": "ok" if alias == "default" else "down"
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["replica"] == "down"
