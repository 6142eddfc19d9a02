"""The values an import computes rather than copies: ERP settlement, open and unapplied amounts.

Pure: no Django import. The Python engine calls these; the SQL engine
computes the same in SQL, and the tests hold the two to the same results.

    erp_settled = amount - open_amount (from the file; 0 when blank)
    open        = amount - erp_settled - settled_in_ardesk
    settled_in_ardesk = old amount - old erp_settled - old open   (applications and write-offs)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class InvoiceMoney:
    erp_settled_amount: Decimal
    erp_settled_on: date | None
    open_amount: Decimal
    settled_in_ardesk: Decimal


@dataclass(frozen=True)
class OldInvoice:
    amount: Decimal
    erp_settled_amount: Decimal
    erp_settled_on: date | None
    open_amount: Decimal


def invoice_money(*, amount: Decimal, file_open: Decimal | None, has_open_column: bool, old: OldInvoice | None,
                  today: date) -> InvoiceMoney:
    """An invoice's money after the import. Without an open_amount column the ERP settlement is kept."""
    if has_open_column or old is None:
        erp = amount - file_open if has_open_column and file_open is not None else ZERO
    else:
        erp = old.erp_settled_amount
    if old is None:
        return InvoiceMoney(erp, today if erp else None, amount - erp, ZERO)
    settled = old.amount - old.erp_settled_amount - old.open_amount
    on = old.erp_settled_on if erp == old.erp_settled_amount else (today if erp else None)
    return InvoiceMoney(erp, on, amount - erp - settled, settled)


def unapplied_after(*, amount: Decimal, old_amount: Decimal | None, old_unapplied: Decimal | None) -> Decimal:
    """A payment's or credit memo's unapplied amount after its amount changes (all of it when new)."""
    if old_amount is None or old_unapplied is None:
        return amount
    return amount - (old_amount - old_unapplied)
