"""The dashboard at /account/ (issue 16, item 8) and the first-party view counts behind it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from rapport.directory.models import ProfileViewDay, TherapistProfile
from rapport.testing import PASSWORD, alice, alice_profile, charlie, dana, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def signed_in(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def section_of(html: str, profile: TherapistProfile) -> str:
    found = re.search(rf'<section[^>]*id="profile-{profile.pk}".*?</section>', html, re.S)
    assert found, html
    return found.group(0)


def test_it_asks_to_sign_in(client) -> None:
    response = client.get("/account/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_shows_each_own_profile_with_status_availability_and_the_editor_link(client) -> None:
    own = alice_profile()
    draft = make_profile(
        owner=alice(), external_id="alice-2", name="Alice Second", status="draft",
        accepting_confirmed_at=timezone.localdate() - dt.timedelta(days=50),
    )  # fmt: skip
    charlie()  # someone else's profile: not shown
    html = signed_in(client, alice()).get("/account/").content.decode()
    first, second = section_of(html, own), section_of(html, draft)
    assert "Published" in first and own.get_absolute_url() in first
    assert "Draft" in second and draft.get_absolute_url() not in second
    assert "Accepting new clients" in first
    assert "Availability not confirmed recently" in second  # 50 days
    assert "Availability not confirmed recently" not in first
    assert 'href="/account/profile/"' in html
    assert "Charlie" not in html
    assert "Views, requests and replies per week" in html and ">Requests<" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "one availability form per profile, ids unique"


def test_it_lists_what_is_missing_from_the_profile(client) -> None:
    full = alice_profile()
    thin = make_profile(
        owner=alice(), external_id="thin", name="Alice Thin", statement="", licenses=[],
        approaches=[("relational-therapy", "")], offices=[], telehealth=False, fee_min=None,
        fee_max=None, sliding_scale=False, phone="", website="",
    )  # fmt: skip
    html = signed_in(client, alice()).get("/account/").content.decode()
    thin_html = section_of(html, thin)
    for missing in (
        "A license",
        "A statement about how you work",
        "An approach with a statement in your own words",
        "An office or the states you offer telehealth in",
        "Your fees",
        "A phone number or website",
    ):
        assert missing in thin_html, missing
    assert "Nothing: your profile has everything people look for." in section_of(html, full)


def test_it_counts_profile_views_per_day_without_robots_or_the_owner(client) -> None:
    profile = alice_profile()
    url = profile.get_absolute_url()
    for _ in range(3):
        client.get(url, headers={"user-agent": BROWSER})
    client.get(url, headers={"user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    client.get(url)  # no user agent at all: a script
    client.head(url, headers={"user-agent": BROWSER})
    signed_in(client, alice()).get(url, headers={"user-agent": BROWSER})  # her own visit
    (row,) = ProfileViewDay.objects.all()
    assert (row.profile_id, row.day, row.count) == (profile.pk, timezone.localdate(), 3)
    # Nothing about the visitor is kept, and no cookie is set to count them.
    assert [f.name for f in ProfileViewDay._meta.fields] == ["id", "profile", "day", "count"]
    anonymous = client.__class__()
    response = anonymous.get(url, headers={"user-agent": BROWSER})
    assert not response.cookies

    ProfileViewDay.objects.create(
        profile=profile, day=timezone.localdate() - dt.timedelta(days=7), count=5
    )
    html = client.get("/account/").content.decode()
    table = section_of(html, profile).split("Views, requests and replies per week")[1]
    # Each week's row: views, contact requests, replies (the messaging app's columns).
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", table)][::3]
    assert counts[:2] == [4, 5]  # this week (3 + the anonymous one), last week
    assert len(counts) == 8


def test_a_new_account_without_a_profile_is_told_how_to_start(client) -> None:
    html = signed_in(client, dana()).get("/account/").content.decode()
    assert "You have no profile yet." in html
    assert "Claim this profile" in html
