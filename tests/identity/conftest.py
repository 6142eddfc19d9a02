"""Identity tests hash with a fast hasher unless a test asks for `real_hashers` (argon2 costs ~1 s a hash)."""

from __future__ import annotations

import pytest


@pytest.fixture
def real_hashers() -> None:
    """Request this to hash with the configured hashers (argon2 first), as production does."""


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings) -> None:
    if "real_hashers" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
