"""Test helpers for signed-in clients and one-time codes."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ardesk.identity.models import User
from ardesk.identity.steps import mfa_required


def sign_in_fully(client: Client, user: User) -> Client:
    """Sign in and pass the second factor when the user's role (or their own device) asks for one."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    needs = mfa_required(role=user.role, require_mfa_setting=settings.ARDESK_REQUIRE_MFA, has_device=device is not None)
    if needs:
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
