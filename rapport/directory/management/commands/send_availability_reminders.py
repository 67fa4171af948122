"""`rapport send_availability_reminders`: email owners whose availability is due to reconfirm.

Run daily by `rapport worker`. Each owned, published profile confirmed 30 or more days ago
gets one email with a one-click link (directory/availability.py), then none again until 30
days after it was sent or after the next confirmation. Idempotent within a day.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.directory import availability


class Command(BaseCommand):
    help = "Email owners a one-click link to reconfirm availability older than 30 days."

    def handle(self, *args: Any, **options: Any) -> None:
        on = availability.today()
        sent = 0
        for profile in availability.reminders_due(on).iterator(chunk_size=500):
            sent += availability.send_reminder(profile, on)
        if options["verbosity"]:
            self.stdout.write(f"Sent {sent} availability reminder(s).")
