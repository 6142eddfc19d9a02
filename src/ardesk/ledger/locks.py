"""Row locks, always taken in primary-key order so two clerks wait instead of deadlocking.

Sources (payments, credit memos) are locked before invoices, everywhere.
On SQLite the database-wide write lock does the same job and these are plain reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from ardesk.ledger.models import CreditMemo, Invoice, Payment


def lock_payment(pk: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=pk)


def lock_credit_memo(pk: int) -> CreditMemo:
    return CreditMemo.objects.select_for_update().get(pk=pk)


def lock_invoice(pk: int) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=pk)


def lock_invoices(pks: Iterable[int]) -> list[Invoice]:
    return list(Invoice.objects.filter(pk__in=list(pks)).order_by("pk").select_for_update(of=("self",)))
