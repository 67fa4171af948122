"""`rapport dev`: the site and the worker together, for `make run`.

Starts `rapport serve` (gunicorn) and `rapport worker` (queued emails and housekeeping) as
child processes and waits. Ctrl-C (or SIGTERM) stops both; if either exits on its own, the
other is stopped too and the exit code says which failed, so a half-running site is never
left behind. Production runs the two as separate services instead (docs/deploy.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def child_commands(bind: str, workers: int | None) -> dict[str, list[str]]:
    serve = [sys.executable, "-m", "rapport", "serve", "--bind", bind]
    if workers:
        serve += ["--workers", str(workers)]
    return {"site": serve, "worker": [sys.executable, "-m", "rapport", "worker"]}


def stop_all(children: dict[str, subprocess.Popen[bytes]], timeout: float = 15.0) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class Command(BaseCommand):
    help = "Serve the site and run the worker together; Ctrl-C stops both."
    requires_system_checks = []  # the children run them

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to serve")
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        # Ctrl-C reaches the whole terminal's process group, children included; SIGTERM
        # (from a supervisor) reaches only this process, which passes it on.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        commands = child_commands(options["bind"], options["workers"])
        children = {name: subprocess.Popen(argv) for name, argv in commands.items()}
        self.stdout.write(f"Site and worker started (Ctrl-C stops both): http://{options['bind']}/")
        exited: list[str] = []
        try:
            while not stop.is_set() and not exited:
                exited = [name for name, child in children.items() if child.poll() is not None]
                stop.wait(0.5)
        finally:
            stop_all(children)
        failed = [name for name in exited if children[name].returncode not in (0, None)]
        if exited:
            raise CommandError(
                f"The {', '.join(exited)} stopped on its own "
                f"(exit {', '.join(str(children[n].returncode) for n in exited)}): "
                "stopped the rest." + (" See the lines above." if failed else "")
            )
        self.stdout.write("Site and worker stopped.")
