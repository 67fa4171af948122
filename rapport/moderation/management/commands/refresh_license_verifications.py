"""`rapport refresh_license_verifications`: expired checks lose their badge; recheck reminders.

Run daily by `rapport worker`. Every license's verified state is re-derived from its records
(moderation/verification.py), so a check that expired yesterday shows as self-reported today,
in search too (the changed profiles are sent to the index). Then moderators get one email
listing the checks that expire within two weeks, once per record. Idempotent within a day.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.moderation.verification import recheck_reminders_send, verifications_refresh_all


class Command(BaseCommand):
    help = "Drop the badge of expired license verifications and remind moderators to recheck."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = verifications_refresh_all()
        reminded = recheck_reminders_send()
        if options["verbosity"]:
            self.stdout.write(
                f"{len(changed)} profile(s) changed; {reminded} recheck reminder(s) sent."
            )
