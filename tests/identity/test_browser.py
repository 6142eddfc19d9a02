"""The sign-in steps in Debian's Chromium: what a manager does on their first day, by label as a screen reader would."""

from __future__ import annotations

import os
import re
from base64 import b32decode
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ardesk.identity import mfa
from ardesk.identity.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def first_day_manager(transactional_db: Any, settings: Any) -> User:
    settings.ARDESK_REQUIRE_MFA = True
    return UserFactory(username="max", role="ar_manager")


def test_a_manager_enrols_an_authenticator_and_reaches_the_desk(page: Page, live_server: Any,
                                                                 first_day_manager: User) -> None:
    # given the sign-in page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("max")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # then enrolment: a QR code drawn inline and the key as text
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("#mfa-qr svg")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    key_hex = b32decode(secret + "=" * (-len(secret) % 8)).hex()
    # when the app's code is entered
    page.get_by_label(re.compile("Six-digit code")).fill(mfa.code_for_key(key_hex))
    page.get_by_role("button", name="Confirm").click()
    # then the desk opens and the device is stored
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert mfa.has_confirmed_device(first_day_manager)


def test_a_wrong_password_is_announced(page: Page, live_server: Any, first_day_manager: User) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("max")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
