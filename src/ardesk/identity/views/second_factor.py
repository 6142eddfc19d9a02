"""The TOTP step of sign-in, enrolment (required or voluntary) and the account's security overview."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from ardesk.errors import DomainError
from ardesk.identity import mfa
from ardesk.identity.forms import CodeForm
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.queries import live_token_filter, tokens_of
from ardesk.identity.roles import Permission
from ardesk.identity.signin import PENDING_KEY_SESSION_KEY, after_step, is_verified, remember_next
from ardesk.identity.steps import mfa_required


@sensitive_post_parameters("code")
@never_cache
@requires()
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if is_verified(user):
        return redirect(after_step(request))
    if not mfa.has_confirmed_device(user):
        return redirect("identity:mfa_enrol")
    remember_next(request, request.GET.get("next"))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.verify_code(user=user, code=form.cleaned_data["code"], by=user)
        except mfa.CodeRejected as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return redirect(after_step(request))
    return render(request, "identity/mfa_verify.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@requires()
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new secret (QR and text) and store it only once a code from the app matches it."""
    user = acting_user(request)
    if mfa.has_confirmed_device(user) and not is_verified(user):
        # Re-enrolling must never be a way around the authenticator the user already has.
        return redirect("identity:mfa_verify")
    remember_next(request, request.GET.get("next"))
    stored = request.session.get(PENDING_KEY_SESSION_KEY)
    if mfa.is_valid_key(stored):
        key = stored
    else:
        key = mfa.new_key_hex()
        request.session[PENDING_KEY_SESSION_KEY] = key
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.confirm_enrolment(user=user, key_hex=key, code=form.cleaned_data["code"],
                                           by=user)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[PENDING_KEY_SESSION_KEY]
            otp_login(request, device)
            messages.success(request, "Your authenticator app is set up. ardesk will ask for a code at each sign-in.")
            return redirect(after_step(request))
    uri = mfa.provisioning_uri(user, key)
    return render(request, "identity/mfa_enrol.html", {
        "form": form,
        "qr_svg": mfa.qr_svg(uri),
        "secret": mfa.base32_secret(key),
        "required": mfa_required(role=user.role, require_mfa_setting=settings.ARDESK_REQUIRE_MFA,
                                 has_device=False),
        "replacing": mfa.has_confirmed_device(user),
    })


@never_cache
@requires()
def account(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(request, "identity/account.html", {
        "has_mfa": mfa.has_confirmed_device(user),
        "mfa_required": mfa_required(role=user.role, require_mfa_setting=settings.ARDESK_REQUIRE_MFA,
                                     has_device=False),
        "live_tokens": tokens_of(user).filter(live_token_filter()).count(),
        "can_manage_users": user.may(Permission.MANAGE_USERS),
    })
