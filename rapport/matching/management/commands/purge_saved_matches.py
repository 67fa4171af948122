"""Delete saved match lists whose seven days are up (run daily, e.g. from cron or the task worker).

Expired rows already answer 410 and show nothing; this removes the answers
themselves, so retention is what the page promises.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from rapport.matching.models import SavedMatch


class Command(BaseCommand):
    help = "Delete saved match lists that have expired."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, _by_model = SavedMatch.objects.expired(timezone.now()).delete()
        self.stdout.write(f"Deleted {deleted} expired saved match list(s).")
