"""`rapport serve`: gunicorn with this project's defaults, static files collected when missing.

Production serves static files from `STATIC_ROOT` through a manifest of hashed names; without
`collectstatic` every page fails on its first `{% static %}`. So this command collects them
first whenever the manifest is missing (or with `--collectstatic`), then replaces itself with
gunicorn: the access log is one JSON line per request without query strings, saved-list
tokens, client addresses or referrers (rapport/core/logs.py).
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rapport.core.logs import ACCESS_LOG_FORMAT

logger = logging.getLogger("rapport.serve")


def available_cores() -> int:
    """Cores this process may run on (a container's or systemd's CPU set, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_workers(cores: int) -> int:
    # Sync workers, and a search is CPU-bound (numpy over the index): one per core, plus one
    # to cover the moments a worker waits on the database. Each costs ~120-170 MB of its own
    # memory (docs/benchmarks-history.md), the memory-mapped index being shared.
    return cores + 1


def manifest_path() -> Path:
    return Path(settings.STATIC_ROOT) / "staticfiles.json"


def needs_collectstatic() -> bool:
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    return "Manifest" in backend and not manifest_path().exists()


def gunicorn_argv(*, bind: str, workers: int, timeout: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "rapport.wsgi:application",
        "--bind", bind,
        "--workers", str(workers),
        "--timeout", str(timeout),
        "--graceful-timeout", str(timeout),
        # Forked workers open their own database connections: no --preload.
        "--logger-class", "rapport.core.logs.GunicornLogger",
        "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT,
        "--error-logfile", "-",
        # Only the proxy on this machine may say a request came over HTTPS (docs/deploy.md).
        "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        *_no_control_socket(),
    ]  # fmt: skip


def _no_control_socket() -> list[str]:
    # Gunicorn 24+ opens a control socket in the home directory by default: unused here, and
    # the systemd unit's read-only file system (deploy/rapport.service) would refuse it.
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped]

    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


class Command(BaseCommand):
    help = "Serve the site with gunicorn (collects static files first when they are missing)."
    requires_system_checks = []  # gunicorn's workers run them; the wrapper only starts them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("RAPPORT_BIND", "127.0.0.1:8000"),
            help="address:port or unix:/path (default 127.0.0.1:8000, or RAPPORT_BIND)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("RAPPORT_WORKERS", "0")) or None,
            help="worker processes (default: cores + 1, or RAPPORT_WORKERS)",
        )
        parser.add_argument("--timeout", type=int, default=30, help="seconds per request")
        parser.add_argument(
            "--collectstatic", action="store_true", help="collect static files even if present"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print the gunicorn command instead of running it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["collectstatic"] or needs_collectstatic():
            # A log line (JSON in production), like every other line the service writes.
            logger.warning("collecting static files into %s", settings.STATIC_ROOT)
            call_command("collectstatic", interactive=False, verbosity=0)
        workers = options["workers"] or default_workers(available_cores())
        argv = gunicorn_argv(bind=options["bind"], workers=workers, timeout=options["timeout"])
        # Gunicorn's own lines follow the site's format (settings.LOG_FORMAT).
        os.environ["RAPPORT_GUNICORN_LOG_FORMAT"] = settings.LOG_FORMAT
        if options["dry_run"]:
            self.stdout.write(shlex.join(argv))
            return
        sys.stdout.flush()
        os.execv(argv[0], argv)
