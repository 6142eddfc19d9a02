"""The home page of each role, and the error pages. Thin: every figure comes from a query module."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ardesk.identity.guards import requires
from ardesk.identity.roles import Permission, Role
from ardesk.ledger import queries as ledger
from ardesk.web import dashboards
from ardesk.web import queries as desk


def _collector(request: HttpRequest, as_of: Any) -> dict[str, Any]:
    return {
        "totals": dashboards.portfolio_totals(request.user, as_of=as_of),
        "top_overdue": dashboards.top_overdue_accounts(request.user, as_of=as_of),
    }


def _manager(request: HttpRequest, as_of: Any) -> dict[str, Any]:
    collectors = dashboards.by_collector(request.user, as_of=as_of)
    return {
        "totals": dashboards.add_up(c.figures for c in collectors),
        "by_collector": collectors,
        "top_overdue": dashboards.top_overdue_accounts(request.user, as_of=as_of),
    }


def _analyst(request: HttpRequest, as_of: Any) -> dict[str, Any]:
    return {
        "totals": dashboards.portfolio_totals(request.user, as_of=as_of),
        "disputed_invoices": ledger.most_disputed_invoices(request.user),
    }


def _clerk(request: HttpRequest, as_of: Any) -> dict[str, Any]:
    return {
        "unapplied": ledger.unapplied_for(request.user),
        "recent_payments": ledger.recent_payments(request.user),
    }


def _admin(request: HttpRequest, as_of: Any) -> dict[str, Any]:
    return {
        "overview": desk.admin_overview(),
        "totals": dashboards.portfolio_totals(request.user, as_of=as_of),
    }


def _auditor(request: HttpRequest, as_of: Any) -> dict[str, Any]:
    may_audit = request.user.may(Permission.VIEW_AUDIT)  # type: ignore[union-attr]
    return {
        "totals": dashboards.portfolio_totals(request.user, as_of=as_of),
        "unapplied": ledger.unapplied_for(request.user),
        "audit_events": desk.recent_audit_events() if may_audit else None,
    }


_HOMES = {
    Role.COLLECTOR: ("web/home/collector.html", _collector),
    Role.AR_MANAGER: ("web/home/manager.html", _manager),
    Role.DISPUTE_ANALYST: ("web/home/analyst.html", _analyst),
    Role.CASH_CLERK: ("web/home/clerk.html", _clerk),
    Role.ADMIN: ("web/home/admin.html", _admin),
    Role.AUDITOR: ("web/home/auditor.html", _auditor),
}


@requires()
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on the figures of its own day, scoped to the customers it may see."""
    as_of = timezone.localdate()
    template, build = _HOMES[Role(request.user.role)]  # type: ignore[union-attr]
    context = {"as_of": as_of, **build(request, as_of)}
    return render(request, template, context)
