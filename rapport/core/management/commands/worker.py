"""`rapport worker`: the background work a running site needs, in one supervised process group.

- Queued tasks (emails today, image work next: rapport/core/tasks.py) are run by django-tasks'
  `db_worker`, started here as a child process and restarted if it dies (after a pause, so a
  broken setup does not spin). SIGTERM or Ctrl-C stops it with the rest.
- Every minute, tasks left RUNNING by a task worker that was killed are queued again
  (`requeue_stale_tasks`): django-tasks would never run them otherwise.
- Scheduled housekeeping runs in this process once a day: expired saved match lists and
  shared shortlists (the 7 days the pages promise), expired sessions, reminders to owners whose availability
  was confirmed 30+ days ago (`send_availability_reminders`), finished task rows older than 14 days (a
  sent email's row holds its text, links included), accounts past their deletion undo, contact
  requests past retention (`purge_contact_requests`), and the contact-request reminders at 48 hours
  and similar-therapist offers at 7 days (`send_reply_reminders`, `offer_alternatives`),
  license checks that expired (their badge dropped) and recheck reminders
  (`refresh_license_verifications`), and the moderators' digest of what waits
  (`send_moderator_digest`).

One worker per installation is enough (the jobs are idempotent, and db_worker instances share
the queue safely). `--once` runs every job once, then the queued tasks, and exits (for cron or
a systemd timer); `--no-tasks` leaves the queue to a `rapport db_worker` run elsewhere.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
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
    # Every minute: a task whose worker was killed mid-run must not wait a day to be retried.
    Job("requeue_stale_tasks", 60),
    Job("purge_saved_matches", 24 * 3600),
    Job("purge_saved_shortlists", 24 * 3600),
    Job("clearsessions", 24 * 3600),
    Job("send_availability_reminders", 24 * 3600),
    Job("prune_db_task_results", 24 * 3600),
    Job("purge_deleted_accounts", 24 * 3600),
    Job("purge_contact_requests", 24 * 3600),
    Job("send_reply_reminders", 24 * 3600),
    Job("offer_alternatives", 24 * 3600),
    # A license check that expired yesterday must not show as verified today.
    Job("refresh_license_verifications", 24 * 3600),
    Job("send_moderator_digest", 24 * 3600),
)

# Every queue; no code reloading (a stale worker is restarted by its supervisor instead).
# `run_tasks` is db_worker that ends with one log line, not tracebacks, when the database goes.
DB_WORKER_ARGV = [
    sys.executable, "-m", "rapport", "run_tasks",
    "--queue-name", "*", "--no-reload", "--interval", "1", "--verbosity", "1",
]  # fmt: skip


class TaskRunner:
    """The db_worker child: started, restarted after a crash, stopped on request."""

    def __init__(self, argv: list[str], restart_after: float = 5.0) -> None:
        self.argv = argv
        self.restart_after = restart_after
        self.process: subprocess.Popen[bytes] | None = None
        self.next_start = 0.0

    def check(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        if self.process is not None:
            logger.warning("task worker exited (%s): restarting", self.process.returncode)
            self.next_start = time.monotonic() + self.restart_after
            self.process = None
        if time.monotonic() >= self.next_start:
            self.process = subprocess.Popen(self.argv)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # db_worker finishes the task in hand on SIGTERM, then exits.
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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


def run_queued_tasks() -> bool:
    """Every task due now, then return (`--once`)."""
    try:
        call_command(
            "db_worker", queue_name="*", batch=True, startup_delay=False, reload=False, verbosity=0
        )
    except DatabaseError as exc:
        logger.warning("queued tasks postponed: %s", type(exc).__name__)
        return False
    finally:
        close_old_connections()
    return True


class Command(BaseCommand):
    help = "Run queued tasks (emails) and daily housekeeping (expired lists, sessions, task rows)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument(
            "--tick", type=float, default=60.0, help="seconds between schedule checks"
        )
        parser.add_argument(
            "--no-tasks", action="store_true", help="do not run the task queue's db_worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            failed = [job.command for job in JOBS if not run_job(job)]
            if not options["no_tasks"] and not run_queued_tasks():
                failed.append("queued tasks")
            if failed:
                raise CommandError(f"Postponed: {', '.join(failed)}")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        tasks = None if options["no_tasks"] else TaskRunner(DB_WORKER_ARGV)
        due = dict.fromkeys(JOBS, 0.0)  # every job runs at start
        logger.warning(
            "worker started: %s%s",
            ", ".join(job.command for job in JOBS),
            "" if tasks is None else ", queued tasks",
        )
        # The task child is checked every second; the schedule every tick.
        next_tick = 0.0
        try:
            while not stop.is_set():
                if tasks is not None:
                    tasks.check()
                now = time.monotonic()
                if now >= next_tick:
                    for job, when in due.items():
                        if now >= when and not stop.is_set():
                            ok = run_job(job)
                            due[job] = now + (job.every_seconds if ok else options["tick"] * 5)
                    next_tick = now + options["tick"]
                stop.wait(min(1.0, options["tick"]))
        finally:
            if tasks is not None:
                tasks.stop()
        logger.warning("worker stopped")
