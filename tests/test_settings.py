"""The settings file's promises, checked in fresh interpreters.

Settings are read once per process, so each case runs `django.setup()` in a
subprocess with exactly the environment it describes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parent.parent
# Everything settings.py reads that the surrounding shell (or CI) may have set.
_SETTINGS_ENV = (
    "RAPPORT_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DEBUG",
    "RAPPORT_DATA_DIR", "RAPPORT_MESSAGE_KEYS", "DATABASE_REPLICA_URL",
    # Set by the browser tests' conftest (Playwright's sync API in the test thread) whenever
    # the suite collects tests/e2e; a deployment never has it, and check --deploy says so.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)  # fmt: skip


def _django(code: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in _SETTINGS_ENV}
    full_env |= {"DJANGO_SETTINGS_MODULE": "rapport.settings", "RAPPORT_DATA_DIR": str(data_dir)}
    full_env |= env
    return subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr}"
    return result.stdout.strip()


PRODUCTION_ENV = {
    "RAPPORT_ENV": "production",
    "SECRET_KEY": "a-long-production-secret-that-is-not-committed-anywhere-0123456789",
    "ALLOWED_HOSTS": "rapport.example.org",
    "DATABASE_URL": "postgres://rapport@127.0.0.1:5432/rapport",
    "RAPPORT_MESSAGE_KEYS": Fernet.generate_key().decode(),
}


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "RAPPORT_MESSAGE_KEYS"]
)
def test_it_refuses_to_start_in_production_without(missing: str, tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _django("", tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set" in result.stderr, result.stderr
    # Production never falls back to a generated key.
    assert not (tmp_path / "secret_key").exists()


def test_it_starts_in_production_with_all_three(tmp_path: Path) -> None:
    out = _ok(
        _django(
            "from django.conf import settings\n"
            "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.DATABASES['default']['ENGINE'])",
            tmp_path,
            **PRODUCTION_ENV,
        )
    )
    assert out == "False ['rapport.example.org'] rapport.core.postgresql"
    assert not (tmp_path / "secret_key").exists()


def test_it_generates_the_embedded_secret_key_once_and_reuses_it(tmp_path: Path) -> None:
    show = "from django.conf import settings\nprint(settings.SECRET_KEY)"
    first = _ok(_django(show, tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    # Only the account running the site may read it.
    assert key_file.stat().st_mode & 0o777 == 0o600

    second = _ok(_django(show, tmp_path))
    assert second == first
    # Another installation gets another key.
    assert _ok(_django(show, tmp_path / "elsewhere")) != first


def test_it_prefers_a_secret_key_from_the_environment(tmp_path: Path) -> None:
    out = _ok(
        _django(
            "from django.conf import settings\nprint(settings.SECRET_KEY)",
            tmp_path,
            SECRET_KEY="from-the-environment",
        )
    )
    assert out == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_it_opens_the_embedded_sqlite_database_in_wal_mode(tmp_path: Path) -> None:
    out = _ok(
        _django(
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('PRAGMA journal_mode')\n"
            "    mode = c.fetchone()[0]\n"
            "    c.execute('PRAGMA busy_timeout')\n"
            "    timeout = c.fetchone()[0]\n"
            "    c.execute('PRAGMA foreign_keys')\n"
            "    fks = c.fetchone()[0]\n"
            "print(connection.vendor, mode, timeout, fks)",
            tmp_path,
        )
    )
    assert out == "sqlite wal 20000 1"
    assert (tmp_path / "rapport.sqlite3").exists()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "abc", "SECRET_KEY is too weak"),
        ("SECRET_KEY", "x" * 60, "SECRET_KEY is too weak"),
        ("SECRET_KEY", "django-insecure-" + "k3j4h5g6f7d8s9a0" * 4, "SECRET_KEY is too weak"),
        ("ALLOWED_HOSTS", "*", "not '*'"),
        ("ALLOWED_HOSTS", "rapport.example.org,*", "not '*'"),
        ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS must be set"),
        ("DEBUG", "1", "DEBUG must be off"),
    ],
)
def test_it_refuses_unsafe_production_values(
    name: str, value: str, message: str, tmp_path: Path
) -> None:
    result = _django("", tmp_path, **(PRODUCTION_ENV | {name: value}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr, result.stderr


def test_it_turns_on_https_protections_in_production(tmp_path: Path) -> None:
    out = _ok(
        _django(
            "from django.conf import settings as s\n"
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
            " s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
            " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
            tmp_path,
            **(PRODUCTION_ENV | {"ALLOWED_HOSTS": " rapport.example.org , www.example.org "}),
        )
    )
    assert out == (
        "31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') "
        "__Host-sessionid __Host-csrftoken True True"
    )


def test_development_keeps_plain_http_and_plain_cookie_names(tmp_path: Path) -> None:
    out = _ok(
        _django(
            "from django.conf import settings as s\n"
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_NAME)",
            tmp_path,
        )
    )
    assert out == "0 False sessionid"


def test_the_deploy_check_passes_at_warning_level_in_production(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in _SETTINGS_ENV}
    env |= PRODUCTION_ENV | {"RAPPORT_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_replica_url_adds_the_replica_alias_mirrored_in_tests(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s\n"
        "r = s.DATABASES['replica']\n"
        "print(r['HOST'], r['PORT'], r['NAME'], r['ENGINE'], r['TEST']['MIRROR'])\n"
        "print(s.DATABASE_ROUTERS)"
    )
    out = _ok(
        _django(
            code,
            tmp_path,
            DATABASE_URL="postgres://rapport@10.0.0.1:5432/rapport",
            DATABASE_REPLICA_URL="postgres://rapport@10.0.0.2:5433/rapport",
        )
    )
    assert out.splitlines() == [
        "10.0.0.2 5433 rapport rapport.core.postgresql default",
        "['rapport.core.replica.ReplicaRouter']",
    ]
    without = _ok(
        _django("from django.conf import settings as s; print(sorted(s.DATABASES))", tmp_path)
    )
    assert without == "['default']"
