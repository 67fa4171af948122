"""A visitor on a phone: home, then a therapist's profile, help always in reach."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.e2e,
    # The taxonomy arrives by migration; serialized rollback restores it
    # after each live-server test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_HEIGHT = 844


def _crisis_link_in_first_screen(page: Page) -> None:
    """The way to crisis help is on screen without scrolling (domain.md: same place on every page)."""
    link = page.locator("header a[href='/crisis/']").first
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE_HEIGHT, f"crisis link below the fold: {box}"
    expect(page.locator("header a[href='tel:988']").first).to_be_visible()


def test_it_takes_a_phone_visitor_from_home_to_a_profile(
    live_server: Any, phone_page: Page, published_profile: Any
) -> None:
    page = phone_page
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    _crisis_link_in_first_screen(page)

    # The page a search result or a topic page links to.
    response = page.goto(live_server.url + published_profile.get_absolute_url())
    assert response is not None and response.status == 200
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_count(1)
    expect(heading).to_be_visible()
    expect(heading).to_contain_text(published_profile.name)
    expect(page).to_have_title(re.compile(re.escape(published_profile.name)))
    _crisis_link_in_first_screen(page)

    # The crisis page itself is one tap away.
    page.locator("header a[href='/crisis/']").first.click()
    expect(page).to_have_url(live_server.url + "/crisis/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main a[href='tel:988']").first).to_be_visible()


def test_it_hides_unpublished_profiles(
    live_server: Any, phone_page: Page, published_profile: Any
) -> None:
    from rapport.directory.models import Status

    type(published_profile).objects.filter(pk=published_profile.pk).update(status=Status.PENDING)
    response = phone_page.goto(live_server.url + published_profile.get_absolute_url())
    assert response is not None and response.status == 404
    # Even the error page keeps the way to help.
    _crisis_link_in_first_screen(phone_page)
