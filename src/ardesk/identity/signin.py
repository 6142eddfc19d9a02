"""The sign-in sequence for one request: which step is pending, where it is done, where to go after.

The decision itself is pure (`steps.next_step`); this module feeds it from the user, the session and
the settings, so the middleware and the sign-in views agree on every redirect.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ardesk.identity import mfa
from ardesk.identity.steps import Step, mfa_required, next_step

NEXT_SESSION_KEY = "identity_next"
PENDING_KEY_SESSION_KEY = "identity_mfa_pending_key"

STEP_URL_NAMES: dict[Step, str] = {
    Step.VERIFY: "identity:mfa_verify",
    Step.ENROL: "identity:mfa_enrol",
    Step.CHANGE_PASSWORD: "identity:password_change",
}


def is_verified(user: Any) -> bool:
    """Whether this session passed the second factor (django-otp's middleware adds `is_verified`)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def pending_step(user: Any) -> Step:
    """What the signed-in user must still do; DONE when nothing. One small query for unverified users."""
    verified = is_verified(user)
    has_device = verified or mfa.has_confirmed_device(user)
    required = mfa_required(role=user.role, require_mfa_setting=settings.ARDESK_REQUIRE_MFA, has_device=has_device)
    return next_step(mfa_required=required, has_device=has_device, verified=verified,
                     must_change_password=user.must_change_password)


def step_url(step: Step) -> str | None:
    name = STEP_URL_NAMES.get(step)
    return reverse(name) if name else None


def safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """`candidate` if it is a path on this site (never an open redirect to somewhere else)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def remember_next(request: HttpRequest, candidate: str | None) -> None:
    target = safe_next(request, candidate)
    if target:
        request.session[NEXT_SESSION_KEY] = target


def after_step(request: HttpRequest) -> str:
    """Where to send the user once a step is done: the next pending step, else the page they asked for."""
    url = step_url(pending_step(request.user))
    if url:
        return url
    return safe_next(request, request.session.pop(NEXT_SESSION_KEY, None)) or reverse(settings.LOGIN_REDIRECT_URL)
