"""Template helpers of the dispute pages, and the dispute panel the invoice and account pages include."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from ardesk.disputes.models import Dispute
from ardesk.disputes.queries import OPEN
from ardesk.identity.roles import Permission

register = template.Library()

PANEL_LIMIT = 10


@register.filter
def share(weight: Decimal) -> str:
    """A SKU's share of an item as people read it: "75 %", "33.3 %"."""
    percent = (Decimal(weight) * 100).quantize(Decimal("0.1"))
    return f"{percent.normalize():f} %" if percent == percent.to_integral() else f"{percent:f} %"


@register.simple_tag(takes_context=True)
def query_without(context: template.Context, *names: str) -> str:
    """The current query string without the named parameters (and back to page 1)."""
    params = context["request"].GET.copy()
    for name in (*names, "page"):
        params.pop(name, None)
    return str(params.urlencode())


@register.inclusion_tag("disputes/_related.html", takes_context=True)
def related_disputes(context: template.Context, invoice: Any = None, customer: Any = None) -> dict[str, Any]:
    """Open disputes of an invoice (or of an account), with a "Raise dispute" link for those who may.

    The page including it has already checked that the user may see the invoice or customer.
    """
    user = context.get("user") or context["request"].user
    if invoice is not None:
        rows = Dispute.objects.filter(items__invoice=invoice, status__in=OPEN).distinct()
        may_raise = invoice.collectible_amount > 0
        customer_pk = invoice.customer_id
    else:
        rows = Dispute.objects.filter(customer=customer, status__in=OPEN)
        may_raise = True
        customer_pk = customer.pk
    rows = rows.select_related("reason_code", "owner").order_by("sla_due", "pk")
    shown = list(rows[:PANEL_LIMIT + 1])
    return {
        "disputes": shown[:PANEL_LIMIT],
        "more": len(shown) > PANEL_LIMIT,
        "invoice": invoice,
        "customer_pk": customer_pk,
        "may_raise": may_raise and getattr(user, "may", lambda p: False)(Permission.RAISE_DISPUTES),
    }
