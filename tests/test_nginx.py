"""`nginx -t` on the shipped deploy/nginx.conf, as docs/deploy.md installs it.

The config goes into nginx's `http` block (sites-enabled), so a small main config includes
it; the certificate paths (Let's Encrypt's, absent here) point at a self-signed certificate
made for the test, and log and temporary files go to the test's folder, so the check needs no
root and touches nothing of the machine's. Skipped with the reason when nginx or openssl is
missing; CI (CI=true) installs nginx (.ci/run) and fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "deploy" / "nginx.conf"
LETSENCRYPT = "/etc/letsencrypt/live/rapport.example.org/"


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        message = f"{name} not installed (Debian: apt-get install {name})"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def test_the_shipped_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx, openssl = tool("nginx"), tool("openssl")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=rapport.example.org",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=60,
    )
    config = SHIPPED.read_text(encoding="utf-8")
    # Exactly the two certificate lines and the two access logs are redirected; a change in
    # the shipped file that this misses fails here rather than testing something else.
    assert config.count(LETSENCRYPT) == 2 and config.count("/var/log/nginx/") == 2
    site = tmp_path / "rapport.conf"
    site.write_text(
        config.replace(LETSENCRYPT, f"{tmp_path}/").replace("/var/log/nginx/", f"{tmp_path}/"),
        encoding="utf-8",
    )
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        + "".join(
            f"    {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {site};\n"
        "}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            nginx,
            "-t",
            "-q",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(main),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # nginx -q prints only problems: a warning (a duplicate server name, say) fails too.
    assert "[warn]" not in result.stderr, result.stderr
