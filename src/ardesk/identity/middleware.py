"""Hold a signed-in user at their pending sign-in step (second factor, new password) until it is done.

Every page redirects to the step; the session-authenticated API answers 403 with a JSON error. A
request to the API that carries its own credentials (an Authorization header) is let through as
anonymous, so a personal token still works but the half-signed-in session can never stand in for it.
Install after django-otp's OTPMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, reverse

from ardesk.errors import PermissionDenied
from ardesk.identity.signin import pending_step, step_url
from ardesk.identity.steps import Step

API_PREFIX = "/api/"
_ALWAYS_OPEN = ("web:login", "web:logout")

_STEP_MESSAGES = {
    Step.VERIFY: "second factor required: sign in on the web page and enter the code from your authenticator app",
    Step.ENROL: "second factor required: sign in on the web page and set up an authenticator app first",
    Step.CHANGE_PASSWORD: "password change required: sign in on the web page and choose a new password",
}


def _open_paths() -> set[str]:
    paths = set()
    for name in _ALWAYS_OPEN:
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            continue
    return paths


class SignInStepsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._is_open(request.path_info):
            return self.get_response(request)
        step = pending_step(user)
        if step is Step.DONE:
            return self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            if "Authorization" in request.headers:
                request.user = AnonymousUser()
                return self.get_response(request)
            error = PermissionDenied(_STEP_MESSAGES[step]).as_dict()
            return JsonResponse({**error, "step": str(step)}, status=403)
        target = step_url(step) or ""
        if request.path_info == target:
            return self.get_response(request)
        return self._redirect(request, target)

    @staticmethod
    def _is_open(path: str) -> bool:
        return path.startswith(settings.STATIC_URL or "/static/") or path in _open_paths()

    @staticmethod
    def _redirect(request: HttpRequest, target: str) -> HttpResponse:
        if request.method == "GET" and not request.headers.get("HX-Request"):
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the step's page into a fragment: ask it to load the whole page instead.
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
