"""`rapport reencrypt_messages`: reseal every contact request with the newest key.

Key rotation (docs/deploy.md): put a new key first in RAPPORT_MESSAGE_KEYS, keeping the old
ones after it, restart, run this, then drop the old keys. Rows are resealed in batches, each
batch its own short transaction with its rows locked, so the site keeps working while it
runs and a request read or erased meanwhile is not overwritten with stale contents. Rows no
configured key opens are counted and make the command fail, so an operator does not drop a
key that is still needed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rapport.messaging import crypto
from rapport.messaging.models import ContactRequest


class Command(BaseCommand):
    help = "Re-encrypt every contact request with the newest key in RAPPORT_MESSAGE_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int = 500, **options: Any) -> None:
        resealed = empty = unreadable = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    ContactRequest.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", "sealed")[:batch_size]
                )
                if not batch:
                    break
                changed = []
                for row in batch:
                    if not row.sealed:
                        empty += 1
                        continue
                    try:
                        row.sealed = crypto.reseal(row.sealed)
                    except crypto.InvalidToken:
                        unreadable += 1
                        continue
                    changed.append(row)
                ContactRequest.objects.bulk_update(changed, ["sealed"])
                resealed += len(changed)
                last_pk = batch[-1].pk
        self.stdout.write(
            f"Resealed {resealed} contact request(s) with the newest key; "
            f"{empty} erased (nothing to reseal); {unreadable} unreadable."
        )
        if unreadable:
            raise CommandError(
                f"{unreadable} contact request(s) could not be opened with any configured key: "
                "keep the old keys in RAPPORT_MESSAGE_KEYS until they are found."
            )
