"""`therapist_area`: signed in, with a confirmed email address."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, override_settings

from rapport.testing import alice, make_user, run_tasks

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("rapport.accounts.tests.therapist_area_urls"),
]

URL = "/account/test-inside/"


def test_a_visitor_is_sent_to_sign_in_and_back(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/test-inside/"


def test_a_verified_therapist_gets_in(client: Client) -> None:
    client.force_login(alice())
    assert client.get(URL).content == b"inside"


@override_settings(ACCOUNT_RATE_LIMITS={"confirm_email": None})
def test_an_unconfirmed_address_gets_a_page_saying_so_and_a_fresh_link(client: Client) -> None:
    user = make_user("new@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200 and response.content != b"inside"
    assert "Verify Your Email Address" in response.content.decode()
    run_tasks()
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
