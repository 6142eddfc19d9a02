"""The ledger's rules as plain functions: what may be applied, written off or reversed.

No Django import: services call these with numbers they read under row locks,
tests call them directly and with hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ardesk.errors import DomainError, ErrorCode
from ardesk.money import CurrencyMismatch

ZERO = Decimal(0)
MAX_GROUP_DEPTH = 20


class OverApplication(DomainError):
    code = ErrorCode.OVER_APPLICATION

    def __init__(self, *, requested: Decimal, available: Decimal) -> None:
        super().__init__(f"cannot apply {requested}: only {available} is unapplied", field="amount")
        self.requested, self.available = requested, available


class OverSettlement(DomainError):
    code = ErrorCode.OVER_SETTLEMENT

    def __init__(self, *, requested: Decimal, open_amount: Decimal) -> None:
        super().__init__(f"cannot settle {requested}: only {open_amount} is open on the invoice", field="amount")
        self.requested, self.open_amount = requested, open_amount


class UnrelatedCustomers(DomainError):
    code = ErrorCode.UNRELATED_CUSTOMERS

    def __init__(self, payer: str, invoiced: str) -> None:
        super().__init__(
            f"customer {payer} cannot settle an invoice of {invoiced}: "
            "only the same customer or one of its parents may",
            field="invoice",
        )


class AlreadyReversed(DomainError):
    code = ErrorCode.ALREADY_REVERSED


def open_amount(amount: Decimal, erp_settled: Decimal, applied: Decimal, written_off: Decimal) -> Decimal:
    """An invoice's open amount from its entries (applied and written_off are signed sums)."""
    return amount - erp_settled - applied - written_off


def check_application(
    *, amount: Decimal, unapplied: Decimal, invoice_open: Decimal, source_currency: str, invoice_currency: str
) -> None:
    if source_currency != invoice_currency:
        raise CurrencyMismatch(source_currency, invoice_currency)
    if amount > unapplied:
        raise OverApplication(requested=amount, available=unapplied)
    if amount > invoice_open:
        raise OverSettlement(requested=amount, open_amount=invoice_open)


def check_write_off(*, amount: Decimal, invoice_open: Decimal) -> None:
    if amount > invoice_open:
        raise OverSettlement(requested=amount, open_amount=invoice_open)


def may_settle_for(payer_id: int, invoiced_id: int, parent_of: Callable[[int], int | None]) -> bool:
    """True when the payer is the invoiced customer or one of its ancestors (a parent pays for its group)."""
    current: int | None = invoiced_id
    for _ in range(MAX_GROUP_DEPTH):
        if current is None:
            return False
        if current == payer_id:
            return True
        current = parent_of(current)
    return False


def check_reversal(*, already_reversed: bool, is_reversal: bool, what: str, field: str = "entry") -> None:
    """`field` names the argument that points at the entry, so a client knows which input was refused."""
    if is_reversal:
        raise AlreadyReversed(f"{what} is itself a reversal and cannot be reversed", field=field)
    if already_reversed:
        raise AlreadyReversed(f"{what} was already reversed", field=field)
