"""TOTP second factor (django-otp): enrolment, verification and reset, each audited.

Enrolment keeps the new key in the user's session until a code proves the authenticator app holds
it; only then is a confirmed device written (replacing any earlier one). So an abandoned enrolment
leaves nothing behind, and re-enrolling never drops a working device before the new one works.
"""

from __future__ import annotations

import re
from base64 import b32encode
from binascii import Error as BinasciiError
from binascii import unhexlify
from typing import Any, TypeGuard

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from ardesk.audit.services import record
from ardesk.errors import DomainError
from ardesk.identity.models import User

# Codes one step (30 s) either side of the server's clock are accepted: phones drift.
TOLERANCE_STEPS = 1
_CODE = re.compile(r"^\d{6}$")


class CodeRejected(DomainError):
    """A wrong, reused or throttled code. `retry_after` is set (in seconds) when guessing is paused."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message, field="code")
        self.retry_after = retry_after


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


def code_for_key(key_hex: str, *, at: float | None = None) -> str:
    """The code for a raw key at a moment (now by default): what the user's app would show."""
    totp = TOTP(unhexlify(key_hex))
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def new_key_hex() -> str:
    """A fresh 160-bit secret, hex-encoded as django-otp stores it."""
    return str(default_key())


def is_valid_key(key_hex: object) -> TypeGuard[str]:
    if not isinstance(key_hex, str) or len(key_hex) != 40:
        return False
    try:
        unhexlify(key_hex)
    except (BinasciiError, ValueError):
        return False
    return True


def base32_secret(key_hex: str) -> str:
    """The secret as people type it into an authenticator app: base32, in groups of four."""
    raw = b32encode(unhexlify(key_hex)).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def provisioning_uri(user: User, key_hex: str) -> str:
    """The otpauth:// URI (issuer from OTP_TOTP_ISSUER) that the QR code carries."""
    return str(TOTPDevice(user=user, key=key_hex).config_url)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code, drawn here: the secret never leaves the server for a QR service."""
    qr = segno.make(uri, error="m")
    return str(qr.svg_inline(scale=5, border=2, title="QR code to add ardesk to your authenticator app",
                             svgclass="qr", lineclass=None, dark="#000", light="#fff"))


def normalise_code(code: object) -> str | None:
    """Six digits, tolerating the spaces apps show in the middle; None for anything else."""
    if not isinstance(code, str):
        return None
    compact = re.sub(r"\s", "", code)
    return compact if _CODE.match(compact) else None


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def confirm_enrolment(*, user: User, key_hex: str, code: str, by: Any) -> TOTPDevice:
    """Store the key as the user's confirmed device if `code` proves their app holds it."""
    if not is_valid_key(key_hex):
        raise DomainError("the enrolment expired: start again", field="key")
    token = normalise_code(code)
    totp = TOTP(unhexlify(key_hex))
    if token is None or not totp.verify(int(token), tolerance=TOLERANCE_STEPS):
        raise CodeRejected("that code does not match: check the time on your phone and try the next code")
    device = enrol_totp(user=user, by=by, key_hex=key_hex, confirmed=True)
    # The code just used must not open a second session.
    device.last_t = totp.t()
    device.drift = totp.drift
    device.save(update_fields=["last_t", "drift"])
    return device


@transaction.atomic
def _check_code(*, user: User, token: str | None, by: Any) -> tuple[TOTPDevice | None, int | None]:
    """Verify against the confirmed device under a row lock (so throttling counts every guess)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return None, None
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        wait = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
        return None, wait
    if token is not None and device.verify_token(token):
        record(actor=by, verb="mfa.verified", subject=user, after={"device": device.pk})
        return device, None
    if token is None:
        device.throttle_increment(commit=True)
    record(actor=by, verb="mfa.code_rejected", subject=user,
           after={"device": device.pk, "failures": device.throttling_failure_count})
    return None, None


def verify_code(*, user: User, code: str, by: Any) -> TOTPDevice:
    """The device that accepts `code`, or CodeRejected (wrong, already used, or guessing paused)."""
    device, wait = _check_code(user=user, token=normalise_code(code), by=by)
    if wait is not None:
        raise CodeRejected(f"too many wrong codes: wait {wait} seconds before the next try", retry_after=wait)
    if device is None:
        raise CodeRejected("that code is not right (or was already used): enter the current code from your app")
    return device


@transaction.atomic
def reset_mfa(*, user: User, by: Any, reason: str = "") -> int:
    """Remove every authenticator of a user (a lost phone). Their next sign-in asks them to enrol again."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    record(actor=by, verb="mfa.reset", subject=user, after={"devices_removed": removed}, reason=reason)
    return removed
