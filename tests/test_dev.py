"""`rapport dev` (what `make run` starts): the site and the worker, and one Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_SETTINGS_ENV = (
    "RAPPORT_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DEBUG",
    "RAPPORT_DATA_DIR", "DJANGO_SETTINGS_MODULE", "RAPPORT_WORKERS", "RAPPORT_BIND",
    "EMAIL_BACKEND", "EMAIL_HOST",
)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_dev_serves_the_site_runs_queued_emails_and_one_ctrl_c_stops_both(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS_ENV}
    env["RAPPORT_DATA_DIR"] = str(tmp_path)
    rapport = [sys.executable, "-m", "rapport"]
    run = {"cwd": REPO, "env": env, "capture_output": True, "text": True, "timeout": 120}
    assert subprocess.run([*rapport, "migrate", "--no-input"], **run).returncode == 0  # type: ignore[call-overload]
    queue = (
        "from rapport.core.tasks import enqueue_email; "
        "enqueue_email('maya@example.org', 'Welcome', 'Hello from the queue.')"
    )
    assert subprocess.run([*rapport, "shell", "-c", queue], **run).returncode == 0  # type: ignore[call-overload]

    port = _free_port()
    # Its own process group, as a terminal gives a foreground job: Ctrl-C signals the group.
    dev = subprocess.Popen(
        [*rapport, "dev", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        mail_dir = tmp_path / "mail"
        served = sent = False
        while not (served and sent):
            assert time.monotonic() < deadline, (served, sent)
            assert dev.poll() is None, "rapport dev exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    served = r.status == 200
            except OSError:
                pass
            sent = mail_dir.exists() and any(mail_dir.iterdir())
            time.sleep(0.3)
        [message] = mail_dir.iterdir()
        assert "Hello from the queue." in message.read_text()
    finally:
        os.killpg(dev.pid, signal.SIGINT)  # what Ctrl-C does
        output, _ = dev.communicate(timeout=60)
    assert dev.returncode == 0, output
    assert "Site and worker stopped." in output
    # Nothing of it is left running: gunicorn, the worker and its task runner all exited.
    deadline = time.monotonic() + 10
    while _group_alive(dev.pid):
        assert time.monotonic() < deadline, "a child outlived rapport dev"
        time.sleep(0.2)
