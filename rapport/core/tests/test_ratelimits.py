"""Login (allauth's, which the admin's sends to) and saved lists: too many tries from one place is a 429 with Retry-After;
where a login lands."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from rapport.matching.models import SavedMatch
from rapport.testing import PASSWORD, alice, bob

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/?next=/admin/"
DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": settings.REDIS_CACHE_OPTIONS,
    }
}


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Each try checks a password: the real hasher costs a few hundred ms, times ~50 tries.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _guess(client: Client, username: str, **extra: Any) -> int:
    response = client.post(LOGIN, {"login": username, "password": "wrong"}, **extra)
    return response.status_code


def test_the_sixth_login_try_in_a_minute_from_one_address_is_a_429(client: Client) -> None:
    staff = bob()
    assert [_guess(client, staff.email) for _ in range(5)] == [200] * 5  # the form, with an error
    response = client.post(LOGIN, {"login": staff.email, "password": "wrong"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "Please wait a moment" in html and "try again in 1 minute" in html
    assert 'href="tel:988"' in html
    # Even the right password waits: the limit is on tries, not on failures.
    right = client.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    assert right.status_code == 429
    # Another address is not affected, and reading the form never counts.
    assert _guess(Client(REMOTE_ADDR="203.0.113.7"), staff.email) == 200
    assert client.get(LOGIN).status_code == 200


def test_guesses_at_one_account_from_many_addresses_are_limited_too(client: Client) -> None:
    codes = [_guess(client, "Bob@Example.org", REMOTE_ADDR=f"198.51.100.{n}") for n in range(1, 12)]
    assert codes == [200] * 10 + [429]
    # Other accounts can still log in from those addresses.
    assert _guess(client, "carol@example.org", REMOTE_ADDR="198.51.100.1") == 200


@override_settings(RAPPORT_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_behind_the_proxy_each_visitor_counts_on_their_own(client: Client) -> None:
    # Every request reaches gunicorn from nginx (127.0.0.1); the visitor is in X-Real-IP.
    for _ in range(5):
        assert _guess(client, "a@example.org", HTTP_X_REAL_IP="192.0.2.1") == 200
    assert _guess(client, "a@example.org", HTTP_X_REAL_IP="192.0.2.1") == 429
    assert _guess(client, "a@example.org", HTTP_X_REAL_IP="192.0.2.2") == 200


def test_saved_lists_past_twenty_an_hour_from_one_address_are_a_429(client: Client) -> None:
    codes = [client.post("/match/results/keep/").status_code for _ in range(21)]
    assert 429 not in codes[:20]
    assert codes[20] == 429
    assert SavedMatch.objects.count() == 0
    assert int(client.post("/match/results/keep/")["Retry-After"]) <= 3600


@override_settings(CACHES=DEAD_REDIS)
def test_with_the_cache_away_nobody_is_locked_out(client: Client) -> None:
    assert [_guess(client, "a@example.org") for _ in range(8)] == [200] * 8


def test_the_admins_own_login_form_counts_too_and_sends_to_allauths(client: Client) -> None:
    # A script posting to /admin/login/ is redirected, and its tries share the one count.
    staff = bob()
    admin = [
        client.post("/admin/login/", {"username": staff.email, "password": "x"}).status_code
        for _ in range(3)
    ]
    assert admin == [302] * 3
    assert [_guess(client, staff.email) for _ in range(3)] == [200, 200, 429]


def test_an_unsafe_next_after_login_lands_on_the_dashboard_not_off_site(client: Client) -> None:
    therapist = alice()
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"login": therapist.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
