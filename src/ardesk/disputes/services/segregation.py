"""Locks, and the disputed-amount cache on invoices.

Lock order, everywhere in this app: disputes (by primary key) before invoices (by primary key);
the ledger services called from here then lock their credit memos before the invoices we already hold.
`Invoice.disputed_amount` is recomputed from the items of open disputes under the invoice lock, in the
transaction that changed them, so collectible = open − disputed is right the moment it commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.disputes.models import Dispute, DisputeItem
from ardesk.disputes.workflow import OPEN_STATES
from ardesk.errors import NotFound, StaleVersion
from ardesk.ledger import locks
from ardesk.ledger.models import Invoice

ZERO = Decimal(0)
OPEN = [s.value for s in OPEN_STATES]


def lock_dispute(pk: int) -> Dispute:
    dispute = Dispute.objects.select_for_update().filter(pk=pk).first()
    if dispute is None:
        raise NotFound("no such dispute")
    return dispute


def lock_disputes(pks: Iterable[int]) -> list[Dispute]:
    wanted = sorted(set(pks))
    found = list(Dispute.objects.filter(pk__in=wanted).order_by("pk").select_for_update())
    if len(found) != len(wanted):
        raise NotFound("no such dispute")
    return found


def check_version(dispute: Dispute, version: int | None) -> None:
    """Refuse a change made on a page that was loaded before someone else's change."""
    if version is not None and version != dispute.version:
        raise StaleVersion(expected=version, actual=dispute.version)


def touch(dispute: Dispute, fields: Sequence[str]) -> None:
    dispute.version += 1
    dispute.updated_at = timezone.now()
    dispute.save(update_fields=[*fields, "version", "updated_at"])


def lock_invoices_of(dispute: Dispute) -> list[Invoice]:
    ids = dispute.items.values_list("invoice_id", flat=True).distinct()
    return locks.lock_invoices(ids)


def open_disputed(invoice_ids: Iterable[int]) -> dict[int, Decimal]:
    """Σ outstanding (amount − accepted) of open disputes' items, per invoice."""
    rows = (DisputeItem.objects.filter(invoice_id__in=list(invoice_ids), dispute__status__in=OPEN)
            .values("invoice_id").annotate(total=Sum(F("amount") - F("accepted_amount")))
            .values_list("invoice_id", "total"))
    return {invoice_id: total or ZERO for invoice_id, total in rows}


def refresh_disputed(invoice_ids: Iterable[int], *, dispute: Dispute, by: Any) -> None:
    """Set each invoice's disputed amount from its open disputes, auditing every change.

    The invoices are (re)locked and re-read here: a ledger service called before may have moved them.
    """
    invoices = locks.lock_invoices(invoice_ids)
    totals = open_disputed(inv.pk for inv in invoices)
    for invoice in invoices:
        new = totals.get(invoice.pk, ZERO)
        if invoice.disputed_amount == new:
            continue
        before = {"disputed_amount": invoice.disputed_amount}
        invoice.disputed_amount = new
        invoice.version += 1
        invoice.updated_at = timezone.now()
        invoice.save(update_fields=["disputed_amount", "version", "updated_at"])
        record(actor=by, verb="invoice.disputed_amount_changed", subject=invoice, before=before,
               after={"disputed_amount": new, "collectible_amount": invoice.collectible_amount,
                      "dispute": dispute.number})
