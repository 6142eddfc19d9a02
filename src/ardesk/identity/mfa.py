"""TOTP second factor (django-otp): enrolment and verification helpers used by login, demo and tests."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ardesk.audit.services import record
from ardesk.identity.models import User


@transaction.atomic
def enrol_totp(*, user: User, by: Any, key_hex: str | None = None, confirmed: bool = True) -> TOTPDevice:
    """Give a user a TOTP device (a new random key unless one is given). Replaces any earlier device."""
    TOTPDevice.objects.filter(user=user).delete()
    fields: dict[str, Any] = {"user": user, "name": "authenticator", "confirmed": confirmed}
    if key_hex:
        fields["key"] = key_hex
    device = TOTPDevice.objects.create(**fields)
    record(actor=by, verb="mfa.enrolled", subject=user, after={"device": device.pk, "confirmed": confirmed})
    return device


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now (for tests and the demo's console hint)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
