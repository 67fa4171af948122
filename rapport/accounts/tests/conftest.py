from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    # Rate-limit counts and used TOTP codes live in the cache: each test starts from none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fast_hashing(settings):
    # Tests that try passwords many times: Argon2 costs ~50 ms a check, by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
