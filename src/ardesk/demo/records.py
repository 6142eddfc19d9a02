"""The rows a demo load writes, as plain data. Pure.

Generators build records with their primary keys already given (from `Ids`),
so rows that point at each other can be written in bulk without a round trip,
and every cached balance (open and unapplied amounts) is computed here, before
anything is written. Column names are the models' attribute names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

ZERO = Decimal(0)
DEMO_SOURCE = "demo"  # ardesk.ledger.models.Source.DEMO


class Ids:
    """Hands out primary keys per table, starting above what the database already holds."""

    def __init__(self, first: dict[str, int]) -> None:
        self._next = dict(first)

    def take(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value


@dataclass(frozen=True)
class Rows:
    """Rows of one table, ready to write: `rows` are tuples in `columns` order.

    `skip_existing` rows are reference data the database may already hold (FX rates): a row that
    would collide with one already there is left out instead of failing the load.
    """

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    skip_existing: bool = False


@dataclass(slots=True)
class CustomerRec:
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "number", "name", "legal_name", "parent_id", "country", "currency", "language", "time_zone",
        "payment_terms_days", "credit_limit", "segment", "risk_class", "collector_id", "team_id",
        "do_not_contact", "created_at", "updated_at",
    )
    id: int
    number: str
    name: str
    legal_name: str
    parent_id: int | None
    country: str
    currency: str
    language: str
    time_zone: str
    payment_terms_days: int
    credit_limit: Decimal
    segment: str
    risk_class: str
    collector_id: int | None
    team_id: int | None
    do_not_contact: bool
    created_at: datetime
    # Not written: what the generators need to tell this customer's story.
    behaviour: str = ""
    payer_id: int = 0  # who pays this customer's invoices: itself, or the parent of its group
    invoice_count: int = 0
    tax_rate: Decimal = ZERO
    price_adjust: int = 0  # percent on list prices
    run_weekday: int = 4  # the weekday of the payer's payment run
    run_day: int = 25  # the day of the month of a monthly payment run
    sales_rep: str = ""

    def as_row(self) -> tuple[Any, ...]:
        return (self.id, self.number, self.name, self.legal_name, self.parent_id, self.country, self.currency,
                self.language, self.time_zone, self.payment_terms_days, self.credit_limit, self.segment,
                self.risk_class, self.collector_id, self.team_id, self.do_not_contact, self.created_at,
                self.created_at)


@dataclass(slots=True)
class InvoiceRec:
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "number", "customer_id", "issue_date", "due_date", "currency", "amount", "tax_amount",
        "open_amount", "disputed_amount", "po_number", "sales_rep", "description", "source", "version",
        "created_at", "updated_at",
    )
    id: int
    number: str
    customer_id: int
    issue_date: date
    due_date: date
    currency: str
    amount: Decimal
    tax_amount: Decimal
    po_number: str
    sales_rep: str
    description: str
    created_at: datetime
    open_amount: Decimal = ZERO  # set by `GroupBook.settle` from the entries
    disputed_amount: Decimal = ZERO  # kept by the disputes capability when it adds its demo data
    version: int = 1
    updated_at: datetime | None = None
    # Not written: what happened to the invoice ("paid", "short_paid", "disputed", "bad_debt", …), for
    # capabilities that add their own data to the same story (disputes, reminders, promises).
    story: str = ""

    def as_row(self) -> tuple[Any, ...]:
        return (self.id, self.number, self.customer_id, self.issue_date, self.due_date, self.currency, self.amount,
                self.tax_amount, self.open_amount, self.disputed_amount, self.po_number, self.sales_rep,
                self.description, DEMO_SOURCE, self.version, self.created_at, self.updated_at or self.created_at)


LINE_COLUMNS = ("id", "invoice_id", "line_no", "sku", "description", "quantity", "unit_price", "tax_amount", "amount")
CONTACT_COLUMNS = ("id", "customer_id", "name", "email", "phone", "role", "preferred_channel", "is_primary",
                   "created_at", "updated_at")
FX_COLUMNS = ("currency", "rate_date", "rate", "created_at")


@dataclass(slots=True)
class PaymentRec:
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "number", "customer_id", "received_on", "currency", "amount", "unapplied_amount", "method",
        "bank_reference", "source", "version", "created_at",
    )
    id: int
    number: str
    customer_id: int
    received_on: date
    currency: str
    amount: Decimal
    method: str
    bank_reference: str
    created_at: datetime
    unapplied_amount: Decimal = ZERO
    version: int = 1

    def as_row(self) -> tuple[Any, ...]:
        return (self.id, self.number, self.customer_id, self.received_on, self.currency, self.amount,
                self.unapplied_amount, self.method, self.bank_reference, DEMO_SOURCE, self.version, self.created_at)


@dataclass(slots=True)
class CreditMemoRec:
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "number", "customer_id", "invoice_id", "issue_date", "currency", "amount", "unapplied_amount",
        "reason", "source", "version", "created_at",
    )
    id: int
    number: str
    customer_id: int
    invoice_id: int | None
    issue_date: date
    currency: str
    amount: Decimal
    reason: str
    created_at: datetime
    unapplied_amount: Decimal = ZERO
    version: int = 1

    def as_row(self) -> tuple[Any, ...]:
        return (self.id, self.number, self.customer_id, self.invoice_id, self.issue_date, self.currency,
                self.amount, self.unapplied_amount, self.reason, DEMO_SOURCE, self.version, self.created_at)


@dataclass(slots=True)
class ApplicationRec:
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "payment_id", "credit_memo_id", "invoice_id", "amount", "applied_on", "reverses_id", "note",
        "created_by_id", "created_at",
    )
    id: int
    payment_id: int | None
    credit_memo_id: int | None
    invoice_id: int
    amount: Decimal
    applied_on: date
    reverses_id: int | None
    note: str
    created_by_id: int | None
    created_at: datetime

    def as_row(self) -> tuple[Any, ...]:
        return (self.id, self.payment_id, self.credit_memo_id, self.invoice_id, self.amount, self.applied_on,
                self.reverses_id, self.note, self.created_by_id, self.created_at)


@dataclass(slots=True)
class WriteOffRec:
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "invoice_id", "amount", "written_off_on", "reason_code", "reason", "reverses_id", "created_by_id",
        "created_at",
    )
    id: int
    invoice_id: int
    amount: Decimal
    written_off_on: date
    reason_code: str
    reason: str
    created_by_id: int | None
    created_at: datetime
    reverses_id: int | None = None

    def as_row(self) -> tuple[Any, ...]:
        return (self.id, self.invoice_id, self.amount, self.written_off_on, self.reason_code, self.reason,
                self.reverses_id, self.created_by_id, self.created_at)


@dataclass
class GroupBook:
    """Everything generated for one customer group (a parent and its subsidiaries, or one customer).

    Capabilities fill it in turn; a later one may read and adjust what an earlier one put here
    (a dispute sets `disputed_amount` on an invoice) before the book is turned into rows.
    """

    customers: list[CustomerRec]
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    invoices: list[InvoiceRec] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[PaymentRec] = field(default_factory=list)
    credit_memos: list[CreditMemoRec] = field(default_factory=list)
    applications: list[ApplicationRec] = field(default_factory=list)
    write_offs: list[WriteOffRec] = field(default_factory=list)
    # Rows of later capabilities, written after the ledger's, in the order they were added.
    extra: list[Rows] = field(default_factory=list)

    def settle(self) -> None:
        """Compute every cached balance from the entries, as `ardesk ledger verify` will recompute it."""
        applied: dict[int, Decimal] = {}
        by_payment: dict[int, Decimal] = {}
        by_memo: dict[int, Decimal] = {}
        touched: dict[int, int] = {}
        for app in self.applications:
            applied[app.invoice_id] = applied.get(app.invoice_id, ZERO) + app.amount
            touched[app.invoice_id] = touched.get(app.invoice_id, 0) + 1
            if app.payment_id is not None:
                by_payment[app.payment_id] = by_payment.get(app.payment_id, ZERO) + app.amount
            elif app.credit_memo_id is not None:
                by_memo[app.credit_memo_id] = by_memo.get(app.credit_memo_id, ZERO) + app.amount
        for entry in self.write_offs:
            applied[entry.invoice_id] = applied.get(entry.invoice_id, ZERO) + entry.amount
            touched[entry.invoice_id] = touched.get(entry.invoice_id, 0) + 1
        for invoice in self.invoices:
            invoice.open_amount = invoice.amount - applied.get(invoice.id, ZERO)
            invoice.version = 1 + touched.get(invoice.id, 0)
        for payment in self.payments:
            payment.unapplied_amount = payment.amount - by_payment.get(payment.id, ZERO)
        for memo in self.credit_memos:
            memo.unapplied_amount = memo.amount - by_memo.get(memo.id, ZERO)

    def rows(self) -> Iterator[Rows]:
        """Customers, contacts and the ledger in foreign-key order, then the rows later capabilities added."""
        yield Rows("customers.customer", CustomerRec.COLUMNS, [r.as_row() for r in self.customers])
        yield Rows("customers.contact", CONTACT_COLUMNS, self.contacts)
        yield Rows("ledger.invoice", InvoiceRec.COLUMNS, [r.as_row() for r in self.invoices])
        yield Rows("ledger.invoiceline", LINE_COLUMNS, self.lines)
        yield Rows("ledger.payment", PaymentRec.COLUMNS, [r.as_row() for r in self.payments])
        yield Rows("ledger.creditmemo", CreditMemoRec.COLUMNS, [r.as_row() for r in self.credit_memos])
        yield Rows("ledger.application", ApplicationRec.COLUMNS, [r.as_row() for r in self.applications])
        yield Rows("ledger.writeoff", WriteOffRec.COLUMNS, [r.as_row() for r in self.write_offs])
        yield from self.extra
