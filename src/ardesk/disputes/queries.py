"""Reads of disputes for pages, API, reports and `ardesk disputes verify`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ardesk.audit.models import AuditEvent
from ardesk.audit.queries import history
from ardesk.disputes.models import Dispute, DisputeItem
from ardesk.disputes.workflow import OPEN_STATES
from ardesk.identity.scoping import customer_filter
from ardesk.ledger.models import Invoice
from ardesk.ledger.queries import CacheMismatch
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS, ZERO

_MONEY = DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)
OPEN = [s.value for s in OPEN_STATES]


def visible_disputes(user: Any) -> QuerySet[Dispute]:
    """Disputes of the customers the user may see."""
    return Dispute.objects.filter(customer_filter(user, prefix="customer__"))


def open_disputes(user: Any) -> QuerySet[Dispute]:
    """The analyst's queue: open disputes, the ones whose SLA ends first on top."""
    return (visible_disputes(user).filter(status__in=OPEN).select_related("customer", "reason_code", "owner")
            .order_by("sla_due", "-priority", "pk"))


def timeline(dispute: Dispute) -> QuerySet[AuditEvent]:
    """Everything that happened to the dispute, newest first: the audit log is the timeline."""
    return history(dispute)


def _open_disputed_subquery() -> Coalesce:
    sub = (DisputeItem.objects.filter(invoice=OuterRef("pk"), dispute__status__in=OPEN).order_by()
           .values("invoice").annotate(total=Sum(F("amount") - F("accepted_amount"))).values("total"))
    return Coalesce(Subquery(sub, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def disputed_cache_mismatches() -> list[CacheMismatch]:
    """Invoices whose cached disputed amount differs from their open disputes (empty when sound)."""
    rows = Invoice.objects.annotate(computed=_open_disputed_subquery()).exclude(disputed_amount=F("computed"))
    return [CacheMismatch("invoice disputed amount", inv.number, inv.disputed_amount, Decimal(inv.computed),
                          currency=inv.currency)
            for inv in rows]
