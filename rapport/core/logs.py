"""Log lines as JSON, one per record, carrying no query string and no secret in a path.

Search addresses name conditions (`?issues=ptsd`) and a saved match list's address is the key
to it (`/match/saved/<token>/`), so every line that carries a path is cleaned here: the query
string is dropped and a saved list's token replaced. Used by Django's logging (settings.LOGGING)
and by gunicorn's access log (`rapport serve`: `GunicornLogger`).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
from typing import Any

from gunicorn.glogging import Logger as _GunicornBaseLogger  # type: ignore[import-untyped]

# A saved list's token is the only secret that appears in our paths (matching/urls.py).
_SAVED_TOKEN = re.compile(r"(/match/saved/)[^/\s?#]+")
_QUERY = re.compile(r"\?[^\s\"']*")


def clean_path(path: str) -> str:
    """A path fit for a log: no query string, no saved-list token."""
    return _SAVED_TOKEN.sub(r"\1-", _QUERY.sub("", path))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (cleaned), exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": clean_path(record.getMessage()),
        }
        for key in ("event", "status", "method", "path", "duration_ms", "bytes", "requests"):
            if hasattr(record, key):
                value = getattr(record, key)
                line[key] = clean_path(value) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[1] is not None:
            # A real bug keeps its traceback, inside the one line.
            line["exception"] = type(record.exc_info[1]).__name__
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class GunicornLogger(_GunicornBaseLogger):
    """Gunicorn's access log without what a visitor's request could reveal.

    Whatever `access_log_format` asks for, the request line, path and query atoms are
    cleaned, and the referrer, cookies, client address and user agent are left out.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if os.environ.get("RAPPORT_GUNICORN_LOG_FORMAT", "json") == "json":
            # Gunicorn's own lines (booting, worker timeouts) as JSON too, like Django's.
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        path = clean_path(environ.get("PATH_INFO", ""))
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        for key in ("q", "f", "h", "a", "u"):
            atoms[key] = "-"
        for key in list(atoms):
            if key.startswith("{") and not key.endswith("}o"):
                del atoms[key]  # request headers and environ values: referrer, cookie, ...
        return atoms


# Gunicorn's `%(x)s` atoms as one JSON line: method, cleaned path, status, bytes, duration.
ACCESS_LOG_FORMAT = (
    '{"time": "%(t)s", "logger": "access", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(b)s", "duration_ms": %(M)s}'
)


class PlainFormatter(logging.Formatter):
    """The development console's format, with paths cleaned as in JSON lines."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        return clean_path(super().formatMessage(record))


class OncePerOutage(logging.Filter):
    """One line per outage for a logger that would otherwise log every failed call.

    The first record of a run passes, without its traceback (the exception's class stays in the
    message); the ones that follow within `quiet_seconds` of the last are dropped and counted,
    and the next line that passes says how many were.
    """

    def __init__(self, quiet_seconds: float = 60.0) -> None:
        super().__init__()
        self.quiet_seconds = quiet_seconds
        self.last: float | None = None
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = record.created
        if self.last is not None and now - self.last < self.quiet_seconds:
            self.last = now
            self.dropped += 1
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            record.msg = f"{record.getMessage()}: {type(exc).__name__}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        if self.dropped:
            record.msg = f"{record.getMessage()} ({self.dropped} more since the last line)"
            record.args = ()
        self.last = now
        self.dropped = 0
        return True
