"""A plain-Python model of the ledger: what each service call should do, written independently of ardesk.

The stateful test drives the real services and this model side by side; the model decides whether a call
must succeed or which DomainError it must raise, and what every balance must be afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ardesk.errors import DomainError
from ardesk.ledger.rules import AlreadyReversed, OverApplication, OverSettlement, UnrelatedCustomers
from ardesk.money import CurrencyMismatch, InvalidAmount

# ISO 4217 minor units, written out here so the model does not lean on ardesk.money.
MINOR_UNITS = {"EUR": 2, "JPY": 0, "KWD": 3}
ZERO = Decimal(0)


def unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS[currency])


def at_minor_unit(value: Decimal, currency: str) -> bool:
    return value == value.quantize(unit(currency))


def bookable(value: object, currency: str) -> bool:
    """An amount a service may book: an exact, finite, positive number with nothing below the minor unit."""
    if isinstance(value, (bool, float)):
        return False
    number = Decimal(value) if isinstance(value, (int, str)) else value
    return isinstance(number, Decimal) and number.is_finite() and number > 0 and at_minor_unit(number, currency)


@dataclass
class Doc:
    """An invoice (balance = open amount) or a payment or credit memo (balance = unapplied amount)."""

    pk: int
    number: str
    customer: int
    currency: str
    amount: Decimal
    balance: Decimal


@dataclass
class Entry:
    """An application (with a source) or a write-off (without); a reversal points at what it reverses."""

    pk: int
    invoice: int
    amount: Decimal
    source: tuple[str, int] | None = None
    reverses: int | None = None
    reversed: bool = False


@dataclass
class LedgerModel:
    parents: dict[int, int | None] = field(default_factory=dict)
    invoices: dict[int, Doc] = field(default_factory=dict)
    sources: dict[tuple[str, int], Doc] = field(default_factory=dict)
    applications: dict[int, Entry] = field(default_factory=dict)
    write_offs: dict[int, Entry] = field(default_factory=dict)
    events: int = 0  # audit events every successful call must have written

    def pays_for(self, payer: int, invoiced: int) -> bool:
        """The payer is the invoiced customer or one of its ancestors."""
        current: int | None = invoiced
        while current is not None:
            if current == payer:
                return True
            current = self.parents[current]
        return False

    # --- what a call must raise (None: it must succeed) -----------------------------------------------

    def application_error(self, source: Doc, invoice: Doc, amount: object) -> type[DomainError] | None:
        if not bookable(amount, invoice.currency):
            return InvalidAmount
        if not self.pays_for(source.customer, invoice.customer):
            return UnrelatedCustomers
        if source.currency != invoice.currency:
            return CurrencyMismatch
        assert isinstance(amount, Decimal)
        if amount > source.balance:
            return OverApplication
        if amount > invoice.balance:
            return OverSettlement
        return None

    def write_off_error(self, invoice: Doc, amount: object, reason_code: str) -> type[DomainError] | None:
        if not reason_code.strip():
            return DomainError
        if not bookable(amount, invoice.currency):
            return InvalidAmount
        assert isinstance(amount, Decimal)
        return OverSettlement if amount > invoice.balance else None

    @staticmethod
    def reversal_error(entry: Entry, reason: str) -> type[DomainError] | None:
        if not reason.strip():
            return DomainError
        if entry.reverses is not None or entry.reversed:
            return AlreadyReversed
        return None

    # --- what a successful call changes -----------------------------------------------------------------

    def applied(self, pk: int, source: Doc, invoice: Doc, amount: Decimal) -> None:
        source.balance -= amount
        invoice.balance -= amount
        self.applications[pk] = Entry(pk, invoice.pk, amount, source=self.key_of(source))
        self.events += 1

    def application_reversed(self, pk: int, original: Entry) -> None:
        assert original.source is not None
        original.reversed = True
        self.sources[original.source].balance += original.amount
        self.invoices[original.invoice].balance += original.amount
        self.applications[pk] = Entry(pk, original.invoice, -original.amount, original.source, reverses=original.pk)
        self.events += 1

    def written_off(self, pk: int, invoice: Doc, amount: Decimal) -> None:
        invoice.balance -= amount
        self.write_offs[pk] = Entry(pk, invoice.pk, amount)
        self.events += 1

    def write_off_reversed(self, pk: int, original: Entry) -> None:
        original.reversed = True
        self.invoices[original.invoice].balance += original.amount
        self.write_offs[pk] = Entry(pk, original.invoice, -original.amount, reverses=original.pk)
        self.events += 1

    def key_of(self, source: Doc) -> tuple[str, int]:
        return next(key for key, doc in self.sources.items() if doc is source)
