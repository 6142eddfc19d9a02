"""The columns of each kind of import: name, whether required, how a cell is read, what blank means.

Pure: no Django import. Both import engines (the PostgreSQL bulk path and
the portable Python path) and the documentation read their columns from here,
so they accept and refuse exactly the same cells.

A column left out of the file leaves that field alone on rows that already
exist (new rows get the default); a blank cell in a column that is present
sets the field to its default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ardesk.imports import parsing as p
from ardesk.imports.report import Kind

Parse = Callable[[object, dict[str, Any]], Any]

# The choices of the models, repeated here so this module stays pure (a test keeps them equal).
CONTACT_ROLES = {"billing": "Billing", "accounts_payable": "Accounts payable", "purchasing": "Purchasing",
                 "management": "Management", "legal": "Legal", "other": "Other"}
CHANNELS = {"email": "Email", "phone": "Phone", "letter": "Letter", "portal": "Portal"}
PAYMENT_METHODS = {"wire": "Wire transfer", "sepa": "SEPA credit transfer", "ach": "ACH", "check": "Cheque",
                   "card": "Card", "direct_debit": "Direct debit", "other": "Other"}
ZERO = Decimal(0)


@dataclass(frozen=True)
class Column:
    """One column of a file. `field` is the model field it fills (None: a reference or a derived value)."""

    name: str
    parse: Parse
    help: str
    required: bool = False
    blank: Any = ""
    field: str | None = None
    refers_to: str | None = None  # "customer", "invoice", "user", "team": resolved against ardesk's data
    db: str = "text"  # the SQL type of the read value: text, date, numeric, bigint, boolean


@dataclass(frozen=True)
class Spec:
    kind: Kind
    entity: str  # the singular noun used in messages and audit verbs
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


class TextCell:
    """Free text up to `limit` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, raw: object, row: dict[str, Any]) -> str:
        return p.text(raw, self.limit)


class MoneyCell:
    """An amount in the currency named by another column of the row (or checked later, when None)."""

    def __init__(self, sign: str, currency_column: str | None = "currency") -> None:
        self.sign, self.currency_column = sign, currency_column

    def __call__(self, raw: object, row: dict[str, Any]) -> Any:
        currency = row.get(self.currency_column) if self.currency_column else None
        return p.money(raw, currency, sign=self.sign)


class DateCell:
    def __call__(self, raw: object, row: dict[str, Any]) -> Any:
        return p.a_date(raw)


class CurrencyCell:
    def __call__(self, raw: object, row: dict[str, Any]) -> str:
        return p.currency(raw)


def _text(limit: int) -> Parse:
    return TextCell(limit)


def _money(sign: str, currency_column: str | None = "currency") -> Parse:
    return MoneyCell(sign, currency_column)


_date = DateCell()
_currency = CurrencyCell()


def _flag(raw: object, row: dict[str, Any]) -> bool:
    return p.flag(raw)


def _choice(choices: dict[str, str]) -> Parse:
    return lambda raw, row: p.choice(raw, choices)


def _db_type(parse: Parse) -> str:
    if isinstance(parse, DateCell):
        return "date"
    if isinstance(parse, MoneyCell):
        return "numeric"
    return "boolean" if parse is _flag else "text"


def C(name: str, parse: Parse, help: str, *, required: bool = False, blank: Any = "",
      field: str | None = "", refers_to: str | None = None, db: str | None = None) -> Column:
    return Column(name=name, parse=parse, help=help, required=required, blank=blank,
                  field=name if field == "" else field, refers_to=refers_to, db=db or _db_type(parse))


CUSTOMERS = Spec(Kind.CUSTOMERS, "customer", (
    C("customer_number", _text(40), "the customer's number in the ERP (key)", required=True, field="number"),
    C("name", _text(200), "trading name", required=True),
    C("legal_name", _text(200), "registered name"),
    C("parent_number", _text(40), "number of the parent customer (in ardesk or in this file)",
      blank=None, field=None, refers_to="customer"),
    C("country", lambda raw, row: p.country(raw), "ISO 3166 two-letter code, such as DE"),
    C("currency", _currency, "ISO 4217 code of the account, such as EUR", required=True),
    C("language", lambda raw, row: p.language(raw), "language of letters and reminders, such as en, de",
      blank="en"),
    C("time_zone", lambda raw, row: p.time_zone(raw), "IANA time zone, such as Europe/Berlin", blank="UTC"),
    C("payment_terms_days", lambda raw, row: p.integer(raw, 0, 3650), "days from issue to due date",
      blank=30, db="bigint"),
    C("credit_limit", _money("not_negative"), "in the customer's currency", blank=ZERO, db="numeric"),
    C("segment", _text(40), "free text, such as enterprise"),
    C("risk_class", _text(10), "free text, such as A, B, C"),
    C("collector", _text(150), "username of the collector", blank=None, field=None, refers_to="user"),
    C("team", _text(100), "name of the team", blank=None, field=None, refers_to="team"),
    C("do_not_contact", _flag, "true to stop reminders", blank=False),
), key=("customer_number",))

CONTACTS = Spec(Kind.CONTACTS, "contact", (
    C("customer_number", _text(40), "number of the customer (key, with email)", required=True, field=None,
      refers_to="customer"),
    C("name", _text(200), "the contact's name", required=True),
    C("email", lambda raw, row: p.email(raw), "email address (key, with customer_number); stored in lower case",
      required=True),
    C("phone", _text(40), "phone number"),
    C("role", _choice(CONTACT_ROLES), f"one of {', '.join(CONTACT_ROLES)}", blank="billing"),
    C("preferred_channel", _choice(CHANNELS), f"one of {', '.join(CHANNELS)}", blank="email"),
    C("is_primary", _flag, "true for the main contact", blank=False),
), key=("customer_number", "email"))

INVOICES = Spec(Kind.INVOICES, "invoice", (
    C("invoice_number", _text(40), "the invoice's number in the ERP (key)", required=True, field="number"),
    C("customer_number", _text(40), "number of the customer", required=True, field=None, refers_to="customer"),
    C("issue_date", _date, "date", required=True),
    C("due_date", _date, "date, not before issue_date", required=True),
    C("currency", _currency, "ISO 4217 code", required=True),
    C("amount", _money("not_negative"), "gross amount, in the invoice's currency", required=True, db="numeric"),
    C("open_amount", _money("not_negative"),
      "what is still open in the ERP, at most the amount; blank: all of it", blank=None, field=None,
      db="numeric"),
    C("tax_amount", _money("any"), "tax included in the amount", blank=ZERO, db="numeric"),
    C("po_number", _text(60), "the customer's purchase order"),
    C("sales_rep", _text(100), "free text"),
    C("description", _text(300), "free text"),
), key=("invoice_number",))

INVOICE_LINES = Spec(Kind.INVOICE_LINES, "invoice line", (
    C("invoice_number", _text(40), "number of the invoice (key, with line_no)", required=True, field=None,
      refers_to="invoice"),
    C("line_no", lambda raw, row: p.integer(raw, 1, 1_000_000), "1, 2, 3 … (key, with invoice_number)",
      required=True, db="bigint"),
    C("sku", _text(60), "article number"),
    C("description", _text(300), "free text"),
    C("quantity", lambda raw, row: p.decimal(raw, places=4, max_whole_digits=14), "up to 4 decimals",
      required=True, db="numeric"),
    C("unit_price", lambda raw, row: p.decimal(raw, places=4, max_whole_digits=14), "net, up to 4 decimals",
      required=True, db="numeric"),
    C("tax_amount", _money("any", None), "in the invoice's currency", blank=ZERO, db="numeric"),
), key=("invoice_number", "line_no"))

CREDIT_MEMOS = Spec(Kind.CREDIT_MEMOS, "credit memo", (
    C("credit_memo_number", _text(40), "the credit memo's number in the ERP (key)", required=True,
      field="number"),
    C("customer_number", _text(40), "number of the customer", required=True, field=None, refers_to="customer"),
    C("issue_date", _date, "date", required=True),
    C("currency", _currency, "ISO 4217 code", required=True),
    C("amount", _money("positive"), "greater than zero", required=True, db="numeric"),
    C("reason", _text(300), "free text"),
    C("invoice_number", _text(40), "the invoice it credits, if any (same currency)", blank=None, field=None,
      refers_to="invoice"),
), key=("credit_memo_number",))

PAYMENTS = Spec(Kind.PAYMENTS, "payment", (
    C("payment_number", _text(60), "the payment's number in the ERP (key)", required=True, field="number"),
    C("customer_number", _text(40), "number of the paying customer", required=True, field=None,
      refers_to="customer"),
    C("received_on", _date, "date", required=True),
    C("currency", _currency, "ISO 4217 code", required=True),
    C("amount", _money("positive"), "greater than zero", required=True, db="numeric"),
    C("method", _choice(PAYMENT_METHODS), f"one of {', '.join(PAYMENT_METHODS)}", blank="wire"),
    C("bank_reference", _text(140), "free text"),
), key=("payment_number",))

FX_RATES = Spec(Kind.FX_RATES, "FX rate", (
    C("currency", _currency, "ISO 4217 code (key, with rate_date)", required=True),
    C("rate_date", _date, "date (key, with currency)", required=True),
    C("rate", lambda raw, row: p.decimal(raw, places=10, max_whole_digits=10, positive=True),
      "units of the company currency for one unit of `currency`, up to 10 decimals", required=True,
      db="numeric"),
), key=("currency", "rate_date"))

SPECS: dict[Kind, Spec] = {s.kind: s for s in (
    CUSTOMERS, CONTACTS, INVOICES, INVOICE_LINES, CREDIT_MEMOS, PAYMENTS, FX_RATES)}


def spec_for(kind: str) -> Spec:
    return SPECS[Kind(kind)]
