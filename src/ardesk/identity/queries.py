"""Reads for the identity pages and the `users` command."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ardesk.identity.models import ApiToken, Team, User


def live_token_filter(prefix: str = "") -> Q:
    """Tokens that still work: not revoked and not expired."""
    now = timezone.now()
    return Q(**{f"{prefix}revoked_at__isnull": True}) & (
        Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now})
    )


def users_for_administration(*, search: str = "", role: str = "", status: str = "active") -> QuerySet[User]:
    """Users with their team, whether they have an authenticator and how many tokens still work.

    `status` is "active", "inactive" or anything else for both.
    """
    users = User.objects.select_related("team").annotate(
        has_mfa=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        live_tokens=Count("api_tokens", filter=live_token_filter("api_tokens__")),
    )
    if search:
        users = users.filter(Q(username__icontains=search) | Q(email__icontains=search)
                             | Q(first_name__icontains=search) | Q(last_name__icontains=search))
    if role:
        users = users.filter(role=role)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return users.order_by("username")


def teams_overview() -> QuerySet[Team]:
    return Team.objects.select_related("manager").annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
        customer_count=Count("customers", distinct=True),
    ).order_by("name")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def find_tokens_by_prefix(prefix: str) -> QuerySet[ApiToken]:
    """Tokens whose shown prefix starts with `prefix` (the first characters of the secret)."""
    return ApiToken.objects.select_related("user").filter(key_prefix__startswith=prefix.strip())


def sign_in_lockouts(user: User) -> QuerySet[AccessAttempt]:
    """django-axes records that currently lock this username out (one per address and browser)."""
    attempts = AccessAttempt.objects.filter(username=user.get_username(),
                                            failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, timedelta):
        attempts = attempts.filter(attempt_time__gt=timezone.now() - cooloff)
    return attempts.order_by("-attempt_time")
