"""Telling search that profiles changed: the one call every profile writer makes.

Search keeps two copies of what a profile says, the columnar index and the
full-text rows; a write that changes what search can see must update both in
its own transaction, so search sees the change exactly when it commits. The
services, the importer and the admin all call `profiles_changed()`, which is
why it lives below all three.
"""

from __future__ import annotations

from collections.abc import Collection

from .fulltext import fulltext_sync
from .index import DELTA_LIMIT, index_touch

__all__ = ["is_bulk", "profiles_changed"]


def profiles_changed(*, ids: Collection[int] | None, bulk: bool = False) -> None:
    """Tell search that these profiles changed (None: all of them).

    Call inside the writer's transaction. `bulk` marks one step of a write so
    large that every search process should load a fresh snapshot instead of
    applying the changed profiles one by one; their full-text rows are still
    rewritten by id, since those are kept per profile either way.
    """
    fulltext_sync(ids)
    index_touch(None if bulk else ids)


def is_bulk(changed: int) -> bool:
    """Whether a write that has changed this many profiles so far should be `bulk`.

    The index applies at most DELTA_LIMIT changed profiles on top of its
    snapshot and rebuilds beyond that; stopping at half of it means one
    import never fills, alone, the delta that every other writer shares.
    """
    return changed > DELTA_LIMIT // 2
