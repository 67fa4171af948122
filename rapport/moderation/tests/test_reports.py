"""Reporting a profile: a public form, rate limited, into the review queue."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from rapport.directory.models import Status
from rapport.moderation.models import AuditEvent, ProfileReport
from rapport.testing import alice_profile, bob, charlie, run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]


def _url(profile) -> str:
    return f"{profile.get_absolute_url()}report/"


def test_a_visitor_reports_a_profile_and_a_moderator_sees_it(client: Client) -> None:
    profile = alice_profile()
    page = client.get(profile.get_absolute_url()).content.decode()
    assert f'href="{_url(profile)}"' in page
    form = client.get(_url(profile))
    assert form.status_code == 200 and "It is my profile" in form.content.decode()
    response = client.post(
        _url(profile),
        {
            "reason": "wrong",
            "details": "The office moved to Seattle.",
            "reply_to": "me@example.org",
        },
    )
    assert response.status_code == 200 and "Thank you for your report" in response.content.decode()
    report = ProfileReport.objects.get()
    assert (report.reason, report.reply_to) == ("wrong", "me@example.org")
    event = AuditEvent.objects.get(action="moderation.report.created")
    assert "me@example.org" not in event.reason

    moderator = Client()
    moderator.force_login(bob())
    queue = moderator.get("/staff/review/").content.decode()
    assert f"/staff/review/report/{report.pk}/" in queue and "Wrong information" in queue
    item = moderator.get(f"/staff/review/report/{report.pk}/").content.decode()
    assert "The office moved to Seattle." in item
    moderator.post(
        f"/staff/review/report/{report.pk}/", {"decision": "reject", "reason": "Checked."}
    )
    run_tasks()
    assert [m.to for m in mail.outbox] == [["me@example.org"]]
    assert alice_profile().status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"details": "no reason"}, "Choose what is wrong with this profile."),
        ({"reason": "spam"}, "Choose what is wrong with this profile."),
        ({"reason": "fake", "details": "x" * 2001}, "Keep the details under 2,000 characters."),
        ({"reason": "fake", "reply_to": "me@"}, "Enter an email address like name@example.org."),
    ],
)
def test_bad_reports_get_a_message_and_keep_what_was_typed(client: Client, data, message) -> None:
    response = client.post(_url(alice_profile()), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    if "details" in data and len(data["details"]) < 100:
        assert data["details"] in text
    assert not ProfileReport.objects.exists()


def test_the_honeypot_files_nothing_and_says_the_same(client: Client) -> None:
    response = client.post(
        _url(alice_profile()), {"reason": "fake", "website": "http://spam.example"}
    )
    assert response.status_code == 200 and "Thank you for your report" in response.content.decode()
    assert not ProfileReport.objects.exists()


def test_reports_are_rate_limited_per_address(client: Client) -> None:
    url = _url(alice_profile())
    statuses = [client.post(url, {"reason": "wrong"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    limited = client.post(url, {"reason": "wrong"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert ProfileReport.objects.count() == 5


def test_an_unpublished_profile_cannot_be_reported(client: Client) -> None:
    draft = charlie().profiles.get()
    assert client.get(_url(draft)).status_code == 404
    assert client.post(_url(draft), {"reason": "fake"}).status_code == 404
