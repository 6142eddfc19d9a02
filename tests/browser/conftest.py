"""Playwright on Debian's Chromium (never a downloaded browser) against Django's live server."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ardesk.demo.people import DEMO_PASSWORD
from ardesk.identity import mfa

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}, "locale": "en-GB"}


@pytest.fixture
def sign_in(page: Page, live_server: Any) -> Callable[..., Page]:
    """Sign in through the real form, passing the TOTP step with the device's current code when asked."""

    def _sign_in(user: Any) -> Page:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.locator("#sign-in-submit").click()
        if "/account/two-factor" in page.url:
            device = mfa.confirmed_device(user)
            assert device is not None, f"{user.username} was asked for a code but has no device"
            page.get_by_label(re.compile("code", re.I)).fill(mfa.current_code(device))
            page.locator("#verify-code").click()
        expect(page.locator("#sign-in-submit")).to_have_count(0)
        return page

    return _sign_in


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
