"""Which customers a user may see. Every page, API route and report narrows through here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from ardesk.customers.models import Customer
from ardesk.errors import NotFound
from ardesk.identity.roles import Scope, scope_of


def customer_filter(user: Any, prefix: str = "") -> Q:
    """A Q on Customer (or, with `prefix="customer__"`, on rows that point at one) for the user's scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = scope_of(user.role, see_all=settings.ARDESK_SEE_ALL_CUSTOMERS)
    if scope is Scope.ALL:
        return Q()
    if scope is Scope.PORTFOLIO:
        return Q(**{f"{prefix}collector": user})
    team_ids = set(user.managed_teams.values_list("pk", flat=True))
    if user.team_id:
        team_ids.add(user.team_id)
    return Q(**{f"{prefix}team__in": team_ids})


def visible_customers(user: Any) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_filter(user))


def get_visible_customer(user: Any, **lookup: Any) -> Customer:
    """The customer, or NotFound, never PermissionDenied: a guessed id must not reveal that it exists."""
    customer = visible_customers(user).filter(**lookup).first()
    if customer is None:
        raise NotFound("no such customer")
    return customer
