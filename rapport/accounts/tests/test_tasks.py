"""Emails through the task queue: in the caller's transaction, retried with backoff."""

from __future__ import annotations

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rapport.core.tasks import retry_delay, send_mail_later
from rapport.testing import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_templates(tmp_path, settings):
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "hello.txt").write_text("Hello {{ name }}.\n")
    (tmp_path / "mail" / "hello.html").write_text("<p>Hello {{ name }}.</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]


def test_an_email_queued_in_a_rolled_back_change_is_never_sent(mail_templates) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail_later("maya@example.org", "Your profile", "mail/hello", {"name": "Maya"})
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the change failed")
    assert DBTaskResult.objects.count() == 0
    run_tasks()
    assert mail.outbox == []


def test_a_committed_email_is_sent_by_the_worker_with_text_and_html(mail_templates) -> None:
    with transaction.atomic():
        send_mail_later("maya@example.org", "Your\nprofile", "mail/hello", {"name": "<Maya>"})
    assert mail.outbox == []
    run_tasks()
    [message] = mail.outbox
    assert message.subject == "Your profile"  # one line, always
    assert message.body == "Hello <Maya>."  # plain text is not HTML-escaped
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives[0] == ("<p>Hello &lt;Maya&gt;.</p>", "text/html")


def test_a_failed_send_is_retried_later_with_a_doubling_wait_then_given_up(
    mail_templates, settings, monkeypatch
) -> None:
    settings.RAPPORT_TASK_MAX_ATTEMPTS = 3
    settings.RAPPORT_TASK_RETRY_SECONDS = 60
    tries: list[str] = []

    def refuse(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        tries.append(str(self.subject))
        raise smtplib.SMTPServerDisconnected("mail server away")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    send_mail_later("maya@example.org", "Your profile", "mail/hello", {"name": "Maya"})

    run_tasks()
    run_tasks()  # the retry is not due yet: it waits
    assert len(tries) == 1
    retry = DBTaskResult.objects.get(status="READY")
    assert 59 <= (retry.run_after - retry.enqueued_at).total_seconds() <= 61
    waits = []
    for _attempt in range(1, 3):
        started = timezone.now()
        # Due rows only: a retry waits for its run_after, so make it due, as time would.
        DBTaskResult.objects.filter(status="READY").update(run_after=started)
        run_tasks()
        later = DBTaskResult.objects.filter(status="READY").first()
        if later is not None:
            waits.append(round((later.run_after - started).total_seconds() / 60))
            assert later.args_kwargs["args"][4] == _attempt + 2
    assert len(tries) == 3
    assert waits == [2]  # 60 s (checked above), then 120 s
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "SUCCESSFUL", "SUCCESSFUL"]  # the last try is the failure
    assert mail.outbox == []


def test_the_default_backoff_doubles_from_a_minute() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        datetime.timedelta(minutes=m) for m in (1, 2, 4, 8)
    ]
