"""Queue the 7-day "similar therapists" emails to senders who asked (run daily by the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.messaging.tasks import queue_alternatives


class Command(BaseCommand):
    help = "Offer similar therapists to senders whose request is unreplied after 7 days."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = queue_alternatives()
        self.stdout.write(f"Queued {queued} alternatives email(s).")
