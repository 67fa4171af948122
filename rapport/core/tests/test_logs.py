"""Log lines: one JSON object each, never a query string or a saved list's token."""

from __future__ import annotations

import datetime
import json
import logging
import sys
from types import SimpleNamespace

from rapport.core.logs import ACCESS_LOG_FORMAT, GunicornLogger, JsonFormatter, clean_path


def test_clean_path_drops_query_strings_and_saved_list_tokens() -> None:
    assert clean_path("/therapists/?issues=ptsd&location=Tacoma") == "/therapists/"
    assert clean_path("/match/saved/AbC_123-xyz/delete/") == "/match/saved/-/delete/"
    assert clean_path("Internal Server Error: /match/saved/tok3n/?x=1") == (
        "Internal Server Error: /match/saved/-/"
    )


def test_json_lines_carry_the_cleaned_message_and_the_traceback_inside_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "django.request", logging.ERROR, __file__, 1,
            "Internal Server Error: %s", ("/therapists/?issues=ptsd",), sys.exc_info(),
        )  # fmt: skip
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "Internal Server Error: /therapists/"
    assert data["level"] == "ERROR" and data["exception"] == "ValueError"
    assert "ptsd" not in line


def test_the_gunicorn_access_log_has_no_query_string_token_referrer_or_address() -> None:
    cfg = SimpleNamespace(
        access_log_format=ACCESS_LOG_FORMAT, errorlog="-", loglevel="info", accesslog="-",
        syslog=False, capture_output=False, logconfig=None, logconfig_dict={},
        logconfig_json=None, user=0, group=0, disable_redirect_access_to_syslog=False,
    )  # fmt: skip
    logger = GunicornLogger.__new__(GunicornLogger)
    logger.cfg = cfg
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/match/saved/s3cret/?issues=ptsd",
        "PATH_INFO": "/match/saved/s3cret/",
        "QUERY_STRING": "issues=ptsd",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": "https://rapport.example.org/therapists/?issues=ptsd",
        "HTTP_USER_AGENT": "Browser",
    }
    resp = SimpleNamespace(status="200 OK", sent=512, headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("COOKIE", "a=b")])
    atoms = logger.atoms(resp, req, environ, datetime.timedelta(milliseconds=12))
    line = ACCESS_LOG_FORMAT % atoms
    data = json.loads(line)
    assert data["path"] == "/match/saved/-/" and data["status"] == 200
    for secret in ("s3cret", "ptsd", "203.0.113.9", "a=b", "Browser"):
        assert secret not in json.dumps(atoms)
