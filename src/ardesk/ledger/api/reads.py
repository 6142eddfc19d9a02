"""The querysets the ledger routes read through: scoped to the caller, shaped for the schemas."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet

from ardesk.apikit.access import get_visible, visible
from ardesk.ledger.models import Application, CreditMemo, Invoice, InvoiceLine, Payment, WriteOff


# The invoice (for its currency) is prefetched, not joined: a join would make the database sort the
# entries after joining every invoice, instead of taking the first page of entries and then 200 invoices.
def applications() -> QuerySet[Application]:
    return Application.objects.prefetch_related("invoice").annotate(reversal_id=F("reversed_by__id"))


def write_offs() -> QuerySet[WriteOff]:
    return WriteOff.objects.prefetch_related("invoice").annotate(reversal_id=F("reversed_by__id"))


def _with_applications() -> Prefetch:
    return Prefetch("applications", queryset=applications().order_by("applied_on", "pk"), to_attr="application_rows")


def invoices(user: Any) -> QuerySet[Invoice]:
    return visible(Invoice.objects.all(), user)


def invoice_detail(user: Any, pk: int, *, field: str | None = None) -> Invoice:
    rows = Invoice.objects.prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("line_no"),
                 to_attr="line_rows"),
        _with_applications(),
        Prefetch("write_offs", queryset=write_offs().order_by("written_off_on", "pk"), to_attr="write_off_rows"),
    )
    return get_visible(rows, user, what="invoice", field=field, pk=pk)


def credit_memos(user: Any) -> QuerySet[CreditMemo]:
    return visible(CreditMemo.objects.all(), user)


def credit_memo_detail(user: Any, pk: int) -> CreditMemo:
    rows = CreditMemo.objects.prefetch_related(_with_applications())
    return get_visible(rows, user, what="credit memo", pk=pk)


def payments(user: Any) -> QuerySet[Payment]:
    return visible(Payment.objects.all(), user)


def payment_detail(user: Any, pk: int) -> Payment:
    return get_visible(Payment.objects.prefetch_related(_with_applications()), user, what="payment", pk=pk)


def visible_applications(user: Any) -> QuerySet[Application]:
    return visible(applications(), user, via="invoice__customer")


def visible_write_offs(user: Any) -> QuerySet[WriteOff]:
    return visible(write_offs(), user, via="invoice__customer")
