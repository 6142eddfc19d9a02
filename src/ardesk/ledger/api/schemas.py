"""What the ledger routes read and write. Money leaves as strings in the document's minor unit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict, model_validator

from ardesk.apikit.fields import (
    Currency,
    Id,
    IsoDate,
    MoneyIn,
    MoneyOut,
    MoneyRow,
    QuantityIn,
    Reason,
    Text40,
    Text60,
    Text100,
    Text140,
    Text300,
)
from ardesk.apikit.pagination import PageQuery
from ardesk.ledger.models import PaymentMethod
from ardesk.money import MAX_AMOUNT

MethodName = Literal["wire", "sepa", "ach", "check", "card", "direct_debit", "other"]
assert set(get_args(MethodName)) == set(PaymentMethod.values)
MAX_LINES = 1000


class InvoiceOut(MoneyRow):
    id: int
    number: str
    customer_id: int
    issue_date: date
    due_date: date
    amount: MoneyOut
    tax_amount: MoneyOut
    erp_settled_amount: MoneyOut
    open_amount: MoneyOut
    disputed_amount: MoneyOut
    collectible_amount: MoneyOut
    status: Literal["open", "overdue", "paid"]
    po_number: str
    sales_rep: str
    description: str
    source: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_status(obj: Any) -> str:
        if obj.open_amount <= 0:
            return "paid"
        return "overdue" if obj.due_date < timezone.localdate() else "open"


class LineOut(MoneyRow):
    line_no: int
    sku: str
    description: str
    quantity: str
    unit_price: str
    tax_amount: MoneyOut
    amount: MoneyOut

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.invoice.currency)

    @staticmethod
    def resolve_quantity(obj: Any) -> str:
        return format(obj.quantity, "f")

    @staticmethod
    def resolve_unit_price(obj: Any) -> str:
        return format(obj.unit_price, "f")


class ApplicationOut(MoneyRow):
    id: int
    invoice_id: int
    payment_id: int | None
    credit_memo_id: int | None
    amount: MoneyOut = Field(description="Negative for a reversal.")
    applied_on: date
    reverses_id: int | None = Field(description="For a reversal: the application it undoes.")
    reversal_id: int | None = Field(description="For an application that was undone: its reversal.")
    note: str
    created_by_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.invoice.currency)

    @staticmethod
    def resolve_reversal_id(obj: Any) -> int | None:
        return getattr(obj, "reversal_id", None)


class WriteOffOut(MoneyRow):
    id: int
    invoice_id: int
    amount: MoneyOut = Field(description="Negative for a reversal.")
    written_off_on: date
    reason_code: str
    reason: str
    reverses_id: int | None
    reversal_id: int | None
    created_by_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.invoice.currency)

    @staticmethod
    def resolve_reversal_id(obj: Any) -> int | None:
        return getattr(obj, "reversal_id", None)


class InvoiceDetailOut(InvoiceOut):
    """The invoice with its lines and every entry that moved its open amount (reversals included)."""

    lines: list[LineOut]
    applications: list[ApplicationOut]
    write_offs: list[WriteOffOut]

    @staticmethod
    def resolve_lines(obj: Any) -> Any:
        return obj.line_rows

    @staticmethod
    def resolve_applications(obj: Any) -> Any:
        return obj.application_rows

    @staticmethod
    def resolve_write_offs(obj: Any) -> Any:
        return obj.write_off_rows


class CreditMemoOut(MoneyRow):
    id: int
    number: str
    customer_id: int
    invoice_id: int | None
    issue_date: date
    amount: MoneyOut
    unapplied_amount: MoneyOut
    reason: str
    source: str
    version: int
    created_at: datetime


class CreditMemoDetailOut(CreditMemoOut):
    applications: list[ApplicationOut]

    @staticmethod
    def resolve_applications(obj: Any) -> Any:
        return obj.application_rows


class PaymentOut(MoneyRow):
    id: int
    number: str
    customer_id: int
    received_on: date
    amount: MoneyOut
    unapplied_amount: MoneyOut
    method: str
    bank_reference: str
    source: str
    version: int
    created_at: datetime


class PaymentDetailOut(PaymentOut):
    applications: list[ApplicationOut]

    @staticmethod
    def resolve_applications(obj: Any) -> Any:
        return obj.application_rows


# --- filters ------------------------------------------------------------------------------------


class InvoiceFilters(PageQuery):
    customer: Id | None = None
    status: Literal["open", "paid", "overdue"] | None = Field(
        None, description="open: something left to pay; overdue: open and past due; paid: nothing left.")
    due_before: IsoDate | None = Field(None, description="Due strictly before this date.")
    due_after: IsoDate | None = Field(None, description="Due strictly after this date.")
    currency: Currency | None = None
    po_number: Text60 | None = None


class CreditMemoFilters(PageQuery):
    customer: Id | None = None
    invoice: Id | None = None
    unapplied: bool | None = Field(None, description="true: some credit left to apply; false: none left.")
    currency: Currency | None = None


class PaymentFilters(PageQuery):
    customer: Id | None = None
    unapplied: bool | None = Field(None, description="true: some cash left on account; false: fully applied.")
    received_before: IsoDate | None = None
    received_after: IsoDate | None = None
    currency: Currency | None = None


class ApplicationFilters(PageQuery):
    invoice: Id | None = None
    payment: Id | None = None
    credit_memo: Id | None = None
    customer: Id | None = Field(None, description="The invoiced customer.")


class WriteOffFilters(PageQuery):
    invoice: Id | None = None
    customer: Id | None = None


# --- bodies -------------------------------------------------------------------------------------


class _Body(Schema):
    model_config = ConfigDict(extra="forbid")


class LineIn(_Body):
    sku: Text60 = ""
    description: Text300 = ""
    quantity: QuantityIn
    unit_price: QuantityIn
    tax_amount: MoneyIn = Decimal(0)

    @model_validator(mode="after")
    def _fits(self) -> LineIn:
        if abs(self.quantity * self.unit_price) > MAX_AMOUNT:
            raise ValueError("quantity × unit_price is larger than an amount may be")
        return self


class InvoiceIn(_Body):
    customer_id: Id
    number: Text40 = Field(min_length=1)
    issue_date: IsoDate
    due_date: IsoDate | None = Field(None, description="Default: issue date plus the customer's payment terms.")
    currency: Currency | None = Field(None, description="Default: the customer's currency.")
    amount: MoneyIn | None = Field(None, description="Default: the sum of the lines (net plus tax).")
    tax_amount: MoneyIn | None = None
    lines: list[LineIn] | None = Field(None, max_length=MAX_LINES)
    po_number: Text60 = ""
    sales_rep: Text100 = ""
    description: Text300 = ""


class CreditMemoIn(_Body):
    customer_id: Id
    number: Text40 = Field(min_length=1)
    issue_date: IsoDate
    currency: Currency | None = Field(None, description="Default: the customer's currency.")
    amount: MoneyIn
    reason: Text300 = ""
    invoice_id: Id | None = Field(None, description="The invoice the credit refers to, if any.")


class PaymentIn(_Body):
    customer_id: Id
    number: Text60 = Field(min_length=1)
    received_on: IsoDate
    currency: Currency | None = Field(None, description="Default: the customer's currency.")
    amount: MoneyIn
    method: MethodName = "wire"
    bank_reference: Text140 = ""


class ApplicationIn(_Body):
    invoice_id: Id
    payment_id: Id | None = Field(None, description="Exactly one of payment_id and credit_memo_id.")
    credit_memo_id: Id | None = None
    amount: MoneyIn
    on: IsoDate | None = Field(None, description="Default: today.")
    note: Text300 = ""


class CreditMemoApplicationIn(_Body):
    invoice_id: Id
    amount: MoneyIn
    on: IsoDate | None = None
    note: Text300 = ""


class WriteOffIn(_Body):
    invoice_id: Id
    amount: MoneyIn
    reason_code: Text40 = Field(min_length=1)
    reason: Text300 = ""
    on: IsoDate | None = None


class ReversalIn(_Body):
    reason: Reason
    on: IsoDate | None = Field(None, description="Default: today.")
