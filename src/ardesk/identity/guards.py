"""Reusable guards for function views: sign-in, role permission and customer scope.

Other apps import `requires` and `customer_or_404` (and `scoped_or_404` for rows that hang off a
customer). A missing permission is a 403 page; an object outside the user's scope is a 404, so a
guessed id never reveals that it exists. The MFA step is enforced separately by
`ardesk.identity.middleware.MfaRequiredMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse

from ardesk.customers.models import Customer
from ardesk.errors import NotFound
from ardesk.identity.models import User
from ardesk.identity.roles import Permission
from ardesk.identity.scoping import customer_filter, get_visible_customer

ViewFunc = Callable[..., HttpResponseBase]  # HttpResponse or StreamingHttpResponse
M = TypeVar("M", bound=Model)

FORBIDDEN_TEMPLATE = "identity/forbidden.html"


def acting_user(request: HttpRequest) -> User:
    """`request.user` as ardesk's User, for code behind `requires` (which has checked the sign-in)."""
    return cast(User, request.user)


def forbidden(request: HttpRequest, permission: Permission | None = None) -> HttpResponse:
    """The 403 page: says what is missing in words, without a stack trace."""
    return TemplateResponse(request, FORBIDDEN_TEMPLATE, {"permission": permission}, status=403)


def requires(*permissions: Permission) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a function view: sign-in required, then every named permission (403 page otherwise).

    `@requires()` with no permission only asks for a signed-in, active user.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated or not user.is_active:
                return redirect_to_login(request.get_full_path())
            for permission in permissions:
                if not user.may(permission):
                    return forbidden(request, permission)
            return view(request, *args, **kwargs)

        wrapped.required_permissions = permissions  # type: ignore[attr-defined]
        return wrapped

    return decorator


def customer_or_404(user: Any, pk: Any) -> Customer:
    """The customer with this primary key if the user may see it; Http404 otherwise (also for a bad pk)."""
    try:
        return get_visible_customer(user, pk=int(pk))
    except (NotFound, TypeError, ValueError) as exc:
        raise Http404("no such customer") from exc


def scoped_or_404(queryset: QuerySet[M], user: Any, *, via: str = "customer", **lookup: Any) -> M:
    """One row of `queryset` that belongs to a customer the user may see (through the `via` relation).

    Example: `scoped_or_404(Invoice.objects.all(), request.user, pk=pk)`.
    """
    prefix = f"{via}__" if via else ""
    row = queryset.filter(customer_filter(user, prefix=prefix)).filter(**lookup).first()
    if row is None:
        raise Http404("not found")
    return row
