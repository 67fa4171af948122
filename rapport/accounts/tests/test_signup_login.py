"""A therapist signs up, confirms the address from the email, signs in; resets a password;
and the answers never tell a stranger whether an address has an account."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from rapport.testing import ALICE_EMAIL, PASSWORD, alice, run_tasks, scan_page, third_party_urls

pytestmark = pytest.mark.django_db

NEW_EMAIL = "maya.chen@example.org"
NEW_PASSWORD = "rain-over-puget-sound-7"


def _link(message: mail.EmailMessage, pattern: str) -> str:
    found = re.search(rf"https?://testserver(/accounts/{pattern}[^\s]*)", str(message.body))
    assert found, message.body
    return found.group(1)


def _sign_up(client: Client, email: str = NEW_EMAIL, **extra: str) -> Any:
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **extra},
    )


def test_sign_up_confirm_by_email_then_sign_in(client: Client) -> None:
    response = _sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email=NEW_EMAIL)
    # Argon2id for new passwords.
    assert user.password.startswith("argon2$argon2id$")
    # Queued, not sent in the request: the worker sends it.
    assert mail.outbox == []
    run_tasks()
    [message] = mail.outbox
    assert message.to == [NEW_EMAIL]
    assert message.subject == "[Rapport] Please Confirm Your Email Address"
    assert str(message.body).startswith("Hello from Rapport!")

    # Unconfirmed: signing in sends nobody in (it says to check the email).
    response = client.post("/accounts/login/", {"login": NEW_EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    confirm = _link(message, "confirm-email/")
    page = client.get(confirm)
    assert page.status_code == 200 and NEW_EMAIL in page.content.decode()
    # A GET (a mail scanner following the link) confirms nothing; the button's POST does.
    assert not EmailAddress.objects.get(email=NEW_EMAIL).verified
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(email=NEW_EMAIL).verified

    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else ""
    response = client.post("/accounts/login/", {"login": NEW_EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/account/"  # the therapist's dashboard
    assert int(client.session["_auth_user_id"]) == user.pk
    # A new session key at login (no session fixation).
    assert client.cookies["sessionid"].value != before


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    client: Client, fast_hashing: None
) -> None:
    alice()
    known = client.post("/accounts/login/", {"login": ALICE_EMAIL, "password": "wrong-one-1"})
    unknown = client.post(
        "/accounts/login/", {"login": "nobody@example.org", "password": "wrong-one-1"}
    )
    assert known.status_code == unknown.status_code == 200

    def errors(response: Any) -> list[str]:
        html = response.content.decode()
        return re.findall(r'<div class="form-errors" role="alert">\s*<p>(.*?)</p>', html)

    assert (
        errors(known)
        == errors(unknown)
        == ["The email address and/or password you specified are not correct."]
    )


def test_signing_up_with_a_taken_address_looks_the_same_and_tells_the_owner(
    client: Client,
) -> None:
    alice()
    taken = _sign_up(client, ALICE_EMAIL)
    fresh = _sign_up(Client(), NEW_EMAIL)
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == "/accounts/confirm-email/"
    assert get_user_model().objects.filter(email=ALICE_EMAIL).count() == 1
    run_tasks()
    to_alice = [m for m in mail.outbox if m.to == [ALICE_EMAIL]]
    assert len(to_alice) == 1 and "Account Already Exists" in to_alice[0].subject


def test_password_reset_by_email(client: Client) -> None:
    alice()
    known = client.post("/accounts/password/reset/", {"email": ALICE_EMAIL})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    run_tasks()
    [to_alice] = [m for m in mail.outbox if m.to == [ALICE_EMAIL]]
    link = _link(to_alice, "password/reset/key/")
    # The key moves from the URL into the session (allauth), then the form sets the password.
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(email=ALICE_EMAIL).check_password(NEW_PASSWORD)
    # Not signed in by the reset itself; the new password works, the old does not.
    assert "_auth_user_id" not in client.session
    old = Client().post("/accounts/login/", {"login": ALICE_EMAIL, "password": PASSWORD})
    assert old.status_code == 200
    new = Client().post("/accounts/login/", {"login": ALICE_EMAIL, "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_errors_stand_next_to_their_field_and_nothing_typed_but_passwords_is_lost(
    client: Client,
) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "maya@example.org", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The error list sits between the field's label and its input.
    email_block = re.search(r'<label for="id_password1">.*?</div>', html, re.S)
    assert email_block and 'class="field-errors"' in email_block.group(0)
    assert 'value="maya@example.org"' in html


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/"])
def test_the_pages_are_the_sites_own(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:988"' in html  # the crisis bar, as on every page
    assert third_party_urls(html, own_hosts={"testserver"}) == []
    page = scan_page(html)
    assert page.inline_scripts == [] and page.style_attributes == []
    assert '<meta name="robots" content="noindex">' in html
    # Every input has its label.
    inputs = re.findall(r'<input[^>]*type="(?:email|password)"[^>]*id="([^"]+)"', html)
    assert len(inputs) >= 2
    for input_id in inputs:
        assert f'<label for="{input_id}">' in html


def test_the_footer_leads_therapists_to_sign_in(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<a href="/accounts/login/">For therapists: sign in / join</a>' in html


def test_the_owner_is_told_when_the_password_changes() -> None:
    alice()
    client = Client()
    client.post("/accounts/login/", {"login": ALICE_EMAIL, "password": PASSWORD})
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    # This session stays signed in (Django updates its hash); the email goes to the owner.
    assert client.get("/accounts/security/").status_code == 200
    run_tasks()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([ALICE_EMAIL], "[Rapport] Password Changed")
    ]
