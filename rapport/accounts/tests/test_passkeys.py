"""Passkeys (allauth's WebAuthn) through HTTP: the pages render in the site's layout, their
scripts are static files our Content-Security-Policy allows, and passkey sign-in is throttled
with password sign-in. The browser ceremony itself is in tests/e2e/test_passkeys.py."""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.staticfiles import finders
from django.test import Client
from fido2.cose import ES256
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

from rapport.core.middleware import CONTENT_SECURITY_POLICY
from rapport.testing import (
    ALICE_EMAIL,
    BOB_EMAIL,
    BOB_TOTP_SECRET,
    PASSWORD,
    alice,
    bob,
    erin,
    scan_page,
    totp_code,
)

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


def test_passkey_sign_in_counts_with_password_tries_per_address(
    client: Client, fast_hashing: None
) -> None:
    # Fast hashing: the six tries must fall in one minute's window, and Argon2's deliberate
    # cost (even for an unknown address) on a busy machine made them straddle it now and then.
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


# --- Plain words, and only the second steps a person has ----------------------------------------


def add_passkey(user: Any, *, recovery_codes: bool = True) -> None:
    """A passkey as a browser registers it (a real P-256 credential, "none" attestation): the
    second-step page asks the browser for it by its credential id."""
    key = ec.generate_private_key(ec.SECP256R1())
    credential_id = os.urandom(16)
    auth_data = AuthenticatorData.create(
        hashlib.sha256(b"testserver").digest(),
        AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
        0,
        AttestedCredentialData.create(
            Aaguid.NONE, credential_id, ES256.from_cryptography_key(key.public_key())
        ),
    )
    response = RegistrationResponse(
        raw_id=credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=CollectedClientData.create(
                type="webauthn.create", challenge=os.urandom(16), origin="http://testserver"
            ),
            attestation_object=AttestationObject.create("none", auth_data, {}),
        ),
    )
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Phone", "credential": dict(response)},
    )
    if recovery_codes:  # allauth makes them with the first passkey
        RecoveryCodes.activate(user)


def second_step(email: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    return client, client.get("/accounts/2fa/authenticate/").text


def test_someone_with_only_a_passkey_is_not_asked_for_a_code() -> None:
    add_passkey(alice(), recovery_codes=False)
    _, html = second_step(ALICE_EMAIL)
    assert (
        '<button class="button" id="mfa_webauthn_authenticate" type="button">Use a passkey</button>'
        in html
    )
    assert 'name="code"' not in html
    assert "security key" not in html.lower() and "authenticator app" not in html
    assert scripts_allowed_by_our_policy(html)


def test_a_passkey_with_recovery_codes_keeps_the_codes_behind_lost_your_passkey() -> None:
    add_passkey(alice())
    client, html = second_step(ALICE_EMAIL)
    assert "Use a passkey" in html and "authenticator app" not in html
    before, _, after = html.partition("<details")
    assert 'name="code"' not in before  # not offered as the way in
    assert "Lost your passkey? Use a recovery code" in after and 'name="code"' in after
    # A wrong code shows the error with the field open; a recovery code signs in.
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "nope"})
    assert re.search(r"<details[^>]* open>", wrong.text) and "Incorrect code" in wrong.text
    code = RecoveryCodes(
        Authenticator.objects.get(user=alice(), type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/account/").status_code == 200


def test_an_authenticator_app_asks_for_its_code_and_a_passkey_is_offered_beside_it() -> None:
    bob()
    _, app_only = second_step(BOB_EMAIL)
    assert "Code from your authenticator app, or a recovery code" in app_only
    assert "Use a passkey" not in app_only
    add_passkey(bob())
    client, both = second_step(BOB_EMAIL)
    assert "Use a passkey" in both and "Or enter a code" in both and 'name="code"' in both
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(BOB_TOTP_SECRET)})
    assert response.status_code == 302


def test_the_two_factor_page_says_passkeys() -> None:
    add_passkey(alice())
    client = Client()
    client.force_login(alice())
    html = client.get("/accounts/2fa/").text
    assert "You have added 1 passkey." in html and "Manage your passkeys" in html
    assert "security key" not in html.lower().replace("phone, computer or security key", "")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    listing = client.get("/accounts/2fa/webauthn/").text
    assert "<h1>Passkeys</h1>" in listing and "Phone" in listing
    assert "security key" not in listing.lower()
    key = Authenticator.objects.get(user=alice(), type=Authenticator.Type.WEBAUTHN)
    rename = client.get(f"/accounts/2fa/webauthn/keys/{key.pk}/edit/")
    assert "<h1>Rename your passkey</h1>" in rename.text
    remove = client.get(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/")
    assert "<h1>Remove this passkey?</h1>" in remove.text and "“Phone”" in remove.text


def test_staff_sent_to_set_up_an_app_are_offered_a_passkey_instead() -> None:
    client = Client()
    client.force_login(erin())
    setup = client.get("/admin/")["Location"]
    assert setup == "/accounts/2fa/totp/activate/?next=%2Fadmin%2F"
    client.post(f"/accounts/reauthenticate/?next={setup}", {"password": PASSWORD})
    html = client.get(setup).text
    assert "Staff need a second step after the password to use the admin" in html
    assert "Set up an authenticator app" in html
    assert 'href="/accounts/2fa/webauthn/add/">Add a passkey instead</a>' in html
    add_passkey(erin())
    assert client.get("/admin/").status_code == 200  # the passkey was enough
