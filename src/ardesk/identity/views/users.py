"""Administration of users: list, create, change role/team/limit, (de)activate, reset MFA, passwords."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ardesk.errors import DomainError
from ardesk.identity import mfa, services
from ardesk.identity.forms import ROLE_CHOICES, ReasonForm, TemporaryPasswordForm, UserCreateForm, UserEditForm
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.models import User
from ardesk.identity.queries import sign_in_lockouts, tokens_of, users_for_administration
from ardesk.identity.roles import Permission

PAGE_SIZE = 50


@never_cache
@requires(Permission.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "active")
    page = Paginator(users_for_administration(search=search, role=role, status=status), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "identity/user_list.html", {
        "page": page, "q": search, "role": role, "status": status, "roles": ROLE_CHOICES,
    })


@sensitive_post_parameters("password")
@never_cache
@requires(Permission.MANAGE_USERS)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                username=data["username"], password=data["password"], password_is_temporary=True,
                role=data["role"], email=data["email"], first_name=data["first_name"],
                last_name=data["last_name"], team=data["team"], approval_limit=data["approval_limit"],
                by=acting_user(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"User {user.username} is created. They choose their own password "
                                      "at first sign-in.")
            return redirect("identity:user_detail", pk=user.pk)
    return render(request, "identity/user_create.html", {"form": form})


def _detail(request: HttpRequest, user: User, *, edit_form: UserEditForm | None = None,
            password_form: TemporaryPasswordForm | None = None, status: int = 200) -> HttpResponse:
    return render(request, "identity/user_detail.html", {
        "subject": user,
        "edit_form": edit_form or UserEditForm(initial={"role": user.role, "team": user.team,
                                                        "approval_limit": user.approval_limit}),
        "password_form": password_form or TemporaryPasswordForm(),
        "reason_form": ReasonForm(),
        "has_mfa": mfa.has_confirmed_device(user),
        "tokens": tokens_of(user),
        "lockouts": sign_in_lockouts(user),
    }, status=status)


@never_cache
@requires(Permission.MANAGE_USERS)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The user's page; POST saves role, team and approval limit (each change its own audit event)."""
    user = get_object_or_404(User.objects.select_related("team"), pk=pk)
    if request.method != "POST":
        return _detail(request, user)
    form = UserEditForm(request.POST)
    if not form.is_valid():
        return _detail(request, user, edit_form=form, status=400)
    by = acting_user(request)
    try:
        user = services.update_user(user=user, role=form.cleaned_data["role"], team=form.cleaned_data["team"],
                                    approval_limit=form.cleaned_data["approval_limit"], by=by)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _detail(request, get_object_or_404(User, pk=pk), edit_form=form, status=400)
    messages.success(request, f"{user.username} is saved.")
    return redirect("identity:user_detail", pk=user.pk)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    by = acting_user(request)
    reason = request.POST.get("reason", "").strip()[:500]
    try:
        if action == "deactivate":
            services.deactivate_user(user=user, by=by, reason=reason)
            messages.success(request, f"{user.username} is deactivated and their API tokens are revoked.")
        elif action == "reactivate":
            services.reactivate_user(user=user, by=by, reason=reason)
            messages.success(request, f"{user.username} is active again.")
        elif action == "reset_mfa":
            mfa.reset_mfa(user=user, by=by, reason=reason)
            messages.success(request, f"{user.username}'s authenticator is removed; they enrol again at next sign-in.")
        elif action == "unlock":
            services.unlock_sign_in(user=user, by=by)
            messages.success(request, f"{user.username} may try to sign in again.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("identity:user_detail", pk=user.pk)


@require_POST
@requires(Permission.MANAGE_USERS)
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "deactivate")


@require_POST
@requires(Permission.MANAGE_USERS)
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reactivate")


@require_POST
@requires(Permission.MANAGE_USERS)
def user_reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reset_mfa")


@require_POST
@requires(Permission.MANAGE_USERS)
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "unlock")


@sensitive_post_parameters("password")
@require_POST
@requires(Permission.MANAGE_USERS)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User.objects.select_related("team"), pk=pk)
    form = TemporaryPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.set_temporary_password(user=user, password=form.cleaned_data["password"],
                                            by=acting_user(request))
        except DomainError as exc:
            form.add_error("password", exc.message)
        else:
            messages.success(request, f"{user.username} has a temporary password and must replace it at sign-in.")
            return redirect("identity:user_detail", pk=user.pk)
    return _detail(request, user, password_form=form, status=400)
