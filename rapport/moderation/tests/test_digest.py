"""The moderators' daily digest, through the task queue."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from rapport.testing import ada, bob, erin, make_review_queue, run_tasks

pytestmark = pytest.mark.django_db


def test_moderators_get_one_digest_a_day_of_what_waits() -> None:
    bob(), ada(), erin()  # erin is staff without a role: no digest for her
    call_command("send_moderator_digest", verbosity=0)
    run_tasks()
    assert mail.outbox == []  # nothing waits: no email

    made = make_review_queue(7)
    call_command("send_moderator_digest", verbosity=0)
    call_command("send_moderator_digest", verbosity=0)  # the same day: not again
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["ada@example.org", "bob@example.org"]
    assert "7 items wait" in message.subject
    body = message.body
    assert "New profiles: 2" in body and "Reports: 1" in body
    kind, pk = made[0]
    assert f"/staff/review/{kind}/{pk}/" in body
    assert body.index("Pending Person 0") < body.index("Editing Person 1")
