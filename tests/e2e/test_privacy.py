"""Nothing a visitor's browser fetches leaves this site.

Search terms and the pages a person reads can reveal health conditions; a
font, script or pixel from another host would tell that host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from .conftest import DESKTOP, open_page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Schemes that never touch the network.
LOCAL_SCHEMES = {"data", "blob", "about"}


def test_it_makes_no_request_to_another_host(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, published_profile: Any
) -> None:
    page = open_page(browser, request, DESKTOP)
    seen: list[str] = []
    # On the context, so requests from workers and frames count too.
    page.context.on("request", lambda r: seen.append(r.url))
    # An asset that fails to load would also never show a third-party
    # request it makes, so broken assets fail this test too.
    broken: list[str] = []
    page.on("requestfailed", lambda r: broken.append(f"{r.url}: {r.failure}"))
    page.on(
        "response",
        lambda r: broken.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None,
    )

    paths = ["/", "/crisis/", "/privacy/", published_profile.get_absolute_url()]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")

    ours = urlsplit(live_server.url).netloc
    elsewhere = [
        url
        for url in seen
        if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != ours
    ]
    assert not elsewhere, "requests to other hosts:\n" + "\n".join(elsewhere)
    # The check is only worth something if the pages loaded their assets.
    assert any("/static/" in url for url in seen), seen
    assert not broken, "assets that did not load:\n" + "\n".join(sorted(set(broken)))
