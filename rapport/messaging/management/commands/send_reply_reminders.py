"""Queue the 48-hour reminders about unreplied contact requests (run daily by the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.messaging.tasks import queue_reply_reminders


class Command(BaseCommand):
    help = "Queue a reminder to the therapist for each request unreplied after 48 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = queue_reply_reminders()
        self.stdout.write(f"Queued {queued} reply reminder(s).")
