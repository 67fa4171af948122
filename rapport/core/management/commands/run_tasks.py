"""`rapport run_tasks`: django-tasks' `db_worker`, as `rapport worker` runs it for the queue.

The same command, with one difference: when the database goes away (PostgreSQL restarting),
db_worker dies with two chained tracebacks on stderr, every time `rapport worker` restarts it
during the outage. This one ends with one log line and exit status 75 (EX_TEMPFAIL), and the
supervisor starts it again five seconds later, as before.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django_tasks_db.management.commands.db_worker import (
    Command as DbWorkerCommand,
)

logger = logging.getLogger("rapport.worker")

EXIT_DATABASE_UNAVAILABLE = 75


class Command(DbWorkerCommand):
    help = "Run queued tasks (django-tasks' db_worker); exits with one log line if the database goes away."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            super().handle(*args, **options)
        except (OperationalError, InterfaceError) as exc:
            # The class and first line only, like the site's outage line (core/middleware.py).
            first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            logger.warning(
                "task worker stopped, database unavailable: %s %s",
                type(exc).__name__,
                first_line,
                extra={"event": "worker.database_unavailable"},
            )
            sys.exit(EXIT_DATABASE_UNAVAILABLE)
