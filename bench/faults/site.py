"""Faults under load for the whole site (issue 19, item 6): what visitors get while it breaks.

    .venv/bin/python bench/faults/site.py postgres --profiles 20000
    .venv/bin/python bench/faults/site.py sqlite-disk-full --profiles 20000
    .venv/bin/python bench/faults/site.py scale --profiles 20000      # 1 vs 2 app servers
    .venv/bin/python bench/faults/site.py all

Each site is built from nothing in a temporary directory, with services of its own (nothing
shared is stopped or restarted):

- `postgres`: a PostgreSQL cluster of its own (initdb + pg_ctl on a free port, run as the
  `postgres` user when this runs as root), a redis-server of its own on a free port, two app
  servers (`rapport serve`, gunicorn) and a `rapport worker`, all real processes. Phases, each
  under the same load:
    baseline       nothing breaks;
    pg-restart     PostgreSQL stopped (`pg_ctl stop -m fast`), kept down `--outage` seconds,
                   started again; the app servers are not touched. Expected: 503 with
                   Retry-After while it is down, no traceback in the logs, answers again
                   within a second or two of PostgreSQL being back;
    redis-stop     redis-server stopped for `--outage` seconds, then started. Expected: no
                   errors at all (the cache is optional, rate limits fail open);
    kill-app       one of the two app servers SIGKILLed (its whole process group: a lost
                   machine) behind the load client's round-robin; started again after
                   `--outage` seconds. Expected: only the requests in flight on it are lost.
- `sqlite-disk-full`: SQLite in WAL mode, the whole data directory (database, index snapshot,
  secret key) on a tmpfs of its own (`mount -t tmpfs`, root only) just larger than the data;
  one app server and a worker. The file system is filled to the last byte for `--outage`
  seconds, then the filler is deleted. Expected: reads still served, writes (Find your match
  keeps its answers in the database session) a 503 with Retry-After, one log line for the
  outage, writes accepted again as soon as there is space.
- `scale`: throughput of the same load against one app server, then two (PostgreSQL).

The load: `--clients` threads (default 8), each a visitor looping without pause over a search
page (a ZIP and an issue), a profile, an approach page, and now and then Find your match
(GET the form, POST each step with the CSRF cookie and token, GET the results). Loopback
only, bounded by the number of clients. Each request opens its own connection (gunicorn's sync
workers close after each answer). The round-robin skips a server that refuses connections
(nothing was sent, so the request goes to the next one) and looks at it again after a second,
as a load balancer's passive health check would; a request that was sent and got no answer
is lost and counted.

Per phase: requests, answers by status (and by page), 503s with and without Retry-After,
p50/p95 latency of everything answered, time to recover (from the fault's end to the last
failed request), log lines and bytes written, tracebacks in the logs. Prints one JSON
document, also written to bench/out/faults-site-<scenario>-<time>.json. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import glob
import http.client
import json
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
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "bench" / "out"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Any, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# --- Services of our own ------------------------------------------------------------------------


class Postgres:
    """A cluster in a directory, on its own port, run as `postgres` when we are root."""

    def __init__(self, directory: Path) -> None:
        found = sorted(
            glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
        )
        if not found:
            raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found")
        self.bin = Path(found[-1]).parent
        self.data = directory / "pgdata"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")

    def run(self, tool: str, *args: str, check: bool = True) -> None:
        argv = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
        if check and result.returncode:
            raise SystemExit(f"{tool} failed:\n{result.stdout}\n{result.stderr}")

    def create(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        self.start()
        subprocess.run(["psql", self.url("postgres"), "-qc", "CREATE DATABASE rapport"], check=True)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200"
        )
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", f"{self.data}.log",
                 "-w", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, database: str = "rapport") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _connects(self.port), 10, "redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def _connects(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


# --- The site -----------------------------------------------------------------------------------


@dataclass
class App:
    """One app server: `rapport serve` with its own port and log file."""

    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Site:
    backend: str
    directory: Path
    database_url: str
    redis_url: str = ""
    workers: int = 0
    apps: list[App] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="faults-site-logs-")))

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("RAPPORT_", "DATABASE_", "REDIS_"))
        }
        env |= {"RAPPORT_DATA_DIR": str(self.directory), "DATABASE_URL": self.database_url}
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def rapport(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "rapport", *args],
            cwd=REPO, env=self.env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode:
            raise SystemExit(f"rapport {' '.join(args)[:60]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def build(self, profiles: int) -> dict[str, Any]:
        started = time.monotonic()
        self.rapport("migrate", "--no-input", "-v", "0")
        self.rapport("sync_taxonomy")
        self.rapport("seed_demo", "--therapists", str(profiles), "--seed", "1")
        self.rapport("rebuild_index")
        took = time.monotonic() - started
        log(f"{profiles:,} profiles on {self.backend} in {took:.0f} s")
        return json.loads(self.rapport("shell", "-c", _TARGETS).splitlines()[-1])

    def start_app(self, app: App | None = None) -> App:
        if app is None:
            app = App(free_port(), self.logs / f"app-{len(self.apps) + 1}.log")
            self.apps.append(app)
        argv = [sys.executable, "-m", "rapport", "serve", "--bind", f"127.0.0.1:{app.port}"]
        if self.workers:
            argv += ["--workers", str(self.workers)]
        with app.log_path.open("ab") as out:
            app.process = subprocess.Popen(
                argv, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(lambda: _status(app.port, "/readyz") == 200, 120, f"app server {app.port}")
        return app

    def kill_app(self, app: App) -> None:
        # The whole group, master and workers at once: a machine lost, not a worker.
        assert app.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(app.process.pid, signal.SIGKILL)
        app.process.wait()
        app.process = None

    def start_worker(self) -> None:
        out = (self.logs / "worker.log").open("ab")
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "rapport", "worker"], cwd=REPO, env=self.env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        out.close()

    def stop(self) -> None:
        processes = [app.process for app in self.apps] + [self.worker]
        for process in processes:
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            if process is not None:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def log_files(self) -> list[Path]:
        return sorted(self.logs.glob("*.log"))


# What the load asks for, read from the site's own data.
_TARGETS = """
import json, random
from rapport.directory.models import Office, TherapistProfile
from rapport.taxonomy.models import Term
rng = random.Random(1)
slugs = list(TherapistProfile.objects.published().values_list("slug", flat=True)[:5000])
from rapport.core import geo
zips = [z for z in Office.objects.exclude(zip="").values_list("zip", flat=True).distinct()[:3000]
        if geo.lookup_zip(z) is not None]
issues = list(Term.objects.active().filter(kind="issue").values_list("slug", flat=True))
approaches = list(Term.objects.active().filter(kind="approach").values_list("slug", flat=True))
print(json.dumps({"slugs": rng.sample(slugs, min(500, len(slugs))),
                  "zips": rng.sample(zips, min(300, len(zips))),
                  "issues": issues, "approaches": approaches}))
"""


def _status(port: int, path: str) -> int:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


# --- The load -----------------------------------------------------------------------------------


@dataclass
class Record:
    start: float
    end: float
    page: str
    status: str  # "200", "503", or what went wrong: "lost:RemoteDisconnected"
    retry_after: bool
    port: int


class NoServer(Exception):
    pass


class Pool:
    """Round-robin over the app servers, skipping one that refuses connections for a second."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = list(ports)
        self.down_until: dict[int, float] = {}
        self.in_flight: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.turn = 0

    def pick(self) -> int:
        with self.lock:
            now = time.monotonic()
            for _ in range(len(self.ports)):
                port = self.ports[self.turn % len(self.ports)]
                self.turn += 1
                if self.down_until.get(port, 0) <= now:
                    return port
        raise NoServer

    def refused(self, port: int) -> None:
        with self.lock:
            self.down_until[port] = time.monotonic() + 1.0


class Load:
    def __init__(self, pool: Pool, targets: dict[str, Any], clients: int, t0: float) -> None:
        self.pool = pool
        self.targets = targets
        self.clients = clients
        self.t0 = t0
        self.records: list[Record] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.stop.clear()
        self.threads = [
            threading.Thread(target=self.visitor, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def take(self) -> list[Record]:
        with self.lock:
            records, self.records = self.records, []
        return records

    def request(
        self,
        page: str,
        method: str,
        path: str,
        *,
        cookies: SimpleCookie | None = None,
        form: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        """One request through the round-robin; (status, body), status 0 when lost."""
        headers = {"User-Agent": "rapport-faults", "Accept": "text/html"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
        body = None
        for _attempt in range(3):
            try:
                port = self.pool.pick()
            except NoServer:
                time.sleep(0.2)
                continue
            if form is not None:
                body = urlencode(form, doseq=True)
                headers |= {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"http://127.0.0.1:{port}",
                    "Referer": f"http://127.0.0.1:{port}{path}",
                }
            started = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.connect()
            except ConnectionRefusedError:
                self.pool.refused(port)  # nothing was sent: the next server gets it
                conn.close()
                continue
            with self.pool.lock:
                self.pool.in_flight[port] += 1
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                status = str(response.status)
                retry_after = response.getheader("Retry-After") is not None
                if cookies is not None:
                    for value in response.msg.get_all("Set-Cookie") or []:
                        cookies.load(value)
            except (OSError, http.client.HTTPException) as exc:
                text, status, retry_after = "", f"lost:{type(exc).__name__}", False
            finally:
                conn.close()
                with self.pool.lock:
                    self.pool.in_flight[port] -= 1
            with self.lock:
                self.records.append(
                    Record(
                        started - self.t0,
                        time.monotonic() - self.t0,
                        page,
                        status,
                        retry_after,
                        port,
                    )  # fmt: skip
                )
            return (int(status) if status.isdigit() else 0), text
        return 0, ""

    def visitor(self, n: int) -> None:
        rng = random.Random(n)
        t = self.targets
        pages = ["search"] * 3 + ["profile"] * 3 + ["approach"] * 2 + ["match"]
        while not self.stop.is_set():
            page = rng.choice(pages)
            if page == "search":
                query = urlencode(
                    {"location": rng.choice(t["zips"]), "issues": rng.choice(t["issues"])}
                )
                self.request(page, "GET", f"/therapists/?{query}")
            elif page == "profile":
                self.request(page, "GET", f"/therapists/{rng.choice(t['slugs'])}/")
            elif page == "approach":
                self.request(page, "GET", f"/approaches/{rng.choice(t['approaches'])}/")
            else:
                self.match(rng)

    def match(self, rng: random.Random) -> None:
        """Find your match as a browser does it; stops at the first step that fails."""
        cookies: SimpleCookie = SimpleCookie()
        status, page = self.request("match", "GET", "/match/", cookies=cookies)
        token = CSRF.search(page)
        if status != 200 or token is None:
            return
        steps: list[tuple[str, dict[str, Any]]] = [
            ("/match/", {"action": "start"}),
            ("/match/step/1/", {"who": "me", "action": "next"}),
            ("/match/step/2/", {"issues": [rng.choice(self.targets["issues"])], "action": "next"}),
            ("/match/step/3/", {"location": rng.choice(self.targets["zips"]), "mode": "both",
                                "radius": "25", "action": "next"}),
            *[(f"/match/step/{n}/", {"action": "skip"}) for n in (4, 5, 6, 7)],
            ("/match/step/8/", {"action": "go"}),
        ]  # fmt: skip
        for path, form in steps:
            if self.stop.is_set():
                return
            form = {**form, "csrfmiddlewaretoken": token.group(1)}
            status, _body = self.request("match-post", "POST", path, cookies=cookies, form=form)
            if status not in (200, 302, 303):
                return
        self.request("match", "GET", "/match/results/", cookies=cookies)


# --- Figures ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ok(record: Record) -> bool:
    return record.status.isdigit() and int(record.status) < 400


class LogWatch:
    """What the site's logs gained during a phase."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.offsets = {path: path.stat().st_size for path in site.log_files()}

    def gained(self) -> dict[str, Any]:
        text = ""
        for path in self.site.log_files():
            with path.open("rb") as handle:
                handle.seek(self.offsets.get(path, 0))
                text += handle.read().decode("utf-8", "replace")
        lines = text.splitlines()
        # Gunicorn's access log is one JSON line per request (rapport/core/logs.py).
        notable = [line[:300] for line in lines if '"logger": "access"' not in line]
        return {
            "log_bytes": len(text.encode()),
            "log_lines": len(lines),
            "tracebacks": text.count("Traceback (most recent call last)"),
            "lines_not_access_log": len(notable),
            "sample": notable[:8],
        }


def summarize(
    name: str,
    records: list[Record],
    *,
    seconds: float,
    fault: tuple[float, float] | None = None,
    extra: dict[str, Any] | None = None,
    logs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    answered = [r for r in records if r.status.isdigit()]
    by_status = Counter(r.status for r in records)
    by_page: dict[str, dict[str, int]] = {}
    for r in records:
        by_page.setdefault(r.page, Counter())[r.status] += 1  # type: ignore[index]
    five03 = [r for r in records if r.status == "503"]
    result: dict[str, Any] = {
        "phase": name,
        "seconds": round(seconds, 1),
        "requests": len(records),
        "requests_per_s": round(len(records) / seconds, 1) if seconds else None,
        "by_status": dict(sorted(by_status.items())),
        "by_page": {page: dict(sorted(c.items())) for page, c in sorted(by_page.items())},
        "errors": sum(1 for r in records if not ok(r)),
        "503_with_retry_after": sum(r.retry_after for r in five03),
        "503_without_retry_after": sum(not r.retry_after for r in five03),
        "p50_ms": _ms(percentile([r.end - r.start for r in answered], 50)),
        "p95_ms": _ms(percentile([r.end - r.start for r in answered], 95)),
    }
    if fault is not None:
        began, ended = fault
        failed = [r for r in records if not ok(r)]
        after = [r for r in failed if r.end > ended]
        result["fault_s"] = round(ended - began, 1)
        result["errors_during_fault"] = sum(1 for r in failed if began <= r.end <= ended)
        # From the fault's end (service back) to the end of the last request that failed.
        result["recovered_s_after_fault_end"] = round(
            max((r.end for r in after), default=ended) - ended, 2
        )
        result["failed_after_fault_end"] = len(after)
    if extra:
        result |= extra
    if logs:
        result |= logs
    return result


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def run_phase(
    site: Site,
    load: Load,
    name: str,
    *,
    before: float,
    fault: Any = None,
    after: float,
) -> dict[str, Any]:
    """Load for `before` seconds, then the fault (a callable returning its (start, end) times
    relative to load.t0 and any extra figures), then `after` seconds more."""
    watch = LogWatch(site)
    load.take()
    started = time.monotonic()
    load.start()
    time.sleep(before)
    window = extra = None
    if fault is not None:
        window, extra = fault()
    time.sleep(after)
    load.finish()
    seconds = time.monotonic() - started
    records = load.take()
    result = summarize(
        name, records, seconds=seconds, fault=window, extra=extra, logs=watch.gained()
    )
    log(f"{name}: {result['requests']} requests, {result['by_status']}")
    return result | {"_records": records}


# --- Scenarios ----------------------------------------------------------------------------------


def postgres_site(args: argparse.Namespace, root: Path) -> tuple[Site, Postgres, Redis]:
    pg_dir = root / "pg"
    pg_dir.mkdir()
    pg = Postgres(pg_dir)
    pg.create()
    redis = Redis()
    redis.start()
    data = root / "data"
    data.mkdir()
    site = Site("postgres", data, pg.url(), redis.url, workers=args.workers)
    return site, pg, redis


def scenario_postgres(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    site, pg, redis = postgres_site(args, root)
    try:
        targets = site.build(args.profiles)
        site.start_worker()
        one, two = site.start_app(), site.start_app()
        t0 = time.monotonic()
        pool = Pool([one.port, two.port])
        load = Load(pool, targets, args.clients, t0)
        now = lambda: time.monotonic() - t0  # noqa: E731
        phases = [run_phase(site, load, "baseline", before=args.phase, after=0)]

        def restart_postgres() -> tuple[tuple[float, float], dict[str, Any]]:
            began = now()
            pg.stop("fast")
            stopped = now()
            time.sleep(args.outage)
            pg.start()
            return (began, now()), {"pg_stop_took_s": round(stopped - began, 2)}

        phases.append(
            run_phase(site, load, "pg-restart", before=5, fault=restart_postgres, after=args.phase)
        )

        def stop_redis() -> tuple[tuple[float, float], dict[str, Any]]:
            began = now()
            redis.stop()
            time.sleep(args.outage)
            redis.start()
            return (began, now()), {}

        phases.append(
            run_phase(site, load, "redis-stop", before=5, fault=stop_redis, after=args.phase)
        )

        moments: dict[str, float] = {}

        def kill_one() -> tuple[tuple[float, float], dict[str, Any]]:
            moments["began"] = now()
            site.kill_app(two)
            # Its workers die a moment after the master: until the last one has, the kernel
            # still queues connections on the port (and resets them when it goes).
            wait_until(lambda: not _connects(two.port), 10, "the killed server's port to close")
            moments["killed"] = now()
            time.sleep(args.outage)
            site.start_app(two)
            return (moments["began"], moments["killed"]), {
                "killed_server_back_after_s": round(now() - moments["killed"], 1),
            }

        kill = run_phase(site, load, "kill-app", before=5, fault=kill_one, after=args.phase)
        records = kill.pop("_records")
        # In flight: sent to the killed server before its port closed, unanswered when killed.
        on_killed = [r for r in records if r.port == two.port]
        in_flight = [
            r for r in on_killed if r.start <= moments["killed"] and r.end >= moments["began"]
        ]
        lost = [r for r in records if r.status.startswith("lost:")]
        kill |= {
            "in_flight_on_killed_server": len(in_flight),
            "lost": len(lost),
            "lost_that_were_in_flight": sum(1 for r in lost if r in in_flight),
            "lost_sent_after_the_kill": sum(1 for r in lost if r.start > moments["killed"]),
        }
        phases.append(kill)
        return {
            "profiles": args.profiles,
            "phases": phases,
            "worker_alive": site.worker.poll() is None,
        }  # type: ignore[union-attr]
    finally:
        site.stop()
        redis.stop()
        pg.stop()


def scenario_scale(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """The same load against one app server, then two, for each `--scale-workers` count."""
    site, pg, redis = postgres_site(args, root)
    if args.database_url:
        site.database_url = args.database_url
    try:
        targets = (
            json.loads(site.rapport("shell", "-c", _TARGETS).splitlines()[-1])
            if args.database_url
            else site.build(args.profiles)
        )
        runs = []
        for workers in [int(w) for w in args.scale_workers.split(",")]:
            site.workers = workers
            one = site.start_app()
            load = Load(Pool([one.port]), targets, args.clients, time.monotonic())
            run_phase(site, load, "warm-up", before=5, after=0)
            alone = run_phase(
                site, load, f"1 server x {workers} workers", before=args.phase, after=0
            )
            two = site.start_app()
            load.pool = Pool([one.port, two.port])
            run_phase(site, load, "warm-up", before=5, after=0)
            both = run_phase(
                site, load, f"2 servers x {workers} workers", before=args.phase, after=0
            )
            site.stop()
            site.apps = []
            runs.append(
                {
                    "workers_per_server": workers,
                    "phases": [alone, both],
                    "speed_up": round(both["requests_per_s"] / alone["requests_per_s"], 2),
                }
            )
        return {"profiles": args.profiles, "phases": [p for r in runs for p in r["phases"]],
                "runs": [{k: v for k, v in r.items() if k != "phases"} for r in runs]}  # fmt: skip
    finally:
        site.stop()
        redis.stop()
        pg.stop()


def fill(directory: Path) -> Path:
    """Fills the file system under `directory` to the last byte; returns the filler."""
    filler = directory / "filler"
    chunk = b"\0" * (1 << 20)
    with filler.open("wb", buffering=0) as handle:
        for size in (1 << 20, 1 << 12, 1):
            piece = chunk[:size]
            while True:
                try:
                    handle.write(piece)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    return filler


def scenario_disk_full(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    if os.geteuid() != 0:
        raise SystemExit("sqlite-disk-full mounts a tmpfs: run as root")
    build = root / "build"
    build.mkdir()
    site = Site("sqlite", build, f"sqlite:///{build / 'rapport.sqlite3'}", workers=args.workers)
    targets = site.build(args.profiles)
    # An empty WAL, as after a quiet night: the first write after the disk fills must grow it.
    with contextlib.closing(sqlite3.connect(build / "rapport.sqlite3")) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    used = sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    mount = root / "disk"
    mount.mkdir()
    size_mb = used // (1 << 20) + args.headroom_mb
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount)], check=True
    )
    try:
        data = mount / "data"
        shutil.copytree(build, data)
        shutil.rmtree(build)
        site.directory = data
        site.database_url = f"sqlite:///{data / 'rapport.sqlite3'}"
        site.start_worker()
        app = site.start_app()
        t0 = time.monotonic()
        load = Load(Pool([app.port]), targets, args.clients, t0)
        now = lambda: time.monotonic() - t0  # noqa: E731
        phases = [run_phase(site, load, "baseline", before=args.phase, after=0)]

        def disk_full() -> tuple[tuple[float, float], dict[str, Any]]:
            began = now()
            filler = fill(mount)
            free = shutil.disk_usage(mount).free
            time.sleep(args.outage)
            filler.unlink()
            return (began, now()), {"free_bytes_while_full": free, "tmpfs_mb": size_mb}

        phases.append(
            run_phase(site, load, "disk-full", before=5, fault=disk_full, after=args.phase)
        )
        alive = site.worker is not None and site.worker.poll() is None
        return {"profiles": args.profiles, "phases": phases, "worker_alive": alive}
    finally:
        site.stop()
        subprocess.run(["umount", "-l", str(mount)], check=False)


SCENARIOS = {
    "postgres": scenario_postgres,
    "sqlite-disk-full": scenario_disk_full,
    "scale": scenario_scale,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--profiles", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent visitors")
    parser.add_argument("--phase", type=float, default=20.0, help="seconds of load per phase")
    parser.add_argument("--outage", type=float, default=10.0, help="seconds each fault lasts")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers per server")
    parser.add_argument("--headroom-mb", type=int, default=16, help="tmpfs beyond the data")
    parser.add_argument("--database-url", default="", help="scale: an existing database")
    parser.add_argument(
        "--scale-workers", default="1,3", help="scale: gunicorn workers per server, each count run"
    )
    args = parser.parse_args()
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results = {}
    for name in names:
        root = Path(
            tempfile.mkdtemp(
                prefix=f"faults-site-{name}-",
                dir="/dev/shm"
                if name != "sqlite-disk-full" and Path("/dev/shm").is_dir()
                else None,
            )
        )
        root.chmod(0o755)
        log(f"{name} in {root}")
        try:
            results[name] = SCENARIOS[name](args, root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    for scenario in results.values():
        for phase in scenario["phases"]:
            phase.pop("_records", None)
    result = {
        "command": " ".join(sys.argv),
        "clients": args.clients,
        "cores": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        **results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"faults-site-{args.scenario}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
