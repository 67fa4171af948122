"""Email about a therapist's own profile: claim links and availability reminders.

One function sends: `send_claim_email` renders a subject and a plain-text body and hands them
to Django's `send_mail` only after the surrounding transaction commits (nothing is sent for a
change that rolled back). When the task queue arrives, this is the one place that enqueues
instead. Subjects name no health data and no profile details beyond the site's name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def send_claim_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render `template` with `context` and send it to `to` once the transaction commits."""
    body = render_to_string(template, {"site_name": settings.SITE_NAME, **context})
    transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=False))
