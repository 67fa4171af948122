"""The web worker freezes what its first requests made (rapport/core/collector.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.signals import request_finished

import rapport
from rapport.core.collector import freeze_after_first_requests


@pytest.fixture
def frozen_count() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the frozen objects go back to the collector


def test_it_freezes_after_the_given_requests_and_then_stops_listening(
    client, frozen_count, monkeypatch
) -> None:
    freezes: list[int] = []
    real_freeze = gc.freeze

    def counting_freeze() -> None:
        freezes.append(len(freezes))
        real_freeze()

    monkeypatch.setattr(gc, "freeze", counting_freeze)
    receivers = len(request_finished.receivers)
    freeze_after_first_requests(after=(2, 4))
    assert len(request_finished.receivers) == receivers + 1
    seen = []
    for _ in range(5):
        assert client.get("/robots.txt").status_code == 200
        seen.append(len(freezes))
    assert seen == [0, 1, 1, 2, 2]  # at the 2nd and the 4th request
    assert gc.get_freeze_count() > 0
    assert len(request_finished.receivers) == receivers  # and no more after the last


def test_the_web_worker_turns_it_on_after_its_warm_up() -> None:
    # Read, not imported: importing the WSGI module warms the search index up.
    source = (Path(rapport.__file__).parent / "wsgi.py").read_text()
    assert source.index("gc.freeze()") < source.index("freeze_after_first_requests()")
