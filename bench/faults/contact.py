"""Faults under load for contact requests (issue 17): does every request survive, once?

    .venv/bin/python bench/faults/contact.py smtp-outage --submissions 500 --outage 600
    .venv/bin/python bench/faults/contact.py kill-web --kills 50 --backend sqlite|postgres
    .venv/bin/python bench/faults/contact.py kill-worker --submissions 100 --kills 10
    .venv/bin/python bench/faults/contact.py slow-smtp --submissions 200 --delay 5

Each scenario builds a site of its own in a temporary directory (SQLite there, or the
PostgreSQL database `rapport_faults`, dropped and created again), with demo profiles of which
some are claimed by owners with verified addresses; runs `rapport serve` (gunicorn) and
`rapport worker` as the real commands; sends mail to a local SMTP sink (aiosmtpd) in this
process; and submits the contact form over HTTP the way a browser does (GET the form, keep its
cookies and hidden fields, wait as a person would, POST). Each submission comes from its own
address (`X-Real-IP`, trusted as the proxy header here), so per-address limits stay those of
real senders.

What is checked afterwards, from the database and the sink:
- smtp-outage: the sink is down for `--outage` seconds while the submissions go in; then up.
  Every request's owner notification and sender receipt arrived exactly once.
- kill-web: while 16 clients submit, `--kills` times the harness waits for a POST on the wire,
  gives it 0-30 ms, and SIGKILLs every gunicorn worker (the master starts new ones). A client
  whose POST was cut off retries it (up to twice) with the same form (same idempotency key),
  as a person pressing the button again would. Every request whose page said "sent" is in the database,
  none twice (each submission has its own sender address), and the database's own integrity
  check is clean.
- kill-worker: the queue is filled with the worker stopped, the sink made slow (0.3 s per
  message), then the worker is SIGKILLed `--kills` times mid-send and started again. Every
  notification arrived; duplicates (a kill after SMTP accepted and before the row was marked)
  are counted and reported.
- slow-smtp (SQLite only): the worker runs and the sink takes `--delay` seconds to answer each
  message (keep it under EMAIL_TIMEOUT, 20 s) while 8 clients submit `--submissions` forms.
  Reported: how many pages said "sent", the errors (HTTP 5xx, timeouts), POST latency
  p50/p95/max, and the "database is locked" lines in the web and worker logs. A delivery that
  sends inside a transaction holds SQLite's write lock for the whole SMTP conversation, so
  the form's writes wait behind it. Once the submissions are in, the sink answers at full speed
  again (slow for 400 messages at 5 s it would take 33 minutes to drain) and, within a bounded
  wait, every request's notification and receipt must have arrived exactly once.

Prints one JSON document with the figures (also written to bench/out/faults-<scenario>-*.json).
This is a benchmark, not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import http.cookiejar
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import message_from_bytes
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "bench" / "out"
PG_SERVER = os.environ.get("RAPPORT_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_DB = "rapport_faults"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the SMTP sink -------------------------------------------------------------------------


class Sink:
    """A local SMTP server that keeps what it receives; `down()` stops it listening."""

    def __init__(self, port: int, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.messages: list[tuple[list[str], str, str]] = []  # (to, subject, body)
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            time.sleep(self.delay)  # blocks the sink's loop: a slow server, on purpose
        message = message_from_bytes(envelope.content)
        parts = [message] if not message.is_multipart() else list(message.walk())
        body = "\n".join(
            part.get_payload(decode=True).decode("utf-8", "replace")
            for part in parts
            if part.get_content_type() == "text/plain"
        )
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), str(message["Subject"]), body))
        return "250 OK"

    def up(self) -> None:
        if self.controller is None:
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def received(self) -> list[tuple[list[str], str, str]]:
        with self.lock:
            return list(self.messages)


# --- the site --------------------------------------------------------------------------------


@dataclass
class Site:
    backend: str
    smtp_port: int
    workers: int = 2
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="faults-")))
    port: int = field(default_factory=free_port)
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    slugs: list[str] = field(default_factory=list)
    logs: bool = False  # keep the web and worker output (web.log, worker.log in directory)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RAPPORT_", "DATABASE_"))}
        database = (
            f"{PG_SERVER}/{PG_DB}"
            if self.backend == "postgres"
            else f"sqlite:///{self.directory / 'rapport.sqlite3'}"
        )
        key_file = self.directory / "message_key"
        if not key_file.exists():
            from cryptography.fernet import Fernet

            key_file.write_text(Fernet.generate_key().decode())
        return env | {
            "RAPPORT_DATA_DIR": str(self.directory),
            "DATABASE_URL": database,
            "RAPPORT_MESSAGE_KEYS": key_file.read_text(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "RAPPORT_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
            "RAPPORT_SITE_URL": f"http://127.0.0.1:{self.port}",
        }

    def rapport(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "rapport", *args],
            cwd=REPO, env=self.env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode:
            raise SystemExit(f"rapport {' '.join(args)[:60]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def create(self, *, profiles: int, owners: int) -> None:
        if self.backend == "postgres":
            for sql in (
                f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)",
                f"CREATE DATABASE {PG_DB}",
            ):
                subprocess.run(["psql", PG_SERVER + "/postgres", "-qc", sql], check=True)
        self.rapport("migrate", "--no-input", "-v", "0")
        self.rapport("seed_demo", "--therapists", str(profiles), "--seed", "1")
        self.slugs = json.loads(self.shell(_CLAIM.replace("OWNERS", str(owners))).splitlines()[-1])

    def output(self, name: str) -> Any:
        if not self.logs:
            return subprocess.DEVNULL
        return open(self.directory / f"{name}.log", "ab")  # the child writes it; closed at exit

    def log_lines(self, name: str, text: str) -> int:
        path = self.directory / f"{name}.log"
        if not path.exists():
            return 0
        return sum(text in line for line in path.read_text(errors="replace").splitlines())

    def shell(self, code: str) -> str:
        return self.rapport("shell", "-c", code)

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [sys.executable, "-m", "rapport", "serve", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers)],
            cwd=REPO, env=self.env, stdout=self.output("web"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_until(lambda: http_status(f"{self.base}/healthz") == 200, 60, "the web server")

    def web_workers(self) -> list[int]:
        assert self.web is not None
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "rapport", "worker", "--tick", "5"],
            cwd=REPO, env=self.env, stdout=self.output("worker"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def kill_worker(self) -> None:
        # The whole group: the worker and its db_worker child, as a lost machine would.
        if self.worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
            self.worker = None

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict[str, Any]]:
        return json.loads(self.shell(_REQUESTS).splitlines()[-1])

    def integrity(self) -> str:
        if self.backend == "sqlite":
            with contextlib.closing(sqlite3.connect(self.directory / "rapport.sqlite3")) as db:
                return ", ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
        # amcheck: every B-tree index checked against its table (pg_amcheck, PostgreSQL 14+).
        subprocess.run(
            ["psql", f"{PG_SERVER}/{PG_DB}", "-qc", "CREATE EXTENSION IF NOT EXISTS amcheck"],
            check=True,
        )
        found = shutil.which("pg_amcheck") or next(
            iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_amcheck"), reverse=True)), ""
        )
        if not found:
            return "not checked: pg_amcheck not found (apt-get install postgresql-15)"
        result = subprocess.run(
            [found, "--heapallindexed", "-d", PG_DB, "-h", "127.0.0.1", "-U", "postgres"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return "ok" if result.returncode == 0 else result.stdout[-2000:] + result.stderr[-2000:]


# Claims the first OWNERS published profiles for owners with verified addresses; prints slugs.
_CLAIM = """
import json
from allauth.account.models import EmailAddress
from rapport.accounts.models import User
from rapport.directory.models import TherapistProfile
slugs = []
for i, p in enumerate(TherapistProfile.objects.published().order_by("id")[:OWNERS]):
    user = User.objects.create_user(f"owner{i}@example.test", "fault-owner-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TherapistProfile.objects.filter(pk=p.pk).update(owner=user)
    slugs.append(p.slug)
print(json.dumps(slugs))
"""

# Every contact request's delivery state, with its sender's address (decrypted here: the
# harness's own senders) so a submission and its row can be matched.
_REQUESTS = """
import json
from rapport.messaging.models import ContactRequest
print(json.dumps([
    {"sender": r.contents().get("email", ""), "public_id": str(r.public_id),
     "notified": r.therapist_notified_at is not None, "receipt": r.receipt_sent_at is not None}
    for r in ContactRequest.objects.all()]))
"""


def wait_until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


# --- a person submitting the form --------------------------------------------------------------


class FormParser(HTMLParser):
    """The inputs of the form that posts to the contact URL: name -> value."""

    def __init__(self) -> None:
        super().__init__()
        self.in_form = False
        self.fields: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if (
            tag == "form"
            and a.get("method", "").lower() == "post"
            and "contact" in a.get("action", "/contact/")
        ):
            self.in_form = True
        if not self.in_form or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and name in self.fields:
                return  # the first option of a group
            self.kinds[name] = kind
            self.fields[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self.kinds[name], self.fields[name] = "textarea", ""
        elif tag == "select":
            self.kinds[name], self.fields[name], self.select = "select", "", name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        if tag == "select":
            self.select = None


def fill(fields: dict[str, str], kinds: dict[str, str], n: int, run: str) -> dict[str, str]:
    """What a person types: known fields filled, opt-ins left off, unknown text left empty
    (a honeypot is an unknown text field)."""
    data: dict[str, str] = {}
    for name, value in fields.items():
        kind = kinds[name]
        if kind in ("hidden", "radio", "select"):
            data[name] = value or ("email" if "prefer" in name else value)
        elif kind == "checkbox":
            if "consent" in name or "agree" in name:
                data[name] = value
        elif name == "email" or name.endswith("email"):
            data[name] = f"sender-{run}-{n}@example.test"
        elif name == "name" or name.endswith("_name"):
            data[name] = f"Fault Sender {n}"
        elif name == "message" or kind == "textarea" and "message" in name:
            data[name] = f"Hello, I would like to ask about an appointment. Request {n} of {run}."
    return data


# POSTs on the wire right now: the killer waits for one, so each kill lands mid-submission.
_in_flight_lock = threading.Lock()
_in_flight = 0


def _posting(delta: int) -> None:
    global _in_flight
    with _in_flight_lock:
        _in_flight += delta


def posting_now() -> bool:
    with _in_flight_lock:
        return _in_flight > 0


@dataclass
class Outcome:
    sender: str = ""
    said_sent: bool = False
    attempts: int = 0
    interrupted: int = 0  # POSTs cut off by a kill
    error: str = ""
    post_seconds: float = 0.0  # the last POST, from sending it to its final page or error


def submit(site: Site, slug: str, n: int, run: str, fill_seconds: float, retries: int) -> Outcome:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    url = f"{site.base}/therapists/{slug}/contact/"
    outcome = Outcome()
    parser = FormParser()
    for _ in range(20):  # the form itself may meet a killed worker: load it again
        try:
            request = urllib.request.Request(url, headers={"X-Real-IP": address})
            with opener.open(request, timeout=15) as response:
                parser.feed(response.read().decode())
            break
        except OSError as exc:
            outcome.error = f"form: {type(exc).__name__}"
            time.sleep(0.2)
    else:
        return outcome
    data = fill(parser.fields, parser.kinds, n, run)
    outcome.sender = data.get("email", "")
    time.sleep(fill_seconds)  # a person takes longer than the form's minimum fill time
    body = urllib.parse.urlencode(data).encode()
    for _ in range(1 + retries):
        outcome.attempts += 1
        request = urllib.request.Request(
            url, data=body, headers={"X-Real-IP": address, "Referer": url, "Origin": site.base}
        )
        _posting(+1)
        posted = time.monotonic()
        try:
            # A browser waits minutes for an answer; workers booting on a busy machine take
            # seconds.
            with opener.open(request, timeout=60) as response:
                final = response.geturl()
                page = response.read().decode()
            outcome.said_sent = "/contact/sent/" in final
            outcome.error = "" if outcome.said_sent else f"page: {final} {page[:0]}"
            return outcome
        except urllib.error.HTTPError as exc:
            outcome.error = f"HTTP {exc.code}"
            if exc.code < 500:
                return outcome
        except OSError as exc:
            outcome.error = type(exc).__name__  # connection reset by a killed worker
            outcome.interrupted += 1
        finally:
            _posting(-1)
            outcome.post_seconds = time.monotonic() - posted
        time.sleep(0.3)
    return outcome


def submit_many(
    site: Site,
    count: int,
    run: str,
    *,
    clients: int,
    fill_seconds: float,
    retries: int,
    start: int = 0,
) -> list[Outcome]:
    # Submission n comes from its own sender and address, to profile n modulo the claimed ones.
    with ThreadPoolExecutor(clients) as pool:
        jobs = [
            pool.submit(
                submit, site, site.slugs[n % len(site.slugs)], n, run, fill_seconds, retries
            )
            for n in range(start, start + count)
        ]
        return [job.result() for job in jobs]


# --- checks ------------------------------------------------------------------------------------


def deliveries(site: Site, sink: Sink, run: str) -> dict[str, Any]:
    """How many notifications and receipts each request got, from what the sink received."""
    rows = site.requests()
    by_public = {row["public_id"]: row for row in rows}
    notified: Counter[str] = Counter()
    receipts: Counter[str] = Counter()
    unmatched = 0
    for to, _subject, body in sink.received():
        if any(address.startswith(f"sender-{run}-") for address in to):
            receipts[to[0]] += 1
            continue
        ids = [match for match in UUID.findall(body) if match in by_public]
        if ids:
            notified[ids[0]] += 1
        else:
            unmatched += 1
    senders = {f"sender-{run}-{n}@example.test" for n in range(len(rows) * 2)}
    return {
        "requests": len(rows),
        "notified_once": sum(1 for p in by_public if notified[p] == 1),
        "notified_never": sum(1 for p in by_public if notified[p] == 0),
        "notified_twice_or_more": sum(1 for p in by_public if notified[p] > 1),
        "notifications_without_a_request_id": unmatched,
        "receipts": sum(receipts.values()),
        "receipts_duplicated": sum(1 for a, c in receipts.items() if c > 1 and a in senders),
        "marked_notified": sum(1 for row in rows if row["notified"]),
        "marked_receipt": sum(1 for row in rows if row["receipt"]),
    }


def wait_for_delivery(site: Site, seconds: float) -> float:
    started = time.monotonic()
    wait_until(
        lambda: all(row["notified"] and row["receipt"] for row in site.requests()),
        seconds,
        "every notification and receipt",
    )
    return time.monotonic() - started


# --- scenarios ---------------------------------------------------------------------------------


def smtp_outage(args: argparse.Namespace, site: Site, sink: Sink, run: str) -> dict[str, Any]:
    site.start_web()
    site.start_worker()
    started = time.monotonic()
    sink.down()
    outcomes = submit_many(
        site, args.submissions, run, clients=8, fill_seconds=args.fill, retries=0
    )
    submitted_in = time.monotonic() - started
    time.sleep(max(0.0, args.outage - (time.monotonic() - started)))
    sink.up()
    back_at = time.monotonic()
    # The longest retry pause after a 10-minute outage is a few minutes (messaging/tasks.py).
    delivered_after = wait_for_delivery(site, args.outage + 1800)
    return {
        "submissions": args.submissions,
        "said_sent": sum(o.said_sent for o in outcomes),
        "errors": Counter(o.error for o in outcomes if not o.said_sent),
        "submitted_in_s": round(submitted_in, 1),
        "outage_s": round(back_at - started, 1),
        "all_delivered_s_after_smtp_back": round(delivered_after, 1),
        **deliveries(site, sink, run),
    }


def kill_web(args: argparse.Namespace, site: Site, sink: Sink, run: str) -> dict[str, Any]:
    sink.up()
    site.start_web()
    kills = 0
    stop = threading.Event()

    def killer() -> None:
        # Wait for a POST on the wire, give it 0-30 ms to reach the view, then SIGKILL every
        # gunicorn worker (the master starts new ones, as it would after a crash).
        nonlocal kills
        while kills < args.kills and not stop.is_set():
            if not posting_now():
                time.sleep(0.005)
                continue
            time.sleep(random.uniform(0.0, 0.03))
            for pid in site.web_workers():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            kills += 1
            # New workers up and serving before the next kill: a kill while they still boot
            # would only test how long a browser waits.
            wait_until(lambda: len(site.web_workers()) == site.workers, 30, "new workers")
            wait_until(lambda: http_status(f"{site.base}/healthz") == 200, 60, "a ready worker")
            time.sleep(random.uniform(0.5, 1.5))  # let some submissions through

    thread = threading.Thread(target=killer)
    thread.start()
    outcomes: list[Outcome] = []
    while kills < args.kills:  # keep the load on until every kill happened
        outcomes += submit_many(
            site, 160, run, clients=16, fill_seconds=args.fill, retries=2, start=len(outcomes)
        )
    stop.set()
    thread.join()
    rows = site.requests()
    senders = Counter(row["sender"] for row in rows)  # one sender per submission
    sent = {o.sender for o in outcomes if o.said_sent}
    return {
        "kills": kills,
        "submissions": len(outcomes),
        "said_sent": len(sent),
        "not_sent": Counter(o.error for o in outcomes if not o.said_sent),
        "posts_cut_off_by_a_kill": sum(o.interrupted for o in outcomes),
        "retried": sum(o.attempts > 1 for o in outcomes),
        "rows": len(rows),
        "said_sent_but_missing": len(sent - set(senders)),
        "duplicates": sum(1 for c in senders.values() if c > 1),
        "stored_though_page_never_said_sent": len(set(senders) - sent),
        "integrity": site.integrity(),
    }


def kill_worker(args: argparse.Namespace, site: Site, sink: Sink, run: str) -> dict[str, Any]:
    sink.up()
    site.start_web()
    outcomes = submit_many(
        site, args.submissions, run, clients=8, fill_seconds=args.fill, retries=0
    )
    sink.delay = 0.3
    kills = 0
    started = time.monotonic()
    while kills < args.kills:
        site.start_worker()
        time.sleep(random.uniform(3.0, 8.0))  # start-up, then some sends
        site.kill_worker()
        kills += 1
    site.start_worker()
    # A task whose worker was killed waits RAPPORT_TASK_STALE_SECONDS before it is queued again.
    delivered = wait_for_delivery(site, 1800)
    return {
        "submissions": args.submissions,
        "said_sent": sum(o.said_sent for o in outcomes),
        "kills": kills,
        "all_delivered_s": round(time.monotonic() - started, 1),
        "after_last_kill_s": round(delivered, 1),
        **deliveries(site, sink, run),
    }


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))]


def slow_smtp(args: argparse.Namespace, site: Site, sink: Sink, run: str) -> dict[str, Any]:
    if site.backend != "sqlite":
        raise SystemExit("slow-smtp is about SQLite's single writer: use --backend sqlite")
    sink.up()
    site.start_web()
    site.start_worker()
    # The worker's daily jobs email at start-up (about 20 messages): let them go at full speed
    # first, so only contact requests meet the slow server.
    quiet_since, seen, deadline = time.monotonic(), -1, time.monotonic() + 120
    while time.monotonic() - quiet_since < 8 and time.monotonic() < deadline:
        if len(sink.received()) != seen:
            quiet_since, seen = time.monotonic(), len(sink.received())
        time.sleep(0.5)
    before = len(sink.received())
    sink.delay = args.delay
    started = time.monotonic()
    outcomes = submit_many(
        site, args.submissions, run, clients=8, fill_seconds=args.fill, retries=0
    )
    submitted_in = time.monotonic() - started
    sent_while_slow = len(sink.received()) - before
    sink.delay = 0.0  # the mail server is fast again: the backlog drains in minutes
    delivered_after = wait_for_delivery(site, args.drain)
    latencies = [o.post_seconds for o in outcomes if o.attempts]
    return {
        "submissions": args.submissions,
        "smtp_delay_s": args.delay,
        "said_sent": sum(o.said_sent for o in outcomes),
        "errors": Counter(o.error for o in outcomes if not o.said_sent),
        "post_p50_s": round(percentile(latencies, 0.50), 3),
        "post_p95_s": round(percentile(latencies, 0.95), 3),
        "post_max_s": round(max(latencies), 3),
        "posts_over_1_s": sum(t > 1.0 for t in latencies),
        "submitted_in_s": round(submitted_in, 1),
        "emails_before_submissions": before,
        "emails_sent_while_slow": sent_while_slow,
        "all_delivered_s_after_sink_fast": round(delivered_after, 1),
        "web_log_database_locked": site.log_lines("web", "database is locked"),
        "worker_log_database_locked": site.log_lines("worker", "database is locked"),
        "worker_log_retries": site.log_lines("worker", "failed (OperationalError"),
        **deliveries(site, sink, run),
    }


SCENARIOS = {
    "smtp-outage": smtp_outage,
    "kill-web": kill_web,
    "kill-worker": kill_worker,
    "slow-smtp": slow_smtp,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--submissions", type=int, help="500; slow-smtp: 200")
    parser.add_argument("--outage", type=float, default=600.0, help="seconds SMTP is down")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--owners", type=int, default=60)
    parser.add_argument("--fill", type=float, default=3.0, help="seconds between GET and POST")
    parser.add_argument(
        "--delay", type=float, default=5.0, help="slow-smtp: seconds the sink takes per message"
    )
    parser.add_argument(
        "--drain", type=float, default=900.0, help="slow-smtp: longest wait for every email"
    )
    args = parser.parse_args()
    if args.submissions is None:
        args.submissions = 200 if args.scenario == "slow-smtp" else 500
    run = time.strftime("%H%M%S")
    sink = Sink(free_port())
    site = Site(args.backend, sink.port, logs=args.scenario == "slow-smtp")
    print(f"site in {site.directory} ({args.backend}), building...", file=sys.stderr)
    site.create(profiles=args.profiles, owners=args.owners)
    try:
        result = SCENARIOS[args.scenario](args, site, sink, run)
    finally:
        site.stop()
        sink.down()
    result = {"scenario": args.scenario, "backend": args.backend, **result}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"faults-{args.scenario}-{args.backend}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
