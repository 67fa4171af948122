"""The 404 page: what may have happened, honestly, and where to go from here."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from rapport.testing import make_profile

pytestmark = pytest.mark.django_db


def main_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def test_a_missing_profile_says_it_may_be_unpublished_and_offers_ways_on(client) -> None:
    gone = make_profile(name="Gone Away")
    url = gone.get_absolute_url()
    gone.delete()
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    text = main_text(html)
    assert "the profile may have been unpublished or removed" in text
    assert "while it is being updated" not in text
    main = html.split("<main", 1)[1]
    assert 'href="/"' in main and 'href="/match/"' in main
    assert "Find your match" in text
