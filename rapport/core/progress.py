"""Progress for long commands (import, export, seed_demo, index rebuilds).

A tqdm bar with rate and ETA on a terminal; plain periodic lines when output
goes to a file or CI log, where a redrawn bar would be noise.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm


class Progress:
    def __init__(
        self,
        *,
        total: int | None,
        desc: str,
        unit: str = "profiles",
        stream: TextIO | None = None,
        every_seconds: float = 10.0,
    ) -> None:
        self.stream = stream or sys.stderr
        self.total, self.desc, self.unit = total, desc, unit
        self.count = 0
        self.started = time.monotonic()
        self._every = every_seconds
        self._last_line = self.started
        self._bar = (
            tqdm(
                total=total,
                desc=desc,
                unit=f" {unit}",
                file=self.stream,
                dynamic_ncols=True,
                smoothing=0.1,
            )
            if self.stream.isatty()
            else None
        )

    def update(self, n: int = 1) -> None:
        self.count += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last_line >= self._every:
            self._last_line = now
            self.stream.write(self._plain_line(now) + "\n")
            self.stream.flush()

    def _plain_line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.count / elapsed
        line = f"{self.desc}: {self.count:,}"
        if self.total:
            line += f"/{self.total:,} ({100 * self.count / self.total:.0f}%)"
            if rate > 0:
                line += f", ETA {max(self.total - self.count, 0) / rate:,.0f}s"
        return line + f", {rate:,.0f} {self.unit}/s"

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
