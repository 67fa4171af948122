"""Delete contact requests older than RAPPORT_CONTACT_RETENTION_DAYS (run daily by the worker)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from rapport.messaging.tasks import purge_contact_requests


class Command(BaseCommand):
    help = "Delete contact requests older than the retention period (default 180 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_contact_requests()
        days = settings.RAPPORT_CONTACT_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} contact request(s) older than {days} days.")
