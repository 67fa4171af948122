"""`rapport requeue_stale_tasks`: give back tasks whose worker died while running them.

django-tasks' `db_worker` marks a task RUNNING when it claims it and SUCCESSFUL or FAILED when
it is done. A worker killed in between (SIGKILL, OOM, a machine lost) leaves the row RUNNING
for ever, and nothing would run it again: a queued email would be lost. So a task RUNNING for
longer than any task can take (`RAPPORT_TASK_STALE_SECONDS`, 5 minutes by default; an email
gives up on SMTP after EMAIL_TIMEOUT = 20 s) is put back to READY. The cost is that a task
killed after its side effect and before its row was marked may run twice: tasks whose
duplicates matter keep their own marker (rapport/messaging/tasks.py).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("rapport.worker")


def requeue_stale_tasks() -> int:
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.RAPPORT_TASK_STALE_SECONDS)
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("%d task(s) left running by a lost worker were queued again", count)
    return count


class Command(BaseCommand):
    help = "Queue again the tasks left RUNNING by a worker that died."

    def handle(self, *args: Any, **options: Any) -> None:
        count = requeue_stale_tasks()
        if options["verbosity"]:
            self.stdout.write(f"{count} task(s) queued again")
