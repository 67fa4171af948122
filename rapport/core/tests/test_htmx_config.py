"""htmx never injects a <style> the Content-Security-Policy would block."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from rapport.directory import index
from rapport.testing import make_profile

pytestmark = pytest.mark.django_db


def _htmx_configs(html: str) -> list[dict[str, object]]:
    return [
        json.loads(m) for m in re.findall(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    ]


@pytest.mark.parametrize("url", ["/approaches/relational-therapy/", "/therapists/wa/"])
def test_pages_that_load_htmx_turn_off_its_inline_indicator_styles(
    client: Client, url: str
) -> None:
    index.reset_for_tests()
    make_profile(name="Tacoma One", approaches=[("relational-therapy", "r")])
    index.index_touch(None)
    html = client.get(url).content.decode()
    assert "htmx-2.min.js" in html
    configs = _htmx_configs(html)
    assert configs, "no htmx-config: htmx would inject its indicator <style>"
    # htmx reads the first one.
    assert configs[0]["includeIndicatorStyles"] is False
    assert configs[0]["allowEval"] is False
    index.reset_for_tests()


def test_the_indicator_styles_are_in_the_sites_css() -> None:
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    assert re.search(r"\.htmx-indicator\s*\{\s*opacity:\s*0;", css)
    assert re.search(
        r"\.htmx-request \.htmx-indicator,\s*\.htmx-request\.htmx-indicator\s*\{\s*opacity:\s*1;",
        css,
    )
