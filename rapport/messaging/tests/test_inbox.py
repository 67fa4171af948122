"""The therapist's inbox through HTTP: alice reads and answers her requests; charlie gets the
same 404 as for a request that does not exist; the dashboard counts requests and replies; the
profile says how quickly she usually replies once there are five."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.messaging import selectors, services
from rapport.messaging.models import ContactRequest, InboxSettings
from rapport.moderation.models import AuditEvent
from rapport.testing import alice, alice_profile, charlie

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

_keys = iter(range(10**6))


def send(
    profile=None, *, name: str = "Sam Rivera", message: str = "Hello there.\nSecond line."
) -> ContactRequest:
    row, created = services.contact_send(
        profile=profile or alice_profile(),
        sender=services.SenderDetails(
            name=name,
            email="sam@example.net",
            phone="(253) 555-0100",
            preferred="either",
            message=message,
            looking_for="Evenings",
        ),
        idempotency_key=f"test-key-{next(_keys):06d}-{uuid.uuid4().hex[:8]}",
        notify_on_read=False,
        wants_alternatives=False,
    )
    assert created
    return row


def request_url(row: ContactRequest) -> str:
    return reverse("messaging:request", kwargs={"public_id": row.public_id})


def action_url(row: ContactRequest, action: str) -> str:
    return reverse("messaging:action", kwargs={"public_id": row.public_id, "action": action})


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_inbox_asks_to_sign_in(client):
    for url in ("/account/inbox/", "/account/inbox/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_alice_sees_her_requests_newest_first_with_unread_marked(client):
    older = send(name="Older Person", message="First words\nmore")
    newer = send(name="Newer Person", message="\n  Newest words first line\nsecond")
    ContactRequest.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2), read_at=timezone.now()
    )
    client.force_login(alice())
    response = client.get("/account/inbox/")
    html = response.content.decode()
    text = text_of(response)
    assert text.index("Newer Person") < text.index("Older Person")
    assert "Newest words first line" in text and "second" not in text
    assert html.count("inbox-item inbox-unread") == 1 and "(1 new)" in text
    assert "Not read yet" in text and "Read, not replied yet" in text
    assert request_url(newer) in html and request_url(older) in html


def test_charlie_gets_404_on_alices_requests(client):
    row = send()
    client.force_login(charlie())
    assert "Sam Rivera" not in client.get("/account/inbox/").content.decode()
    assert client.get(request_url(row)).status_code == 404
    for action in ("replied", "archive", "unarchive", "delete", "spam"):
        assert (
            client.post(action_url(row, action), {"via": "email", "confirm": "yes"}).status_code
            == 404
        )
    row.refresh_from_db()
    assert row.read_at is None and row.archived_at is None and row.deleted_at is None
    assert row.spam_reported_at is None and row.replied_at is None
    # The same answer as for a request that does not exist.
    missing = reverse("messaging:request", kwargs={"public_id": uuid.uuid4()})
    assert client.get(missing).status_code == 404


def test_reading_marks_it_read_and_shows_the_details(client):
    row = send()
    client.force_login(alice())
    response = client.get(request_url(row))
    text = text_of(response)
    assert "Request from Sam Rivera" in text
    assert "sam@example.net" in text and "(253) 555-0100" in text and "Email or phone" in text
    assert "Hello there." in text and "Second line." in text and "Evenings" in text
    row.refresh_from_db()
    assert row.read_at is not None
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # No content in any URL of the page: links carry the request's random id only.
    for href in re.findall(r'(?:href|action)="([^"]+)"', response.content.decode()):
        assert "Sam" not in href and "Hello" not in href


def test_marking_replied(client):
    row = send()
    client.force_login(alice())
    missing = client.post(action_url(row, "replied"), {})
    assert missing.status_code == 400 and "Choose how you replied." in text_of(missing)
    response = client.post(action_url(row, "replied"), {"via": "phone"})
    assert response.status_code == 302 and response["Location"] == request_url(row)
    row.refresh_from_db()
    assert row.replied_at is not None and row.replied_via == "phone"
    page = text_of(client.get(request_url(row)))
    assert "Marked as replied (by phone)" in page
    assert "Replied" in text_of(client.get("/account/inbox/"))


def test_archive_and_unarchive(client):
    row = send()
    client.force_login(alice())
    assert client.post(action_url(row, "archive"))["Location"] == reverse("messaging:inbox")
    assert "Sam Rivera" not in client.get("/account/inbox/").content.decode()
    archived = client.get("/account/inbox/?archived=1")
    assert "Sam Rivera" in text_of(archived) and "Archived requests" in text_of(archived)
    client.post(action_url(row, "unarchive"))
    assert "Sam Rivera" in text_of(client.get("/account/inbox/"))
    assert "Sam Rivera" not in text_of(client.get("/account/inbox/?archived=1"))


@pytest.mark.parametrize(
    ("action", "asks", "column", "audit"),
    [
        ("delete", "Delete this request?", "deleted_at", "messaging.request.deleted"),
        (
            "spam",
            "Report this request as spam?",
            "spam_reported_at",
            "messaging.request.reported_spam",
        ),
    ],
)
def test_delete_and_spam_ask_first(client, action, asks, column, audit):
    row = send()
    client.force_login(alice())
    first = client.post(action_url(row, action))
    assert first.status_code == 302 and f"confirm={action}" in first["Location"]
    row.refresh_from_db()
    assert getattr(row, column) is None  # nothing yet
    assert asks in text_of(client.get(first["Location"]))
    done = client.post(action_url(row, action), {"confirm": "yes"})
    assert done["Location"] == reverse("messaging:inbox")
    row.refresh_from_db()
    assert getattr(row, column) is not None
    assert AuditEvent.objects.filter(action=audit).exists()
    assert "Sam Rivera" not in client.get("/account/inbox/").content.decode()
    assert client.get(request_url(row)).status_code == (404 if action == "delete" else 200)


def test_an_unknown_action_is_404(client):
    row = send()
    client.force_login(alice())
    assert client.post(action_url(row, "forward")).status_code == 404
    assert client.get(action_url(row, "archive")).status_code == 405


def test_settings_say_what_the_email_holds(client):
    client.force_login(alice())
    page = client.get("/account/inbox/settings/")
    text = text_of(page)
    assert "Only that a request arrived (recommended)" in text
    assert "email is not encrypted end to end" in text
    assert re.search(r'value="no"[^>]*checked', page.content.decode())
    assert (
        client.post("/account/inbox/settings/", {"email_includes_message": "yes"}).status_code
        == 302
    )
    assert InboxSettings.objects.get(user=alice()).email_includes_message is True
    client.post("/account/inbox/settings/", {"email_includes_message": "no"})
    assert InboxSettings.objects.get(user=alice()).email_includes_message is False
    assert (
        client.post("/account/inbox/settings/", {"email_includes_message": "maybe"}).status_code
        == 400
    )


def test_the_inbox_list_reads_a_constant_number_of_times(client, django_assert_max_num_queries):
    send()
    client.force_login(alice())
    client.get("/account/inbox/")
    with django_assert_max_num_queries(6) as few:  # session, user, count, page, unread
        client.get("/account/inbox/")
    for _ in range(20):
        send()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/account/inbox/").content.decode()
    assert html.count('class="inbox-item') == 21


# --- The account pages --------------------------------------------------------------------------


def test_the_dashboard_counts_requests_and_replies_per_week(client):
    replied = send()
    send()
    services.contact_mark_replied(request=replied, by=alice(), via="email")
    client.force_login(alice())
    html = client.get("/account/").content.decode()
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    row = re.search(rf"<tr><td>{monday:%b} {monday.day}, {monday.year}</td>(.*?)</tr>", html)
    assert row is not None
    assert re.findall(r"<td>(\d+)</td>", row.group(1))[1:] == ["2", "1"]
    assert "(1 new)" in html and reverse("messaging:inbox") in html  # replied means read


def test_the_editor_nav_links_to_the_inbox_with_the_unread_count(client):
    send()
    client.force_login(alice())
    html = client.get("/account/profile/basics/").content.decode()
    assert "editor-nav" in html
    assert reverse("messaging:inbox") in html and "1 new" in html


def test_weekly_counts_leave_out_spam_and_other_weeks():
    row = send()
    spam = send()
    services.contact_report_spam(request=spam, by=alice())
    old = send()
    ContactRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(weeks=20)
    )
    today = timezone.localdate()
    counts = selectors.weekly_counts(alice(), on=today, weeks=8)
    monday = today - dt.timedelta(days=today.weekday())
    assert counts == {row.profile_id: {monday: (1, 0)}}


# --- Response statistics ------------------------------------------------------------------------


def _sent_and_replied(hours: list[float | None]) -> None:
    now = timezone.now()
    for waited in hours:
        row = send()
        created = now - dt.timedelta(days=10)
        ContactRequest.objects.filter(pk=row.pk).update(
            created_at=created,
            replied_at=None if waited is None else created + dt.timedelta(hours=waited),
        )


def test_the_profile_says_how_quickly_she_usually_replies_from_five_requests(client):
    profile = alice_profile()
    _sent_and_replied([5, 30, 40, 70])
    assert "Usually replies" not in client.get(profile.get_absolute_url()).content.decode()
    _sent_and_replied([None])  # the fifth; the median of 5, 30, 40, 70, never is 40 hours
    assert "Usually replies within 2 days" in text_of(client.get(profile.get_absolute_url()))


def test_a_therapist_who_replies_to_few_is_not_said_to_usually_reply(client):
    _sent_and_replied([2, 3, None, None, None])
    assert selectors.response_stats([alice_profile().pk]) == {alice_profile().pk: (5, None)}
    assert "Usually replies" not in client.get(alice_profile().get_absolute_url()).content.decode()


def test_the_statistics_are_one_query_for_many_profiles(django_assert_num_queries):
    _sent_and_replied([1, 1, 1, 1, 1, 1])
    pk = alice_profile().pk
    with django_assert_num_queries(1):
        stats = selectors.response_stats([pk, 999_999])
    assert stats == {pk: (6, 1.0)}


def test_alices_profile_page_reads_a_constant_number_of_times(client, django_assert_num_queries):
    profile = alice_profile()
    client.get(profile.get_absolute_url())
    # The profile (with "can receive" in the same query), four relations, the statistics.
    with django_assert_num_queries(6):
        client.get(profile.get_absolute_url())
    _sent_and_replied([1, 2, 3, 4, 5, 6])
    with django_assert_num_queries(6):
        html = client.get(profile.get_absolute_url()).content.decode()
    assert "Usually replies within 1 day" in html
