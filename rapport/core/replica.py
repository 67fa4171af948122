"""Reads from a PostgreSQL streaming replica when `DATABASE_REPLICA_URL` is set (docs/deploy.md).

The replica alias is `replica`; writes always go to `default` (the primary). A replica lags the
primary by a little (milliseconds on a LAN, more under load), so these read the primary instead:

- anything inside a transaction (services write in `transaction.atomic()` and must read what
  they lock and change);
- every request that is not GET or HEAD (it may write, and may read what it wrote);
- for `PRIMARY_WINDOW_SECONDS` after a request of the same session wrote: the redirect after a
  saved form must show the change, not the replica's older copy;
- sessions themselves, so that the window above (kept in the session) and a fresh sign-in are
  never read from a replica that has not caught up; and the task queue, which workers lock and
  claim rows from (django-tasks' `db_worker` picks its connection before its transaction);
- code that says so with `primary()`: the search index's version check and builds, whose
  version must never go backwards (directory/index.py).

Without the replica alias every decision is `default`, so one code path serves both setups.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Replication on one LAN lags by milliseconds; a few seconds covers a busy primary too.
PRIMARY_WINDOW_SECONDS = 5
SESSION_KEY = "_primary_until"
# Apps whose every read goes to the primary (see above).
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_tasks_database"})


@dataclass
class _Scope:
    pinned: bool = False  # every read of this scope goes to the primary
    wrote: bool = False  # a write went to the primary in this scope


_scope: ContextVar[_Scope | None] = ContextVar("rapport_db_scope", default=None)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def primary() -> Iterator[None]:
    """Every read inside this block goes to the primary."""
    scope = _scope.get()
    if scope is None:
        token = _scope.set(_Scope(pinned=True))
        try:
            yield
        finally:
            _scope.reset(token)
        return
    was_pinned, scope.pinned = scope.pinned, True
    try:
        yield
    finally:
        scope.pinned = was_pinned


def read_alias(app_label: str = "") -> str:
    """Where a read made now goes."""
    if not has_replica() or app_label in PRIMARY_ONLY_APPS:
        return DEFAULT_DB_ALIAS
    scope = _scope.get()
    if scope is not None and scope.pinned:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: type, **hints: object) -> str:
        return read_alias(model._meta.app_label)  # type: ignore[attr-defined]

    def db_for_write(self, model: type, **hints: object) -> str:
        scope = _scope.get()
        # A session's own save is no write of the visitor's (it would renew the window forever).
        if scope is not None and model._meta.app_label != "sessions":  # type: ignore[attr-defined]
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: object, obj2: object, **hints: object) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        # The replica receives the schema by replication; it is read-only.
        return db != REPLICA


class ReadYourWritesMiddleware:
    """Pins a request's reads to the primary when it may write or its session just wrote.

    Below SessionMiddleware, so the session (read from the primary) is there and its change is
    saved after this returns."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not has_replica():
            return self.get_response(request)
        session = getattr(request, "session", None)
        recent = session is not None and session.get(SESSION_KEY, 0) > time.time()
        scope = _Scope(pinned=request.method not in ("GET", "HEAD") or recent)
        token = _scope.set(scope)
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(token)
        # Only a session that exists (or is being started anyway) carries the window: a visitor
        # who had no cookie does not get one for this.
        if scope.wrote and session is not None and not session.is_empty():
            session[SESSION_KEY] = time.time() + PRIMARY_WINDOW_SECONDS
        return response
