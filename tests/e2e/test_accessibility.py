"""axe-core finds nothing on the pages everyone sees, at phone and desktop sizes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from .conftest import DESKTOP, PHONE, open_page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = ["home", "crisis", "privacy", "profile"]
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  {v.get('helpUrl', '')}")
        for node in v["nodes"][:5]:
            lines.append(
                f"    {json.dumps(node.get('target'))}: {node.get('failureSummary', '').strip()}"
            )
            lines.append(f"      {node.get('html', '')[:200]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", PAGES)
def test_it_has_no_axe_violations(
    name: str,
    viewport: str,
    live_server: Any,
    browser: Browser,
    request: pytest.FixtureRequest,
) -> None:
    if name == "profile":
        path = request.getfixturevalue("published_profile").get_absolute_url()
    else:
        path = {"home": "/", "crisis": "/crisis/", "privacy": "/privacy/"}[name]
    page = open_page(browser, request, VIEWPORTS[viewport])
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )

    results = Axe().run(page)
    violations = results.response["violations"]
    assert not violations, (
        f"{len(violations)} axe violation(s) on {path} at {viewport} size:\n{_describe(violations)}"
    )
