"""Delete the accounts whose 7-day undo window is over (run daily by the worker).

The profiles were hidden when the person asked (directory/account_data.py); this removes
the rows and the photo files, so retention is what the privacy page promises.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rapport.directory.account_data import accounts_purge


class Command(BaseCommand):
    help = "Delete accounts whose deletion was requested more than 7 days ago."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = accounts_purge()
        self.stdout.write(f"Deleted {deleted} account(s) scheduled for deletion.")
