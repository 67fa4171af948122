"""Background tasks (django-tasks, database backend): email today, image work next.

A task is a row in the database written by `enqueue`, in the caller's transaction: a change
that is rolled back takes its emails with it, and one that commits cannot lose them. The
worker (`rapport worker`, which runs django-tasks' `db_worker`) picks the rows up.

django-tasks does not retry a failed task by itself, so `send_email_task` does: when sending
fails it enqueues itself again with `run_after` = now + RAPPORT_TASK_RETRY_SECONDS * 2^(n-1)
(60 s, 2 min, 4 min, 8 min by default) until RAPPORT_TASK_MAX_ATTEMPTS tries (5) have
failed; the last failure is raised, so the task's row says FAILED with the error.

Subjects name the site and the kind of message only ("Confirm your email address"), never a
health condition, a search or a message's words: mail servers log subjects in the clear.
Logs name no address either (rapport/core/logs.py).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("rapport.tasks")


def retry_delay(attempt: int) -> datetime.timedelta:
    """The wait after failed try number `attempt` (1-based): doubling from the base."""
    return datetime.timedelta(seconds=settings.RAPPORT_TASK_RETRY_SECONDS * 2 ** (attempt - 1))


@task()
def send_email_task(
    to: list[str], subject: str, body: str, html: str = "", attempt: int = 1
) -> None:
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        if attempt >= settings.RAPPORT_TASK_MAX_ATTEMPTS:
            logger.error("email not sent after %d tries: %s", attempt, type(exc).__name__)
            raise
        delay = retry_delay(attempt)
        send_email_task.using(run_after=timezone.now() + delay).enqueue(
            to, subject, body, html, attempt + 1
        )
        logger.warning(
            "email try %d failed (%s): next in %d s",
            attempt,
            type(exc).__name__,
            delay.total_seconds(),
        )


def enqueue_email(to: str | list[str], subject: str, body: str, html: str = "") -> None:
    """Queue one rendered email, inside the current transaction."""
    recipients = [to] if isinstance(to, str) else list(to)
    send_email_task.enqueue(recipients, " ".join(subject.splitlines()).strip(), body, html)


def send_mail_later(
    to: str | list[str], subject: str, template_base: str, context: dict[str, Any]
) -> None:
    """Render `<template_base>.txt` (and `<template_base>.html` when it exists) with
    `context` and queue the email in the current transaction.

    Rendered now, in the request, so the context may hold models and the request; the
    queued row holds only text. The text template is rendered without HTML escaping. `subject` must carry no health data (see the module doc).
    """
    # Plain text is not HTML: "Smith & Jones" must not arrive as "Smith &amp; Jones".
    text_template = get_template(f"{template_base}.txt").template  # type: ignore[attr-defined]
    body = text_template.render(Context(context, autoescape=False)).strip()
    try:
        html = str(render_to_string(f"{template_base}.html", context))
    except TemplateDoesNotExist:
        html = ""  # text only
    enqueue_email(to, subject, body, html)
