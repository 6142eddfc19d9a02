"""Shared fixtures: users of each role, and a guard that CI really runs on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from ardesk.disputes.services.catalogues import ensure_default_catalogues
from tests.factories import UserFactory
from tests.identity.helpers import sign_in_fully


def pytest_sessionstart(session: pytest.Session) -> None:
    # .ci/run sets this: a run meant for PostgreSQL must never fall back to SQLite.
    if os.environ.get("ARDESK_REQUIRE_POSTGRES") and "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise pytest.UsageError("ARDESK_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")


@pytest.fixture
def real_hashers() -> None:
    """Request this to hash with the configured hashers (argon2 first), as production does."""


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings) -> None:  # type: ignore[no-untyped-def]
    # Argon2 costs ~0.25 s a hash by design; only tests about hashing pay it (they ask for real_hashers).
    if "real_hashers" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def files_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Documents and kept mail go to a directory of the test's own, never the checkout's var/files."""
    settings.ARDESK_FILES_DIR = tmp_path / "files"
    return settings.ARDESK_FILES_DIR


def _database_fixture(request: pytest.FixtureRequest) -> str | None:
    """The pytest-django fixture that gives this test its database, or None for a test without one."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if "live_server" in names or "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        return "transactional_db"
    if marker is not None or "db" in names:
        return "db"
    return None


@pytest.fixture(autouse=True)
def dispute_catalogues(request: pytest.FixtureRequest) -> None:
    # The reason codes and root causes come from a data migration, but a transactional test anywhere earlier
    # in the run empties every table when it ends: put them back before each test that has a database.
    fixture = _database_fixture(request)
    if fixture is not None:
        request.getfixturevalue(fixture)
        ensure_default_catalogues()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="ada", role="admin", is_staff=True)


@pytest.fixture
def clerk(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="cora", role="cash_clerk")


@pytest.fixture
def manager(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="max", role="ar_manager")


@pytest.fixture
def collector(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="colin", role="collector")


@pytest.fixture
def login_as(client):  # type: ignore[no-untyped-def]
    """`login_as(user)`: sign the test client in past every sign-in step (second factor, new password).

    A user whose role needs a second factor gets a confirmed authenticator and a verified session,
    exactly what a real sign-in leaves behind, so pages and the session API treat them as fully in.
    """
    def _login(user):  # type: ignore[no-untyped-def]
        return sign_in_fully(client, user)

    return _login
