"""Who is calling: a personal API token (`Authorization: Bearer <secret>`) or a signed-in session.

Token scopes follow the method: `read` for GET/HEAD/OPTIONS, `write` for everything else; the
import routes ask for `import` instead of `write`. A token without the scope gets a 403 naming
it, an unknown, revoked or expired token a 401. The token itself is the credential, so no second
factor is asked of it; a browser session of a manager or administrator must have passed the TOTP
step, as for pages. Inside a handler `request.auth` is the User and `request.api_token` the
ApiToken (None for a session).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from ardesk.errors import PermissionDenied
from ardesk.identity.models import ApiToken, TokenScope, User
from ardesk.identity.services import authenticate_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


def required_scope(method: str, write_scope: str = TokenScope.WRITE) -> str:
    return TokenScope.READ if method.upper() in SAFE_METHODS else write_scope


def _token(request: HttpRequest, secret: str) -> ApiToken | None:
    """The live token for this secret, looked up once per request (the idempotency guard asks too)."""
    cached: Any = getattr(request, "_apikit_token", _UNSET)
    if cached is _UNSET or cached[0] != secret:
        cached = (secret, authenticate_token(secret) if secret else None)
        request._apikit_token = cached  # type: ignore[attr-defined]
    return cached[1]


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ardk_…`, checked against the token's digest, state and scopes."""

    def __init__(self, *, write_scope: str = TokenScope.WRITE) -> None:
        self.write_scope = write_scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = _token(request, token.strip())
        if found is None:
            return None
        scope = required_scope(request.method or "GET", self.write_scope)
        if scope not in found.scopes:
            raise PermissionDenied(f"this token lacks the '{scope}' scope needed for {request.method}")
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


def _passed_mfa(user: Any) -> bool:
    if not settings.ARDESK_REQUIRE_MFA or not user.needs_mfa:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in user, with Django's CSRF check for unsafe methods.

    Ignored when an Authorization header is present: a request that offers a token is judged
    by that token alone, so a bad token is a 401 even in a browser that is signed in.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> User | None:
        if "Authorization" in request.headers:
            return None
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active or not _passed_mfa(user):
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie")
        request.api_token = None  # type: ignore[attr-defined]
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:  # pragma: no cover
        raise NotImplementedError("SessionAuth decides in __call__")


def api_auth(*, write_scope: str = TokenScope.WRITE) -> list[Any]:
    """The authentication an API (or a router that needs another write scope) runs, in order."""
    return [TokenAuth(write_scope=write_scope), SessionAuth()]
