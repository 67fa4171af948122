"""Passkeys in Chromium with its virtual authenticator (DevTools' WebAuthn domain): a
therapist adds a passkey that can sign in on its own, signs out, and signs in with it alone.
The pages run allauth's static scripts under our Content-Security-Policy (a blocked script
would leave the buttons dead) and axe checks them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import DESKTOP
from .test_therapist import _axe_clean

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _page_with_authenticator(
    browser: Browser, request: pytest.FixtureRequest
) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    request.addfinalizer(context.close)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    # A platform authenticator that holds passkeys and verifies the user (as a fingerprint
    # would), answering every prompt by itself. live_server is http://localhost, which
    # browsers treat as secure, so WebAuthn is allowed there.
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page, blocked


def test_a_therapist_adds_a_passkey_and_signs_in_with_it_alone(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    from allauth.mfa.models import Authenticator

    from rapport.testing import ALICE_EMAIL, PASSWORD, alice

    user = alice()
    page, blocked = _page_with_authenticator(browser, request)
    base = live_server.url
    assert base.startswith("http://localhost:")

    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(ALICE_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/account/")

    page.goto(base + "/accounts/2fa/webauthn/add/")
    page.locator("input[name=password]").fill(PASSWORD)  # allauth asks once more
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Add a passkey")
    _axe_clean(page, "add a passkey")
    page.get_by_label("Name it").fill("Laptop")
    page.get_by_label("Sign in with this passkey alone").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add a passkey").click()
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Laptop" and key.wrap().is_passwordless

    page.goto(base + "/accounts/security/")
    page.get_by_role("button", name="Sign out on this device").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/security/"))

    page.goto(base + "/accounts/login/")
    _axe_clean(page, "sign in with a passkey offered")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(base + "/account/")
    page.goto(base + "/accounts/security/")
    expect(page.locator("main")).to_contain_text(f"Signed in as {ALICE_EMAIL}")

    # With the password, the passkey is the second step.
    page.get_by_role("button", name="Sign out on this device").click()
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(ALICE_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(base + "/accounts/2fa/authenticate/")
    _axe_clean(page, "second step with a passkey")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(base + "/account/")
    assert not blocked, blocked


def test_staff_without_a_second_step_can_add_a_passkey_instead_of_an_app(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    from allauth.mfa.models import Authenticator

    from rapport.testing import PASSWORD, erin

    user = erin()
    page, blocked = _page_with_authenticator(browser, request)
    base = live_server.url
    page.goto(base + "/accounts/login/?next=/admin/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.locator("input[name=password]").fill(PASSWORD)  # allauth asks once more
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fadmin%2F$"))
    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    _axe_clean(page, "staff setup with the passkey alternative")
    page.get_by_role("link", name="Add a passkey instead").click()
    expect(page.locator("h1")).to_have_text("Add a passkey")
    page.get_by_label("Name it").fill("Office laptop")
    with page.expect_navigation():
        page.get_by_role("button", name="Add a passkey").click()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()
    page.goto(base + "/admin/")
    expect(page).to_have_url(base + "/admin/")  # the passkey is enough
    page.goto(base + "/accounts/2fa/")
    expect(page.locator("main")).to_contain_text("You have added 1 passkey.")
    _axe_clean(page, "two-factor page in plain words")
    assert not blocked, blocked
