"""How the C allocator hands memory to a web worker (glibc only; elsewhere nothing changes).

A search at a million profiles makes numpy temporaries of a few megabytes (a
bitmap block per facet namespace, a radius's office points). glibc serves
anything above its mmap threshold (128 KB at start, raised only after such a
block is freed) with a fresh mapping, so every search page-faulted its
temporaries in again: ~3 ms of the densest search page (14.7 -> 11.6 ms over HTTP in a
gunicorn worker; docs/decisions.md). Above the threshold set here blocks come
from the heap and are reused; the trim threshold returns free heap above it to
the system, which bounds what the worker keeps.
"""

from __future__ import annotations

import ctypes
import ctypes.util

MMAP_THRESHOLD = 32 << 20  # bytes: blocks below this come from the heap
TRIM_THRESHOLD = 16 << 20  # bytes of free heap a worker may keep
_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers from glibc's malloc.h
_M_MMAP_THRESHOLD = -3


def tune_allocator() -> bool:
    """Set glibc's thresholds for this process; False where there is no mallopt."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
