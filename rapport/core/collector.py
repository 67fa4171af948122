"""How Python's cycle collector treats a web worker's long-lived objects.

`rapport/wsgi.py` freezes what the warm-up loaded (`gc.freeze()`), so the
collector's full passes skip it. The first requests of each kind make more
objects that live as long as the process: modules imported on first use, URL
and template caches, schema validators. Made after the freeze, they stayed in
the oldest generation, and every full pass walked all ~27,000 of them: ~11 ms
at a million profiles, landing on one search request in ~150. Frozen again
after the first requests, a full pass takes ~1.7 ms (docs/decisions.md).

Frozen objects are still freed by reference counting when dropped; only the
cycle collector skips them. So what the process replaces while it runs (an
index the next version supersedes) must hold no reference cycles: a test in
directory/tests/test_search.py holds the index to that.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterable
from typing import Any

from django.core.signals import request_finished

# After this many requests: the first of each kind have come by then, mostly.
FREEZE_AFTER = (20, 200, 2_000)


def freeze_after_first_requests(after: Iterable[int] = FREEZE_AFTER) -> None:
    """Collect and freeze once each of these many requests has finished."""
    checkpoints = set(after)
    last = max(checkpoints)
    served = itertools.count(1)

    def freeze(**kwargs: Any) -> None:
        n = next(served)
        if n in checkpoints:
            # What survives a full collection now is the process's own (and
            # this one request's objects, once: a few hundred KB at most).
            gc.collect()
            gc.freeze()
        if n >= last:
            request_finished.disconnect(freeze)

    request_finished.connect(freeze, weak=False)
