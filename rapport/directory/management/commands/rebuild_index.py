"""`rapport rebuild_index`: build a fresh search index snapshot from the database."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from rapport.directory import index


class Command(BaseCommand):
    help = (
        "Rebuild the search index snapshot (after bulk imports). Running app processes load it "
        "on their next request."
    )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        state = index.rebuild_index()
        base = state.base
        size_mb = sum(getattr(base, name).nbytes for name in index.Segment._ARRAYS) / 1e6
        self.stdout.write(
            f"search index: {base.size:,} published profiles, {len(base.pt_lat):,} office points,"
            f" {base.bits.shape[0]:,} bitmaps, {size_mb:,.1f} MB,"
            f" built in {time.monotonic() - started:,.1f}s (version {state.version})"
        )
