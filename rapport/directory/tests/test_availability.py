"""Availability that stays true (issue 16, item 7): the 45-day badge, the 90-day filter, the
reminder and its one-click link, all read through HTTP and the services."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rapport.directory import availability
from rapport.directory import index as ix
from rapport.directory.fulltext import fulltext_sync
from rapport.directory.models import TherapistProfile
from rapport.matching import scoring
from rapport.testing import PASSWORD, alice, alice_profile, make_profile, run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

STALE = "Availability not confirmed recently"
TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36"


def sent() -> list:
    """The emails sent so far: the queued ones are sent first, as `rapport worker` would."""
    run_tasks()
    return mail.outbox


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def therapist(name: str, confirmed_days_ago: int | None, **fields) -> TherapistProfile:
    return make_profile(
        name=name,
        offices=[TACOMA],
        accepting_confirmed_at=None if confirmed_days_ago is None else days_ago(confirmed_days_ago),
        **fields,
    )


def refresh() -> None:
    ix.index_touch(None)
    fulltext_sync(None)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def card_of(html: str, name: str) -> str:
    """The search or approach-page card that names this therapist."""
    (card,) = [a for a in re.findall(r"<article.*?</article>", html, re.S) if name in a]
    return card


# --- The rule -------------------------------------------------------------------------------


def test_it_says_not_confirmed_recently_after_45_days_on_the_profile_and_cards(client) -> None:
    fresh = therapist("Fern Fresh", 44)
    stale = therapist("Sam Stale", 46)
    refresh()
    assert STALE not in page(client, fresh.get_absolute_url())
    profile_html = page(client, stale.get_absolute_url())
    assert STALE in profile_html
    assert days_ago(46).strftime("%B") in profile_html  # with the date it was last confirmed
    results = page(client, "/therapists/?location=98402")
    assert STALE in card_of(results, "Sam Stale")
    assert STALE not in card_of(results, "Fern Fresh")
    approach = page(client, "/approaches/relational-therapy/")  # make_profile's default
    assert STALE in card_of(approach, "Sam Stale")
    assert STALE not in card_of(approach, "Fern Fresh")


def test_a_stale_profile_ranks_below_an_equal_fresh_one(client) -> None:
    stale = therapist("Sam Stale", 46)
    fresh = therapist("Fern Fresh", 10)
    refresh()
    html = page(client, "/therapists/?location=98402")
    assert html.index(fresh.name) < html.index(stale.name)
    # Matching too: both eligible, the fresh one first.
    result = scoring.rank(scoring.Answers(location="Tacoma, WA", mode="in_person"))
    assert [m.profile.name for m in result.matches] == ["Fern Fresh", "Sam Stale"]


def test_after_90_days_it_leaves_the_accepting_filter_on_the_search_page(client) -> None:
    therapist("Ida Inside", 89)
    therapist("Otto Outside", 91)
    refresh()
    accepting = page(client, "/therapists/?location=98402")  # the filter is on by default
    assert "Ida Inside" in accepting and "Otto Outside" not in accepting
    everyone = page(client, "/therapists/?location=98402&accepting=any")
    assert "Ida Inside" in everyone and "Otto Outside" in everyone
    assert STALE in card_of(everyone, "Otto Outside")


def test_after_90_days_it_leaves_the_accepting_filter_in_the_api(client) -> None:
    therapist("Ida Inside", 89)
    therapist("Otto Outside", 91)
    refresh()
    found = client.get("/api/v1/therapists", {"location": "98402"}).json()
    assert [r["name"] for r in found["results"]] == ["Ida Inside"]
    assert found["total"] == 1
    everyone = client.get("/api/v1/therapists", {"location": "98402", "accepting": "false"}).json()
    by_name = {r["name"]: r["availability"] for r in everyone["results"]}
    assert by_name["Otto Outside"] == {
        "state": "accepting",
        "expected_wait_weeks": None,
        "confirmed_at": days_ago(91).isoformat(),
        "not_confirmed_recently": True,
        "in_accepting_filter": False,
    }
    assert by_name["Ida Inside"]["in_accepting_filter"] is True


def test_after_90_days_matching_no_longer_offers_them(client) -> None:
    therapist("Ida Inside", 89)
    therapist("Otto Outside", 91)
    refresh()
    result = scoring.rank(scoring.Answers(location="Tacoma, WA", mode="in_person"))
    assert [m.profile.name for m in result.matches] == ["Ida Inside"]


def test_the_api_profile_shows_the_state_and_the_confirmed_date(client) -> None:
    profile = therapist("Wren Waitlist", 3, expected_wait_weeks=4)
    refresh()
    data = client.get(f"/api/v1/therapists/{profile.slug}").json()
    assert data["availability"] == {
        "state": "waitlist",
        "expected_wait_weeks": 4,
        "confirmed_at": days_ago(3).isoformat(),
        "not_confirmed_recently": False,
        "in_accepting_filter": True,
    }
    assert "Waitlist: about 4 weeks" in page(client, profile.get_absolute_url())


def test_search_reads_the_rule_for_the_day_it_is_asked_without_a_rebuild() -> None:
    """Time, not a write, makes a profile stale: the same index answers differently a day on."""
    from rapport.directory import search

    profile = therapist("Dee Day", 90)
    refresh()
    today = timezone.localdate()
    query = search.SearchQuery(location="98402")
    assert [h.profile.pk for h in search.search(query, today=today).hits] == [profile.pk]
    tomorrow = today + dt.timedelta(days=1)
    assert search.search(query, today=tomorrow).hits == []
    assert search.count(query, today=tomorrow) == 0


# --- The reminder and its link ----------------------------------------------------------------


def reminder_link() -> str:
    (message,) = sent()
    found = re.search(r"https?://\S+/account/availability/confirm/\S+/", str(message.body))
    assert found, message.body
    return found.group(0)


def test_the_daily_job_emails_the_owner_once_with_a_one_click_link(
    django_capture_on_commit_callbacks,
) -> None:
    profile = alice_profile()
    TherapistProfile.objects.filter(pk=profile.pk).update(accepting_confirmed_at=days_ago(31))
    therapist("Not Owned", 40)  # no owner: nobody to remind
    make_profile(name="Recent Owner", owner=alice(), external_id="recent")  # confirmed 3 days ago
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_availability_reminders", verbosity=0)
    assert len(sent()) == 1
    message = sent()[0]
    assert message.to == [alice().email]
    assert "Alice" not in message.subject and "anxiety" not in message.subject.lower()
    assert "/account/availability/confirm/" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_availability_reminders", verbosity=0)  # the next run: not again
    assert len(sent()) == 1


def test_the_link_confirms_on_post_and_not_on_get(client, django_capture_on_commit_callbacks):
    profile = alice_profile()
    TherapistProfile.objects.filter(pk=profile.pk).update(accepting_confirmed_at=days_ago(50))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_availability_reminders", verbosity=0)
    path = reminder_link().split("://", 1)[1].split("/", 1)[1]
    url = "/" + path
    shown = client.get(url)  # what a mail scanner's prefetch does
    assert shown.status_code == 200
    assert "Yes, this is still right" in shown.content.decode()
    profile.refresh_from_db()
    assert profile.accepting_confirmed_at == days_ago(50)

    done = client.post(url)  # no sign-in needed
    assert done.status_code == 200
    profile.refresh_from_db()
    assert profile.accepting_confirmed_at == timezone.localdate()
    refresh()
    assert STALE not in page(client, profile.get_absolute_url())

    again = client.post(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_an_expired_or_forged_link_is_refused_with_a_clear_message(client, monkeypatch) -> None:
    profile = alice_profile()
    long_ago = timezone.now().timestamp() - (availability.REMINDER_LINK_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: long_ago)
    token = availability.make_reminder_token(profile)
    monkeypatch.undo()
    expired = client.post(f"/account/availability/confirm/{token}/")
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    forged = client.get("/account/availability/confirm/not-a-real-token/")
    assert forged.status_code == 410
    assert "not valid" in forged.content.decode()
    profile.refresh_from_db()
    assert profile.accepting_confirmed_at == days_ago(3)


# --- The owner changes it on the dashboard ---------------------------------------------------


def test_the_owner_sets_a_waitlist_and_that_confirms_it(client) -> None:
    profile = alice_profile()
    TherapistProfile.objects.filter(pk=profile.pk).update(accepting_confirmed_at=days_ago(60))
    client.login(email=alice().email, password=PASSWORD)
    url = f"/account/profiles/{profile.pk}/availability/"
    missing = client.post(url, {"availability": "waitlist", "wait_weeks": ""})
    assert missing.status_code == 400
    assert "how many weeks" in missing.content.decode()
    profile.refresh_from_db()
    assert profile.accepting_confirmed_at == days_ago(60)  # nothing saved

    saved = client.post(url, {"availability": "waitlist", "wait_weeks": "4"})
    assert saved.status_code == 302
    profile.refresh_from_db()
    assert (profile.accepting_new_clients, profile.expected_wait_weeks) == (True, 4)
    assert profile.accepting_confirmed_at == timezone.localdate()
    refresh()
    assert "Waitlist: about 4 weeks" in page(client, profile.get_absolute_url())

    client.post(url, {"availability": "not_accepting", "wait_weeks": "4"})
    profile.refresh_from_db()
    assert (profile.accepting_new_clients, profile.expected_wait_weeks) == (False, None)
    refresh()
    assert "/therapists/" in profile.get_absolute_url()
    assert profile.name not in page(client, "/therapists/?location=98402")


def test_another_therapist_cannot_change_it(client) -> None:
    from rapport.testing import charlie

    profile = alice_profile()
    client.login(email=charlie().email, password=PASSWORD)
    response = client.post(
        f"/account/profiles/{profile.pk}/availability/", {"availability": "not_accepting"}
    )
    assert response.status_code == 404
    profile.refresh_from_db()
    assert profile.accepting_new_clients is True


def test_matching_s_independent_checker_holds_the_same_90_day_rule() -> None:
    from rapport.matching.evaluation.evaluate import Rules, read_facts

    inside, outside = therapist("Ida Inside", 90), therapist("Otto Outside", 91)
    answers = scoring.Answers(location="Tacoma, WA", mode="in_person")
    rules = Rules.of(answers, timezone.localdate())
    facts = read_facts([inside.pk, outside.pk])
    assert rules.violations(facts[inside.pk]) == []
    assert rules.violations(facts[outside.pk]) == [
        "availability not confirmed for more than 90 days"
    ]


def test_two_workers_never_send_the_same_reminder_twice(django_capture_on_commit_callbacks):
    profile = alice_profile()
    TherapistProfile.objects.filter(pk=profile.pk).update(accepting_confirmed_at=days_ago(31))
    (first,) = availability.reminders_due()
    (second,) = availability.reminders_due()  # another process read the same row
    with django_capture_on_commit_callbacks(execute=True):
        assert availability.send_reminder(first) is True
        assert availability.send_reminder(second) is False
    assert len(sent()) == 1


def test_the_meta_description_stops_saying_accepting_once_unconfirmed(client) -> None:
    fresh, stale = therapist("Fern Fresh", 10), therapist("Sam Stale", 46)

    def meta(profile: TherapistProfile) -> str:
        found = re.search(
            r'<meta name="description" content="([^"]*)"', page(client, profile.get_absolute_url())
        )
        assert found
        return found.group(1)

    assert "Accepting new clients." in meta(fresh)
    assert "Accepting new clients." not in meta(stale)
