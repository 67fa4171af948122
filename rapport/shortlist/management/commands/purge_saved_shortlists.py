"""Delete shared shortlists whose seven days are up (run daily, beside purge_saved_matches).

Expired links already answer 410 and show nothing; this removes the rows, so
retention is what the page promises.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from rapport.shortlist.models import SavedShortlist


class Command(BaseCommand):
    help = "Delete shared shortlists that have expired."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, _by_model = SavedShortlist.objects.expired(timezone.now()).delete()
        self.stdout.write(f"Deleted {deleted} expired shared shortlist(s).")
