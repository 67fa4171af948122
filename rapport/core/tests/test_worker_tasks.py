"""`rapport worker` keeps its task runner (db_worker) alive and stops it with itself."""

from __future__ import annotations

import sys
import time

from rapport.core.management.commands.worker import DB_WORKER_ARGV, TaskRunner


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
    assert DB_WORKER_ARGV[3:6] == ["db_worker", "--queue-name", "*"]
    assert "--no-reload" in DB_WORKER_ARGV
