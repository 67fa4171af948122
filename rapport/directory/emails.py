"""Email about a therapist's own profile: claim links and availability reminders.

One function sends: `send_claim_email` renders a subject and a plain-text body and queues them
on the task queue inside the surrounding transaction (`core.tasks.enqueue_email`: the worker
sends after commit, with retries; nothing is sent for a change that rolled back). Subjects name no health data and no profile details beyond the site's name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from rapport.core.tasks import enqueue_email


def send_claim_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render `template` with `context` and queue it for `to` in the current transaction."""
    body = render_to_string(template, {"site_name": settings.SITE_NAME, **context})
    enqueue_email(to, subject, body)
