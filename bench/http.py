"""The full HTTP layer: gunicorn pinned to core 0, load from core 1 (wrk -c1, else Python).

`wrk -c1` measures service time: one connection, the next request leaves
when the previous answer arrived. Without wrk, a keep-alive http.client loop
pinned to core 1 does the same, at a little more client overhead.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from . import common
from .timing import Plan, summarize

LUA = Path(__file__).resolve().parent / "wrk_report.lua"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pinned(cmd: list[str], core: int | None) -> list[str]:
    if core is None or not shutil.which("taskset"):
        return cmd
    return ["taskset", "-c", str(core), *cmd]


class Server:
    """`gunicorn rapport.wsgi -w 1` in the dataset's environment (inherited from the worker)."""

    def __init__(self, *, pin: bool) -> None:
        self.port = free_port()
        self.pin = pin
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 600) -> None:
        cmd = [
            common.venv_bin("gunicorn"), "rapport.wsgi", "-w", "1", "-b", f"127.0.0.1:{self.port}",
            # The first request may build the index at 1M: no worker timeout mid-build.
            "--timeout", "900", "--log-level", "warning",
        ]  # fmt: skip
        self.proc = subprocess.Popen(_pinned(cmd, 0 if self.pin else None), cwd=common.REPO)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                self.get("/", timeout=600)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def get(self, path: str, timeout: float = 60) -> tuple[int, int]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            return response.status, len(body)
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def memory(self) -> dict[str, int]:
        """VmRSS / VmHWM of the (single) worker in kB, and from smaps_rollup how much
        of the RSS is file pages (the memory-mapped index snapshot and SQLite's
        mapped database, shared by every worker) and how much is private."""
        out: dict[str, int] = {}
        for pid in self.worker_pids()[:1]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                        key, value = line.split(":", 1)
                        out[key] = int(value.split()[0])
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith(("Pss:", "Private_Clean:", "Private_Dirty:")):
                        key, value = line.split(":", 1)
                        out[key] = int(value.split()[0])
            except OSError:
                pass
        return out


def measure(server: Server, path: str, plan: Plan, *, pin: bool) -> dict[str, object]:
    """Latency of GET path over one connection for plan.budget seconds."""
    status, size = server.get(path)  # warm-up, and the answer must be a page
    if status != 200:
        return {"skipped": f"HTTP {status}"}
    for _ in range(max(plan.warmup - 1, 0)):
        server.get(path)
    url = f"http://127.0.0.1:{server.port}{path}"
    if shutil.which("wrk"):
        duration = max(int(round(plan.budget)), 1)
        cmd = ["wrk", "-t1", "-c1", f"-d{duration}s", "--timeout", "60s", "-s", str(LUA), url]
        done = subprocess.run(_pinned(cmd, 1 if pin else None), capture_output=True, text=True)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("{")), "")
        if not line:
            return {"skipped": f"wrk failed: {done.stderr.strip()[:200]}"}
        data = json.loads(line)
        seconds = data["duration_us"] / 1e6
        errors = (
            data["status_errors"] + data["connect_errors"] + data["read_errors"] + data["timeouts"]
        )
        result: dict[str, object] = {
            "n": data["requests"],
            **{k: round(data[k] / 1000, 4) for k in ("p50", "p95", "p99", "mean", "min", "max")},
            "rps": round(data["requests"] / seconds, 1) if seconds else 0.0,
            "bytes": size,
            "client": "wrk -t1 -c1",
        }
        if errors:
            result["note"] = f"{errors} errors"
        return result
    return _python_client(server, path, plan, size, pin=pin)


def _python_client(
    server: Server, path: str, plan: Plan, size: int, *, pin: bool
) -> dict[str, object]:
    previous = os.sched_getaffinity(0)
    if pin:
        os.sched_setaffinity(0, {1})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        samples: list[float] = []
        started = time.perf_counter()
        deadline = started + plan.budget
        while time.perf_counter() < deadline or len(samples) < plan.min_iterations:
            t0 = time.perf_counter()
            conn.request("GET", path)
            conn.getresponse().read()
            samples.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
        conn.close()
    finally:
        os.sched_setaffinity(0, previous)
    return {**summarize(samples), "rps": round(len(samples) / elapsed, 1), "bytes": size,
            "client": "python http.client"}  # fmt: skip
