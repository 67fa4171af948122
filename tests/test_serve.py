"""`rapport serve` and `rapport worker` as an operator runs them, in fresh processes.

One real gunicorn in production mode (on SQLite in a temporary directory, so no server is
needed): static files collected on the first start, pages served through the manifest, the
HTTPS redirect and the probes, and an access log without query strings or tokens.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent
_SETTINGS_ENV = (
    "RAPPORT_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DEBUG",
    "RAPPORT_DATA_DIR", "RAPPORT_MESSAGE_KEYS", "DJANGO_SETTINGS_MODULE", "RAPPORT_WORKERS", "RAPPORT_BIND",
)  # fmt: skip


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS_ENV}
    env |= {
        "RAPPORT_ENV": "production",
        "SECRET_KEY": "a-long-production-secret-that-is-not-committed-anywhere-0123456789",
        "ALLOWED_HOSTS": "rapport.example.org",
        "DATABASE_URL": f"sqlite:///{data_dir / 'rapport.sqlite3'}",
        "RAPPORT_DATA_DIR": str(data_dir),
        "RAPPORT_MESSAGE_KEYS": Fernet.generate_key().decode(),
    }
    return env | extra


def _rapport(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Host": "rapport.example.org", **headers})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_serve_defaults_to_one_worker_per_core_plus_one(tmp_path: Path) -> None:
    result = _rapport("serve", "--dry-run", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    command = result.stdout.strip().splitlines()[-1]
    assert f"--workers {len(os.sched_getaffinity(0)) + 1} " in command
    assert "--logger-class rapport.core.logs.GunicornLogger" in command
    # The first start collected the static files and their manifest; the second does not.
    assert "collecting static files" in result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    again = _rapport("serve", "--dry-run", "--workers", "3", env=_env(tmp_path))
    assert "collecting static files" not in again.stderr
    assert "--workers 3 " in again.stdout


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("migrated")
    result = _rapport("migrate", "--no-input", env=_env(data_dir))
    assert result.returncode == 0, result.stderr
    return data_dir


def test_serve_runs_the_site_in_production(migrated: Path) -> None:
    env = _env(migrated)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rapport", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            assert server.poll() is None, "gunicorn exited"
            time.sleep(0.3)
        status, headers, _ = _get(f"{base}/readyz")
        assert status == 200, headers
        # Plain HTTP is sent to HTTPS; over HTTPS (as the proxy says) the page is served with HSTS.
        status, headers, _ = _get(f"{base}/crisis/")
        assert status == 301 and headers["Location"] == "https://rapport.example.org/crisis/"
        status, headers, html = _get(f"{base}/therapists/?issues=ptsd&location=Tacoma", **https)
        assert status == 200
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "/static/css/site." in html and ".css" in html  # the hashed name, from the manifest
        status, _, _ = _get(f"{base}/match/saved/secret-token-123/", **https)
        assert status in {404, 410}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    # Every line is one JSON object: gunicorn's, Django's and the access log's.
    not_json = [line for line in output.splitlines() if line.strip() and not line.startswith("{")]
    assert not_json == [], not_json
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(line.get("logger") == "gunicorn.error" for line in lines)
    access = [line for line in lines if line.get("logger") == "access"]
    paths = [line["path"] for line in access]
    assert "/therapists/" in paths and "/match/saved/-/" in paths
    assert "ptsd" not in output and "secret-token-123" not in output


def test_worker_once_runs_the_housekeeping_jobs(migrated: Path) -> None:
    env = _env(migrated)
    result = _rapport("worker", "--once", env=env)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [line["message"].split(" done")[0] for line in lines] == [
        "job requeue_stale_tasks",
        "job purge_saved_matches",
        "job purge_saved_shortlists",
        "job clearsessions",
        "job send_availability_reminders",
        "job prune_db_task_results",
        "job purge_deleted_accounts",
        "job purge_contact_requests",
        "job send_reply_reminders",
        "job offer_alternatives",
        "job refresh_license_verifications",
        "job send_moderator_digest",
    ]


def test_worker_once_fails_and_says_so_when_a_job_cannot_run(tmp_path: Path) -> None:
    env = _env(tmp_path)  # never migrated: the jobs' tables are missing
    result = _rapport("worker", "--once", env=env)
    assert result.returncode != 0
    assert (
        "Postponed: requeue_stale_tasks, purge_saved_matches, purge_saved_shortlists, "
        "clearsessions, send_availability_reminders, prune_db_task_results, "
        "purge_deleted_accounts, purge_contact_requests, send_reply_reminders, "
        "offer_alternatives, refresh_license_verifications, send_moderator_digest, "
        "queued tasks" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_the_worker_runs_its_jobs_at_start_and_stops_cleanly_on_sigterm(migrated: Path) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "rapport", "worker", "--tick", "0.2"],
        cwd=REPO, env=_env(migrated), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert worker.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while not any("job prune_db_task_results done" in line for line in seen):
        assert time.monotonic() < deadline, seen
        line = worker.stderr.readline()
        assert line, "the worker exited early"
        seen.append(line)
    worker.send_signal(signal.SIGTERM)
    _out, rest = worker.communicate(timeout=30)
    assert worker.returncode == 0
    messages = [json.loads(line)["message"] for line in [*seen, *rest.splitlines()] if line.strip()]
    assert messages[0] == (
        "worker started: requeue_stale_tasks, purge_saved_matches, purge_saved_shortlists, "
        "clearsessions, "
        "send_availability_reminders, prune_db_task_results, purge_deleted_accounts, "
        "purge_contact_requests, send_reply_reminders, offer_alternatives, "
        "refresh_license_verifications, send_moderator_digest, queued tasks"
    )
    assert messages[-1] == "worker stopped"
