"""Role and scope checks for API handlers: a missing permission is a 403, an unseen object a 404."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ardesk.errors import NotFound, PermissionDenied
from ardesk.identity.models import User
from ardesk.identity.roles import Permission
from ardesk.identity.scoping import customer_filter

M = TypeVar("M", bound=Model)


def caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def require(request: HttpRequest, permission: Permission) -> User:
    """The caller, if their role grants `permission`; PermissionDenied (403) otherwise."""
    user = caller(request)
    if not user.may(permission):
        raise PermissionDenied(f"the role {user.role_label} does not grant {permission.value}")
    return user


def visible(queryset: QuerySet[M], user: Any, *, via: str = "customer") -> QuerySet[M]:
    """Rows whose customer (reached through `via`; "" for customers themselves) the user may see."""
    return queryset.filter(customer_filter(user, prefix=f"{via}__" if via else ""))


def get_or_404(queryset: QuerySet[M], *, what: str, field: str | None = None, **lookup: Any) -> M:
    """One row of an already scoped queryset, or NotFound naming the body field that pointed at it."""
    row = queryset.filter(**lookup).first()
    if row is None:
        raise NotFound(f"no such {what}", field=field)
    return row


def get_visible(queryset: QuerySet[M], user: Any, *, what: str, via: str = "customer", field: str | None = None,
                **lookup: Any) -> M:
    """One visible row, or NotFound: a row outside the user's scope looks exactly like a missing one."""
    return get_or_404(visible(queryset, user, via=via), what=what, field=field, **lookup)
