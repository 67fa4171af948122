"""`rapport worker` keeps its task runner (db_worker) alive and stops it with itself."""

from __future__ import annotations

import datetime
import sys
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rapport.core.management.commands.worker import DB_WORKER_ARGV, TaskRunner
from rapport.testing import run_tasks


def test_a_task_runner_that_dies_is_started_again_after_a_pause(tmp_path) -> None:
    starts = tmp_path / "starts"
    # A child that records its start and exits at once, as a crashing db_worker would.
    argv = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x')"]
    runner = TaskRunner(argv, restart_after=0.5)
    runner.check()
    assert runner.process is not None
    runner.process.wait(10)
    runner.check()  # noticed the exit: waits before starting again
    assert runner.process is None
    time.sleep(0.6)
    runner.check()
    assert runner.process is not None
    runner.process.wait(10)
    assert starts.read_text() == "xx"


def test_stopping_the_worker_stops_its_task_runner() -> None:
    runner = TaskRunner([sys.executable, "-c", "import time; time.sleep(60)"])
    runner.check()
    assert runner.process is not None and runner.process.poll() is None
    runner.stop(timeout=5)
    assert runner.process.poll() is not None


def test_the_task_runner_is_django_tasks_db_worker_on_every_queue() -> None:
    from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

    from rapport.core.management.commands.run_tasks import Command as RunTasks

    assert DB_WORKER_ARGV[3:6] == ["run_tasks", "--queue-name", "*"]
    assert "--no-reload" in DB_WORKER_ARGV
    assert issubclass(RunTasks, DbWorkerCommand)


def test_the_task_runner_ends_with_one_line_not_tracebacks_when_the_database_goes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

    def database_gone(self: object, *args: object, **options: object) -> None:
        # What db_worker's loop raises when PostgreSQL shuts down under it.
        raise OperationalError("connection failed: FATAL:  the database system is shutting down")

    monkeypatch.setattr(DbWorkerCommand, "handle", database_gone)
    with pytest.raises(SystemExit) as exited:
        call_command("run_tasks", "--queue-name", "*", "--no-reload")
    assert exited.value.code == 75
    lines = [r for r in caplog.records if r.name == "rapport.worker"]
    assert [r.getMessage() for r in lines] == [
        "task worker stopped, database unavailable: OperationalError connection failed: "
        "FATAL:  the database system is shutting down"
    ]
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_a_task_left_running_by_a_killed_worker_is_sent_after_all(settings) -> None:
    from rapport.core.tasks import enqueue_email

    enqueue_email("owner@example.org", "Confirm your email address", "body")
    row = DBTaskResult.objects.get()
    # What a SIGKILLed db_worker leaves: the row claimed, RUNNING, never finished.
    with transaction.atomic():
        row.claim("worker-that-died")
    run_tasks()
    assert mail.outbox == []  # a RUNNING row is not picked up again by itself

    call_command("requeue_stale_tasks", verbosity=0)
    run_tasks()
    assert mail.outbox == []  # not yet stale: it may still be running somewhere

    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now()
        - datetime.timedelta(seconds=settings.RAPPORT_TASK_STALE_SECONDS + 1)
    )
    call_command("requeue_stale_tasks", verbosity=0)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["owner@example.org"]]
    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.SUCCESSFUL
