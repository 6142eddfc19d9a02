"""Sign-in, sign-out and the password change a temporary password calls for."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ardesk.errors import DomainError
from ardesk.identity import services
from ardesk.identity.forms import SignInForm
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.signin import after_step, pending_step, remember_next, safe_next, step_url
from ardesk.identity.steps import Step


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Password first; the middleware then holds the user at the second factor or a new password."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and pending_step(request.user) is Step.DONE:
        return redirect(next_url or reverse("web:home"))
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # A failed or locked-out attempt never gets here: django-axes counts it and may answer instead.
        auth_login(request, form.get_user())
        remember_next(request, next_url)
        return redirect(after_step(request))
    return render(request, "identity/sign_in.html",
                  {"form": form, "next": next_url or "", "failure_limit": settings.AXES_FAILURE_LIMIT})


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' answer to a locked username+address (AXES_LOCKOUT_CALLABLE): a page, status 429."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = math.ceil(cooloff.total_seconds() / 60) if isinstance(cooloff, timedelta) else None
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    response = render(request, "identity/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes, "username": username,
    }, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """POST signs out (a GET only asks, so a link or a prefetch cannot end a session)."""
    if request.method == "POST":
        was_signed_in = request.user.is_authenticated
        auth_logout(request)
        if was_signed_in:
            messages.info(request, "You are signed out.")
        return redirect("web:login")
    if not request.user.is_authenticated:
        return redirect("web:login")
    return render(request, "identity/sign_out.html")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@requires()
def password_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    step = pending_step(user)
    if step in (Step.VERIFY, Step.ENROL):
        return redirect(step_url(step) or "web:home")
    remember_next(request, request.GET.get("next"))
    form = PasswordChangeForm(user, data=request.POST if request.method == "POST" else None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.change_password(user=user, new_password=form.cleaned_data["new_password1"], by=user)
        except DomainError as exc:
            form.add_error("new_password1" if exc.field in (None, "password") else exc.field, exc.message)
        else:
            update_session_auth_hash(request, changed)
            user.refresh_from_db(fields=["password", "must_change_password"])
            messages.success(request, "Your password is changed.")
            return redirect(after_step(request))
    return render(request, "identity/password_change.html",
                  {"form": form, "required": user.must_change_password})
