"""The demo's people: they can sign in with the shared password; managers and the admin have their TOTP device."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from ardesk.demo.people import DEMO_PASSWORD, USERS, base32_secret, totp_key_hex
from ardesk.identity.mfa import current_code
from ardesk.identity.models import User
from ardesk.identity.scoping import visible_customers
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str) -> User | None:
    """Through the real authentication backends (login throttling first), as the login page does."""
    return authenticate(RequestFactory().post("/login/"), username=username, password=password)  # type: ignore[return-value]


def load(seed: int = 2026) -> str:
    out = StringIO()
    call_command("demo", "load", invoices=300, seed=seed, as_of=TODAY, stdout=out)
    return out.getvalue()


@pytest.mark.slow  # Argon2 takes about a second per password check, by design
def test_every_demo_user_signs_in_with_the_printed_password():
    # given
    out = load()
    # then
    assert f"the password of every one is {DEMO_PASSWORD}" in out
    for spec in USERS:
        assert sign_in(spec.username, DEMO_PASSWORD) == User.objects.get(username=spec.username)
    assert sign_in("anna", "wrong-password-1") is None
    assert User.objects.get(username="ada").is_staff


@pytest.mark.usefixtures("fast_hasher")
def test_managers_and_the_admin_have_the_device_whose_secret_is_printed():
    out = load(seed=41)
    for user in User.objects.filter(username__in=[u.username for u in USERS]):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        if not user.needs_mfa:
            assert not devices.exists()
            continue
        device = devices.get()
        assert device.key == totp_key_hex(41, user.username)
        assert base32_secret(device.key) in out
        assert device.verify_token(current_code(device))


@pytest.mark.usefixtures("fast_hasher")
def test_the_console_lists_each_user_with_role_and_explains_the_second_factor():
    out = load()
    assert "marta" in out and "AR manager" in out and "Cash-application clerk" in out
    assert "any TOTP authenticator app" in out
    assert "mfa-code" not in out


@pytest.mark.usefixtures("fast_hasher")
def test_collectors_see_their_portfolio_and_managers_their_team():
    load()
    anna, luis = User.objects.get(username="anna"), User.objects.get(username="luis")
    marta = User.objects.get(username="marta")
    assert visible_customers(anna).exists() and visible_customers(luis).exists()
    assert not (set(visible_customers(anna)) & set(visible_customers(luis)))
    assert set(visible_customers(anna)) <= set(visible_customers(marta))
    assert not visible_customers(marta).filter(country="US").exists()
