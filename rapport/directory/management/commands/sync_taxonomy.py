"""`rapport sync_taxonomy`: load the vocabularies from taxonomy/data/*.toml.

Run it after changing a data file (deploys do it after `migrate`); it is safe
to run any number of times. It lives in the directory, not the taxonomy app:
after a sync it moves the search index version, and the taxonomy never depends
on the directory (`taxonomy/tests/test_layering.py`).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rapport.directory.index import index_touch
from rapport.taxonomy.sync import TaxonomyDataError, describe_counts, sync_taxonomy


class Command(BaseCommand):
    help = "Load the controlled vocabularies from rapport/taxonomy/data/*.toml into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate the data files and report what would change, then write nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        try:
            with transaction.atomic():
                counts = sync_taxonomy()
                if counts["created"] or counts["updated"] or counts["deactivated"]:
                    # Search caches labels and taxonomy words per index version;
                    # an empty change moves the version without rebuilding anything.
                    index_touch([])
                if dry_run:
                    transaction.set_rollback(True)
        except TaxonomyDataError as exc:
            raise CommandError(str(exc)) from exc
        prefix = "Taxonomy dry run (nothing written)" if dry_run else "Taxonomy synced"
        self.stdout.write(f"{prefix}: {describe_counts(counts)}.")
