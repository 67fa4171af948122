"""Day-one operations: the probes, a database outage as a 503, a cache outage as no outage."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings

from rapport.core import middleware
from rapport.core.logs import OncePerOutage
from rapport.directory import index
from rapport.testing import make_profile

pytestmark = pytest.mark.django_db

# The production cache's settings, pointed at a Redis nobody listens on: every call fails
# at once with "connection refused".
DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": settings.REDIS_CACHE_OPTIONS,
    }
}


@pytest.fixture(autouse=True)
def fresh_state():
    index.reset_for_tests()
    middleware.outage.since = None
    middleware.outage.requests = 0
    yield
    index.reset_for_tests()
    middleware.outage.since = None
    middleware.outage.requests = 0


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new cursor fails as it does when PostgreSQL refuses connections."""

    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed: refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


# --- Probes -----------------------------------------------------------------------------------------


def test_healthz_answers_without_the_database(client: Client, database_down: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_once_the_index_is_loaded(client: Client) -> None:
    make_profile(name="Tacoma One")
    loading = client.get("/readyz")
    assert loading.status_code == 503
    assert loading.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "index": "loading",
        "static": "ok",
    }
    index.get_index()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "index": "ok", "static": "ok"},
    }


def test_readyz_is_unavailable_without_the_database(client: Client, database_down: None) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable: OperationalError"
    assert response["Retry-After"]


@override_settings(CACHES=DEAD_REDIS)
def test_readyz_reports_a_dead_cache_but_stays_ready(client: Client) -> None:
    make_profile(name="Tacoma One")
    index.get_index()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "unavailable", "index": "ok", "static": "ok"},
    }


def test_readyz_is_unavailable_until_static_files_are_collected(
    client: Client, tmp_path: Path
) -> None:
    index.get_index()
    manifest = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=manifest, STATIC_ROOT=tmp_path):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["static"] == "not collected: run rapport collectstatic"
        (tmp_path / "staticfiles.json").write_text("{}")
        assert client.get("/readyz").status_code == 200


def test_healthz_is_not_redirected_to_https(client: Client) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/crisis/").status_code == 301


# --- Database outage --------------------------------------------------------------------------------


def test_a_page_is_a_503_with_retry_after_while_the_database_is_away(
    client: Client, database_down: None
) -> None:
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "briefly unavailable" in html
    assert 'href="tel:988"' in html  # crisis help stays one tap away


def test_the_api_is_a_json_503_with_retry_after(client: Client, database_down: None) -> None:
    response = client.get("/api/v1/therapists?location=Tacoma,%20WA")
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert "unavailable" in response.json()["error"]


def test_an_outage_is_one_log_line_not_a_traceback_per_request(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("connection refused")

    caplog.set_level(logging.INFO)
    with monkeypatch.context() as down:
        down.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        for url in ["/", "/approaches/", "/issues/", "/api/v1/therapists?location=Tacoma,%20WA"]:
            assert client.get(url).status_code == 503
        # Crisis help needs no database: it stays up.
        assert client.get("/crisis/").status_code == 200
    outage = [r for r in caplog.records if r.name == "rapport.outage"]
    assert [r.getMessage() for r in outage] == [
        "database unavailable: OperationalError connection refused"
    ]
    assert not any(r.exc_info for r in caplog.records)
    assert not [r for r in caplog.records if r.name in {"django.request", "rapport.api.api"}]

    # The database is back: the first request that uses it says so once, with what the
    # outage cost (the crisis page needs no database, so it cannot tell).
    assert client.get("/crisis/").status_code == 200
    assert len([r for r in caplog.records if r.name == "rapport.outage"]) == 1
    assert client.get("/").status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "rapport.outage"]
    assert len(messages) == 2
    assert messages[1].startswith("database available again after")
    assert messages[1].endswith("4 requests answered 503")


def test_an_outage_met_outside_a_view_is_a_503_too(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.sessions.middleware import SessionMiddleware

    def session_store_away(self: SessionMiddleware, response: object, *args: object) -> None:
        raise OperationalError("connection refused")

    # The session is saved after the view, by its middleware.
    monkeypatch.setattr(SessionMiddleware, "process_response", session_store_away)
    client.raise_request_exception = False
    response = client.get("/crisis/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert "briefly unavailable" in response.content.decode()


def test_a_bug_in_a_query_is_still_a_500(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import IntegrityError

    def broken(self: BaseDatabaseWrapper) -> None:
        raise IntegrityError("not an outage")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", broken)
    client.raise_request_exception = False
    assert client.get("/").status_code == 500


# --- Cache outage ----------------------------------------------------------------------------------


@override_settings(CACHES=DEAD_REDIS)
def test_place_pages_and_sitemaps_are_served_with_the_cache_away(client: Client) -> None:
    make_profile(name="Tacoma One", approaches=[("relational-therapy", "r")])
    index.index_touch(None)
    assert "Tacoma One" in client.get("/therapists/wa/").content.decode()
    cache.set("probe", 1)
    assert cache.get("probe") is None  # it really is away
    assert "Tacoma One" in client.get("/therapists/wa/tacoma/").content.decode()
    for url in ["/sitemap.xml", "/sitemap-places.xml", "/sitemap-approach-states.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert (
        "/approaches/relational-therapy/wa/"
        in client.get("/sitemap-approach-states.xml").content.decode()
    )


def test_a_cache_outage_is_logged_once_without_tracebacks() -> None:
    lines: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record)

    handler = Keep()
    handler.addFilter(OncePerOutage(quiet_seconds=60))
    log = logging.getLogger("rapport.tests.cache")
    log.addHandler(handler)
    try:
        for _ in range(50):
            try:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:9. Connection refused.")
            except ConnectionError:
                log.exception("Exception ignored")
    finally:
        log.removeHandler(handler)
    assert [r.getMessage() for r in lines] == ["Exception ignored: ConnectionError"]
    assert lines[0].exc_info is None


# --- A database that cannot write (SQLite's disk full) -------------------------------------------


def _disk_full(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    # What SQLite answers every write with once its file system is full; reads go on.
    if sql.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
        raise OperationalError("database or disk is full")
    return execute(sql, params, many, context)


BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}


def test_a_full_disk_is_a_503_for_writes_one_log_line_and_reads_still_served(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from django.db import connection

    from rapport.directory.models import ProfileViewDay

    profile = make_profile(name="Tacoma One")
    index.index_touch(None)
    caplog.set_level(logging.INFO)
    client.raise_request_exception = False  # the session is saved after the view
    with connection.execute_wrapper(_disk_full):
        # Find your match keeps its answers in the session: its first POST has to write.
        started = client.post("/match/", {"action": "start"})
        assert started.status_code == 503
        assert started["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
        # A profile is read, not written: served, its view left uncounted.
        assert client.get(profile.get_absolute_url(), headers=BROWSER).status_code == 200
        assert client.get("/approaches/").status_code == 200
        assert client.post("/match/", {"action": "start"}).status_code == 503
    # The reads in between did not end the outage: one line for it, not one per request.
    messages = [r.getMessage() for r in caplog.records if r.name == "rapport.outage"]
    assert messages == ["database unavailable: OperationalError database or disk is full"]
    assert not any(r.exc_info for r in caplog.records)
    assert not ProfileViewDay.objects.exists()

    # Space again: a write that succeeds with no failure for a while ends it.
    middleware.outage.last_failure -= middleware.WRITES_QUIET_SECONDS
    assert client.post("/match/", {"action": "start"}).status_code == 303
    messages = [r.getMessage() for r in caplog.records if r.name == "rapport.outage"]
    assert len(messages) == 2
    assert messages[1].startswith("database available again after")
    assert messages[1].endswith("2 requests answered 503")
    assert client.get(profile.get_absolute_url(), headers=BROWSER).status_code == 200
    assert ProfileViewDay.objects.get().count == 1


def test_a_session_that_cannot_be_saved_while_the_database_is_away_is_a_503_not_a_400(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.sessions.models import Session

    assert client.post("/match/", {"action": "start"}).status_code == 303

    def database_away(self: Session, *args: object, **kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    # Django's session store turns any database error on updating a session into
    # SessionInterrupted, a 400 that blames "a concurrent logout".
    monkeypatch.setattr(Session, "save", database_away)
    response = client.post("/match/step/1/", {"who": "me", "action": "next"})
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert "briefly unavailable" in response.content.decode()


def test_a_session_deleted_by_a_concurrent_logout_is_still_a_400(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.sessions.models import Session

    assert client.post("/match/", {"action": "start"}).status_code == 303
    save = Session.save

    def logged_out_meanwhile(self: Session, *args: Any, **kwargs: Any) -> None:
        # What the 400 is for: the row is gone, the database is fine.
        Session.objects.filter(pk=self.pk).delete()
        save(self, *args, **kwargs)

    monkeypatch.setattr(Session, "save", logged_out_meanwhile)
    response = client.post("/match/step/1/", {"who": "me", "action": "next"})
    assert response.status_code == 400


def test_a_disk_that_lets_some_writes_through_is_still_one_outage(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(middleware.time, "monotonic", lambda: clock[0])
    caplog.set_level(logging.INFO)
    outage = middleware._Outage()
    full = OperationalError("database or disk is full")
    outage.failed(full)
    for _ in range(3):  # a write that fits in space already allocated, then one that does not
        clock[0] += 1
        outage.recovered()
        outage.failed(full)
    clock[0] += 1
    outage.recovered()  # space again: the first success after the last failure
    clock[0] += middleware.WRITES_QUIET_SECONDS
    outage.recovered()
    messages = [r.getMessage() for r in caplog.records if r.name == "rapport.outage"]
    assert messages == [
        "database unavailable: OperationalError database or disk is full",
        "database available again after 4.0 s; 4 requests answered 503",
    ]
