"""`rapport worker`: the housekeeping a running site needs, on a schedule, in one process.

Today that is deleting expired saved match lists (the 7 days the page promises) and expired
sessions, and emailing availability reminders (`send_availability_reminders`), once a day.
The project has no task queue yet; when email or reports arrive, their jobs join `JOBS`.
One process per installation is enough (the jobs are idempotent within a day, so two are
harmless). `--once` runs every job once and exits (for cron or a systemd timer).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

logger = logging.getLogger("rapport.worker")


@dataclass(frozen=True)
class Job:
    command: str
    every_seconds: int


JOBS = (
    Job("purge_saved_matches", 24 * 3600),
    Job("clearsessions", 24 * 3600),
    Job("send_availability_reminders", 24 * 3600),
)


def run_job(job: Job) -> bool:
    started = time.monotonic()
    try:
        call_command(job.command, verbosity=0)
    except DatabaseError as exc:
        # Tried again at the next tick; one line, no traceback (the site logs the outage too).
        logger.warning("job %s postponed: %s", job.command, type(exc).__name__)
        return False
    finally:
        close_old_connections()
    logger.info(
        "job %s done in %.1f s",
        job.command,
        time.monotonic() - started,
        extra={"event": "worker.job", "duration_ms": round((time.monotonic() - started) * 1000)},
    )
    return True


class Command(BaseCommand):
    help = "Run scheduled housekeeping (expired saved lists, expired sessions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument(
            "--tick", type=float, default=60.0, help="seconds between schedule checks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            failed = [job.command for job in JOBS if not run_job(job)]
            if failed:
                raise CommandError(f"Postponed: {', '.join(failed)}")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        due = dict.fromkeys(JOBS, 0.0)  # every job runs at start
        logger.warning("worker started: %s", ", ".join(job.command for job in JOBS))
        while not stop.is_set():
            now = time.monotonic()
            for job, when in due.items():
                if now >= when and not stop.is_set():
                    ok = run_job(job)
                    due[job] = now + (job.every_seconds if ok else options["tick"] * 5)
            stop.wait(options["tick"])
        logger.warning("worker stopped")
