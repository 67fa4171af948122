"""Passkeys (allauth's WebAuthn) through HTTP: the pages render in the site's layout, their
scripts are static files our Content-Security-Policy allows, and passkey sign-in is throttled
with password sign-in. The browser ceremony itself is in tests/e2e/test_passkeys.py."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.staticfiles import finders
from django.test import Client

from rapport.core.middleware import CONTENT_SECURITY_POLICY
from rapport.testing import ALICE_EMAIL, PASSWORD, alice, erin, scan_page

pytestmark = pytest.mark.django_db


def scripts_allowed_by_our_policy(html: str) -> bool:
    """No inline script (JSON data blocks are never run), and every script a file of this
    site (script-src 'self') that is there to load."""
    page = scan_page(html)
    scripts = [url for url in page.loaded if url.endswith(".js")]
    return (
        bool(scripts)
        and page.inline_scripts == []
        and all(
            url.startswith("/static/") and finders.find(url.removeprefix("/static/"))
            for url in scripts
        )
    )


def test_the_sign_in_page_offers_a_passkey(client: Client) -> None:
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert 'id="passkey_login"' in html and "Sign in with a passkey" in html
    assert 'action="/accounts/2fa/webauthn/login/"' in html
    assert "/static/mfa/js/webauthn.js" in html and "/static/js/passkeys.js" in html
    assert scripts_allowed_by_our_policy(html)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    # The options the browser needs come from a GET the script makes (connect-src 'self').
    options = client.get("/accounts/2fa/webauthn/login/", HTTP_ACCEPT="application/json")
    assert options.status_code == 200
    assert options.json()["request_options"]["publicKey"]["challenge"]


def test_a_therapist_can_add_a_passkey_from_the_two_factor_page() -> None:
    alice()
    client = Client()
    client.post("/accounts/login/", {"login": ALICE_EMAIL, "password": PASSWORD})
    assert "Two-factor authentication and passkeys" in client.get("/accounts/security/").text
    index = client.get("/accounts/2fa/").content.decode()
    assert 'href="/accounts/2fa/webauthn/add/"' in index
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})  # allauth asks again
    response = client.get("/accounts/2fa/webauthn/add/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Add a passkey</h1>" in html and 'class="site-footer' in html  # our layout
    assert 'id="mfa_webauthn_add"' in html
    assert "Sign in with this passkey alone, no password</label>" in html
    assert scripts_allowed_by_our_policy(html)
    # Without a credential from the browser nothing is added, with a message.
    refused = client.post("/accounts/2fa/webauthn/add/", {"name": "Phone"})
    assert refused.status_code == 200 and "form-errors" in refused.content.decode()


def test_passkey_sign_in_counts_with_password_tries_per_address(client: Client) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"login": "nobody@example.org", "password": "x"})
    response = client.post("/accounts/2fa/webauthn/login/", {"credential": "{}"})
    assert response.status_code == 429 and response["Retry-After"]


def test_a_passkey_is_a_second_factor_for_staff(client: Client) -> None:
    client.force_login(erin())
    assert client.get("/admin/").status_code == 302  # no second factor yet
    Authenticator.objects.create(
        user=erin(), type=Authenticator.Type.WEBAUTHN, data={"name": "Security key"}
    )
    assert client.get("/admin/").status_code == 200
