"""Timing cells: warm up, then measure up to N calls within a time budget."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """How hard to measure one cell."""

    iterations: int
    budget: float  # seconds of measuring per cell, after warm-up
    warmup: int = 2
    min_iterations: int = 3


def percentile(sorted_ms: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on a sorted list."""
    if not sorted_ms:
        return math.nan
    if len(sorted_ms) == 1:
        return sorted_ms[0]
    k = (len(sorted_ms) - 1) * q / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(sorted_ms) - 1)
    return sorted_ms[lo] + (sorted_ms[hi] - sorted_ms[lo]) * (k - lo)


def summarize(samples_ms: list[float]) -> dict[str, float | int]:
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 50), 4),
        "p95": round(percentile(ordered, 95), 4),
        "p99": round(percentile(ordered, 99), 4),
        "mean": round(sum(ordered) / len(ordered), 4) if ordered else math.nan,
        "min": round(ordered[0], 4) if ordered else math.nan,
        "max": round(ordered[-1], 4) if ordered else math.nan,
    }


def measure(fn: Callable[[], object], plan: Plan) -> dict[str, float | int]:
    """Milliseconds per call of `fn`: p50/p95/p99 over what fitted in the plan.

    A warm-up call slower than the whole budget is counted as a sample
    rather than repeated: at 1M a naive call can take seconds, and one
    uncounted warm-up would double the cell's cost.
    """
    samples: list[float] = []
    for _ in range(plan.warmup):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        if elapsed > plan.budget:
            samples.append(elapsed * 1000)
            break
    deadline = time.perf_counter() + plan.budget
    while len(samples) < plan.iterations:
        started = time.perf_counter()
        fn()
        finished = time.perf_counter()
        samples.append((finished - started) * 1000)
        if finished > deadline and len(samples) >= plan.min_iterations:
            break
    return summarize(samples)
