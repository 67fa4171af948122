"""Sign out everywhere; staff need a second factor for the admin; scripted sign-up and login
attempts are throttled (the figures are the ones in core/ratelimits.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from rapport.accounts.middleware import has_second_factor
from rapport.testing import (
    ALICE_EMAIL,
    BOB_EMAIL,
    BOB_TOTP_SECRET,
    PASSWORD,
    alice,
    bob,
    erin,
    pin_ratelimit_clock,
    ratelimit_window_edge,
    totp_code,
    with_totp,
)

pytestmark = pytest.mark.django_db


def _sign_in(email: str, password: str = PASSWORD, **extra: Any) -> Client:
    client = Client(**extra)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


# --- Sign out everywhere -----------------------------------------------------------


@pytest.mark.parametrize(
    "engine",
    ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache"],
)
def test_sign_out_everywhere_ends_the_other_devices_sessions(engine: str) -> None:
    with override_settings(SESSION_ENGINE=engine):
        alice()
        phone = _sign_in(ALICE_EMAIL)
        laptop = _sign_in(ALICE_EMAIL)
        assert laptop.get("/accounts/security/").status_code == 200
        response = phone.post("/accounts/sign-out-everywhere/")
        assert response.status_code == 302 and response["Location"] == "/accounts/login/"
        # The other device is signed out at its next request; so is this one.
        for client in (laptop, phone):
            page = client.get("/accounts/security/")
            assert page.status_code == 302
            assert page["Location"].startswith("/accounts/login/")
        # Signing in again works.
        assert _sign_in(ALICE_EMAIL).get("/accounts/security/").status_code == 200


def test_sign_out_everywhere_is_a_post_behind_the_login(client: Client) -> None:
    alice()
    assert client.post("/accounts/sign-out-everywhere/").status_code == 302  # to the login
    signed_in = _sign_in(ALICE_EMAIL)
    assert signed_in.get("/accounts/sign-out-everywhere/").status_code == 405
    page = signed_in.get("/accounts/security/").content.decode()
    assert 'action="/accounts/sign-out-everywhere/"' in page


def test_sessions_from_before_the_token_existed_stay_valid() -> None:
    # An empty token leaves Django's hash unchanged: deploying this signs nobody out.
    from django.contrib.auth.base_user import AbstractBaseUser

    user = alice()
    assert user.session_token == ""
    assert user.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(user)  # type: ignore[attr-defined]


# --- Staff and two-factor ------------------------------------------------------------


def test_staff_without_two_factor_are_sent_to_set_it_up_not_into_the_admin(
    client: Client,
) -> None:
    client.force_login(erin())
    for url in ("/admin/", "/admin/directory/therapistprofile/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/totp/activate/?next=")
    # With an authenticator app set up, the same person gets in.
    with_totp(erin(), BOB_TOTP_SECRET)
    assert has_second_factor(erin())
    assert client.get("/admin/").status_code == 200


def test_a_therapist_is_not_sent_anywhere_by_the_staff_rule(client: Client) -> None:
    client.force_login(alice())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")  # the admin's own refusal


def test_staff_sign_in_asks_for_the_code_before_the_admin() -> None:
    bob()
    client = Client()
    # The admin's login form is allauth's: it is the one that asks for the code.
    assert client.get("/admin/login/?next=/admin/")["Location"] == (
        "/accounts/login/?next=%2Fadmin%2F"
    )
    response = client.post("/accounts/login/", {"login": BOB_EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    # The password alone opens nothing.
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(BOB_TOTP_SECRET)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- Throttling ------------------------------------------------------------------


def _login_try(client: Client, email: str, **extra: Any) -> int:
    response = client.post("/accounts/login/", {"login": email, "password": "wrong"}, **extra)
    return response.status_code


def test_scripted_logins_from_one_address_stop_at_five_a_minute(
    client: Client, fast_hashing: None
) -> None:
    alice()
    codes = [_login_try(client, ALICE_EMAIL) for _ in range(6)]
    assert codes == [200] * 5 + [429]
    limited = client.post("/accounts/login/", {"login": ALICE_EMAIL, "password": PASSWORD})
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert 'href="tel:988"' in limited.content.decode()
    # Another address signs in at once: the owner is not locked out by someone else.
    assert _sign_in(ALICE_EMAIL, REMOTE_ADDR="203.0.113.9")


def test_guesses_at_one_account_from_many_addresses_stop_at_ten_per_15_minutes(
    client: Client, fast_hashing: None
) -> None:
    codes = [
        _login_try(client, "Alice@Example.org", REMOTE_ADDR=f"198.51.100.{n}") for n in range(11)
    ]
    assert codes == [200] * 10 + [429]
    limited = client.post(
        "/accounts/login/", {"login": ALICE_EMAIL, "password": "x"}, REMOTE_ADDR="198.51.100.99"
    )
    # A short window, never a lockout (django-ratelimit's windows are fixed, so the wait left
    # is anywhere up to the window's 15 minutes).
    assert 1 <= int(limited["Retry-After"]) <= 15 * 60
    # Other accounts are not affected.
    assert _login_try(client, "carol@example.org", REMOTE_ADDR="198.51.100.1") == 200


def test_scripted_sign_ups_from_one_address_stop_at_five_an_hour(
    client: Client, fast_hashing: None
) -> None:
    codes = [
        client.post(
            "/accounts/signup/",
            {"email": f"bot{n}@example.org", "password1": "p4ss-w0rd-long", "password2": "x"},
        ).status_code
        for n in range(6)
    ]
    assert codes == [200] * 5 + [429]
    assert int(client.post("/accounts/signup/", {})["Retry-After"]) <= 3600
    assert Client(REMOTE_ADDR="192.0.2.44").get("/accounts/signup/").status_code == 200


def test_reset_requests_for_one_inbox_stop_at_three_an_hour(client: Client) -> None:
    codes = [
        client.post(
            "/accounts/password/reset/", {"email": ALICE_EMAIL}, REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n in range(4)
    ]
    assert codes == [302] * 3 + [429]


def test_two_factor_code_guesses_stop_at_five_a_minute() -> None:
    bob()
    client = Client()
    client.post("/accounts/login/", {"login": BOB_EMAIL, "password": PASSWORD})
    codes = [
        client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]


def test_allauths_own_per_user_limits_answer_with_the_sites_429_page() -> None:
    alice()
    client = _sign_in(ALICE_EMAIL)
    data = {"oldpassword": "wrong", "password1": "x", "password2": "x"}
    codes = [client.post("/accounts/password/change/", data).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]  # change_password: 5 a minute per user
    limited = client.post("/accounts/password/change/", data)
    assert limited["Retry-After"] == "60" and 'href="tel:988"' in limited.content.decode()


def test_the_limit_holds_in_the_last_second_of_its_window(
    client: Client, fast_hashing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # django-ratelimit's window for an address ends at a second of the minute fixed by the
    # address; in that second it reports 0 seconds left, which once let every try through.
    pin_ratelimit_clock(monkeypatch, ratelimit_window_edge("127.0.0.1", 60) + 0.5)
    alice()
    codes = [_login_try(client, ALICE_EMAIL) for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert (
        client.post("/accounts/login/", {"login": ALICE_EMAIL, "password": "x"})["Retry-After"]
        == "1"
    )
