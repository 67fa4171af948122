"""Headers that keep what a person searches for on this site; a database outage as a 503."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable

from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views import defaults

# Nothing is loaded from anywhere but this site: no fonts, scripts, pixels.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def privacy_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        # The admin ships inline scripts; everything public gets the strict policy.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=(), interest-cohort=()"
        )
        return response

    return middleware


# --- Database outages -----------------------------------------------------------------------------

# How long a client is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30
outage_logger = logging.getLogger("rapport.outage")


# What a database says when it can read but not write: SQLite (SQLITE_FULL, SQLITE_READONLY)
# and PostgreSQL (SQLSTATE 53100, "could not extend file ...: No space left on device").
_CANNOT_WRITE = ("database or disk is full", "readonly database", "no space left on device")


def cannot_write(exc: BaseException) -> bool:
    """True for an error that stops writes only: reads still succeed while it lasts."""
    return any(text in str(exc).lower() for text in _CANNOT_WRITE)


def _is_write(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}


# A full disk still lets some writes through (SQLite reuses its WAL file's space, PostgreSQL
# fills pages with room left): such an outage ends once writes have succeeded with no failure
# for this long, not at the first one, which logged a pair of lines per failed write.
WRITES_QUIET_SECONDS = 5.0


class _Outage:
    """This process's view of a database outage: when it began, how many requests it cost."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.since: float | None = None
        self.requests = 0
        # A full disk fails writes while reads go on: only a write that succeeds ends that
        # outage, or every read would log "available again" and the next write "unavailable".
        self.writes_only = False
        self.last_failure = 0.0
        self.back_at: float | None = None  # the first success since the last failure

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            self.requests += 1
            self.last_failure = time.monotonic()
            self.back_at = None
            if self.since is not None:
                # A connection that fails too means reads are out as well.
                self.writes_only = self.writes_only and cannot_write(exc)
                return  # already logged: one line per outage, not a traceback per request
            self.since = self.last_failure
            self.writes_only = cannot_write(exc)
        # The class and first line only: no traceback, no SQL, no parameters.
        first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        outage_logger.error(
            "database unavailable: %s %s",
            type(exc).__name__,
            first_line,
            extra={"event": "database.unavailable"},
        )

    def recovered(self) -> None:
        with self.lock:
            if self.since is None:
                return
            now = time.monotonic()
            if self.writes_only and now - self.last_failure < WRITES_QUIET_SECONDS:
                self.back_at = self.back_at or now
                return
            seconds = round((self.back_at or now) - self.since, 1)
            requests, self.since, self.requests = self.requests, None, 0
            self.writes_only, self.back_at = False, None
        outage_logger.warning(
            "database available again after %s s; %s requests answered 503",
            seconds,
            requests,
            extra={"event": "database.recovered", "requests": requests},
        )


outage = _Outage()


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: a JSON body for the API, a page (crisis help included) elsewhere."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": gettext("The service is briefly unavailable. Please try again shortly.")},
            status=503,
        )
    else:
        # Rendered without the request: the site's context would reach for the session,
        # which lives in the database that is away.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged once per outage above; Django would otherwise log every 503 again.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached is a 503 with Retry-After, logged once per outage.

    This catches what views raise; what a middleware raises (a session saved after the view)
    reaches Django's 500 handler first, which `server_error` below turns into the same 503.
    Only connection-level errors (`OperationalError`, `InterfaceError`) count: an integrity
    error or a bad query is a bug and stays a 500 with its traceback.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if outage.since is None:
            return self.get_response(request)
        # During an outage, the first query that succeeds ends it. Nothing is probed: a
        # connection attempt to an unreachable server could hold a page that needs no
        # database (the crisis page) for the whole connect timeout.
        succeeded: list[bool] = []
        writes_only = outage.writes_only

        def watch(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if not writes_only or _is_write(sql):
                succeeded.append(True)
            return result

        with connection.execute_wrapper(watch):
            response = self.get_response(request)
        if succeeded:
            outage.recovered()
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, OperationalError | InterfaceError):
            outage.failed(exc)
            return database_unavailable_response(request)
        return None


def _database_error_behind(exc: BaseException | None) -> BaseException | None:
    """The connection-level database error `exc` was raised while handling, if any."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 400 handler (rapport/urls.py): a session that could not be saved because the
    database is away is an outage, not the visitor's bad request.

    Django's session middleware turns any database error on saving an existing session into
    `SessionInterrupted` (a 400 that blames a concurrent logout): with PostgreSQL restarting
    or SQLite's disk full, every step of Find your match was a "Bad Request".
    """
    cause = _database_error_behind(exception)
    if isinstance(exception, SessionInterrupted) and cause is not None:
        outage.failed(cause)
        return database_unavailable_response(request)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 handler (rapport/urls.py): a database outage outside a view is a 503 too."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        outage.failed(exc)
        return database_unavailable_response(request)
    return defaults.server_error(request)
