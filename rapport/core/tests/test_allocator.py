"""The web worker's allocator settings (rapport/core/allocator.py)."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

import rapport
from rapport.core.allocator import tune_allocator


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_accepts_the_web_workers_thresholds():
    assert tune_allocator() is True


def test_the_web_worker_sets_them_before_loading_django():
    # Read, not imported: importing the WSGI module warms the search index up.
    source = (Path(rapport.__file__).parent / "wsgi.py").read_text()
    assert source.index("tune_allocator()") < source.index("get_wsgi_application()\n")
