"""`rapport send_moderator_digest`: email moderators what waits in the review queue.

Run daily by `rapport worker`: one email per day to the moderator and administrator groups,
only when something waits (review items, or license checks expiring within two weeks).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.moderation.digest import digest_send


class Command(BaseCommand):
    help = "Email moderators a digest of what waits in the review queue (once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digest_send()
        if options["verbosity"]:
            self.stdout.write("Digest sent." if sent else "No digest today.")
