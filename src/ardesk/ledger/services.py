"""Every write to the ledger: one function per use case, in a transaction, with its audit event.

Caches (`Invoice.open_amount`, `unapplied_amount` on payments and credit memos)
are moved by the same transaction that books the entry, under row locks
taken in a fixed order (ardesk.ledger.locks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.customers.models import Customer
from ardesk.errors import DomainError
from ardesk.ledger import locks, rules
from ardesk.ledger.models import (
    Application,
    CreditMemo,
    FxRate,
    Invoice,
    InvoiceLine,
    Payment,
    Source,
    WriteOff,
)
from ardesk.money import check_amount, check_currency, round_money, to_decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class LineInput:
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_amount: Decimal = ZERO


def _today() -> date:
    return timezone.localdate()


@transaction.atomic
def book_invoice(
    *,
    customer: Customer,
    number: str,
    issue_date: date,
    due_date: date,
    currency: str,
    amount: Decimal | None = None,
    lines: list[LineInput] | None = None,
    tax_amount: Decimal = ZERO,
    po_number: str = "",
    sales_rep: str = "",
    description: str = "",
    source: str = Source.MANUAL,
    by: Any,
) -> Invoice:
    """Book an invoice. Its amount is given, or the sum of its lines (net plus tax)."""
    currency = check_currency(currency)
    if not number.strip():
        raise DomainError("an invoice needs a number", field="number")
    if due_date < issue_date:
        raise DomainError("the due date cannot be before the issue date", field="due_date")
    if Invoice.objects.filter(number=number).exists():
        raise DomainError(f"invoice {number} already exists", field="number")
    built_lines: list[InvoiceLine] = []
    for i, line in enumerate(lines or [], start=1):
        quantity = to_decimal(line.quantity, field=f"lines[{i}].quantity")
        unit_price = to_decimal(line.unit_price, field=f"lines[{i}].unit_price")
        line_tax = check_amount(line.tax_amount, currency, field=f"lines[{i}].tax_amount", positive=False)
        built_lines.append(InvoiceLine(
            line_no=i, sku=line.sku, description=line.description, quantity=quantity,
            unit_price=unit_price, tax_amount=line_tax, amount=round_money(quantity * unit_price, currency),
        ))
    if amount is None:
        if not built_lines:
            raise DomainError("an invoice needs an amount or lines", field="amount")
        tax_amount = sum((ln.tax_amount for ln in built_lines), ZERO)
        amount = sum((ln.amount for ln in built_lines), ZERO) + tax_amount
    total = check_amount(amount, currency, positive=False)
    if total < 0:
        raise DomainError("an invoice amount cannot be negative; book a credit memo instead", field="amount")
    invoice = Invoice.objects.create(
        customer=customer, number=number, issue_date=issue_date, due_date=due_date, currency=currency,
        amount=total, tax_amount=check_amount(tax_amount, currency, field="tax_amount", positive=False),
        open_amount=total, po_number=po_number, sales_rep=sales_rep, description=description, source=source,
    )
    for ln in built_lines:
        ln.invoice = invoice
    InvoiceLine.objects.bulk_create(built_lines)
    record(actor=by, verb="invoice.booked", subject=invoice,
           after={"number": number, "customer": customer.number, "amount": total, "currency": currency,
                  "due_date": due_date, "lines": len(built_lines)})
    return invoice


@transaction.atomic
def book_credit_memo(
    *,
    customer: Customer,
    number: str,
    issue_date: date,
    currency: str,
    amount: Decimal,
    reason: str = "",
    invoice: Invoice | None = None,
    source: str = Source.MANUAL,
    by: Any,
) -> CreditMemo:
    """Book a credit memo. It credits nothing until applied (`apply_credit_memo`)."""
    currency = check_currency(currency)
    total = check_amount(amount, currency)
    if CreditMemo.objects.filter(number=number).exists():
        raise DomainError(f"credit memo {number} already exists", field="number")
    memo = CreditMemo.objects.create(
        customer=customer, number=number, issue_date=issue_date, currency=currency, amount=total,
        unapplied_amount=total, reason=reason, invoice=invoice, source=source,
    )
    record(actor=by, verb="credit_memo.booked", subject=memo,
           after={"number": number, "customer": customer.number, "amount": total, "currency": currency,
                  "invoice": invoice.number if invoice else None}, reason=reason)
    return memo


@transaction.atomic
def record_payment(
    *,
    customer: Customer,
    number: str,
    received_on: date,
    currency: str,
    amount: Decimal,
    method: str = "wire",
    bank_reference: str = "",
    source: str = Source.MANUAL,
    by: Any,
) -> Payment:
    """Record cash received. Until applied it is on-account (unapplied) cash."""
    currency = check_currency(currency)
    total = check_amount(amount, currency)
    if Payment.objects.filter(number=number).exists():
        raise DomainError(f"payment {number} already exists", field="number")
    payment = Payment.objects.create(
        customer=customer, number=number, received_on=received_on, currency=currency, amount=total,
        unapplied_amount=total, method=method, bank_reference=bank_reference, source=source,
    )
    record(actor=by, verb="payment.recorded", subject=payment,
           after={"number": number, "customer": customer.number, "amount": total, "currency": currency,
                  "received_on": received_on})
    return payment


def _move_open(invoice: Invoice, delta: Decimal) -> None:
    """Move a locked invoice's cached open amount by `delta`; every entry that settles it comes here."""
    invoice.open_amount += delta
    invoice.version += 1
    invoice.updated_at = timezone.now()
    invoice.save(update_fields=["open_amount", "version", "updated_at"])


def _move_unapplied(source: Payment | CreditMemo, delta: Decimal) -> None:
    """Move a locked payment's or credit memo's cached unapplied amount by `delta`."""
    source.unapplied_amount += delta
    source.version += 1
    source.save(update_fields=["unapplied_amount", "version"])


def _parent_of(customer_id: int) -> int | None:
    return Customer.objects.filter(pk=customer_id).values_list("parent_id", flat=True).first()


def _apply(
    *, source: Payment | CreditMemo, invoice: Invoice, amount: Decimal, on: date | None, note: str, by: Any
) -> Application:
    amount = check_amount(amount, invoice.currency)
    if not rules.may_settle_for(source.customer_id, invoice.customer_id, _parent_of):
        raise rules.UnrelatedCustomers(source.customer.number, invoice.customer.number)
    rules.check_application(
        amount=amount, unapplied=source.unapplied_amount, invoice_open=invoice.open_amount,
        source_currency=source.currency, invoice_currency=invoice.currency,
    )
    payment = source if isinstance(source, Payment) else None
    memo = source if isinstance(source, CreditMemo) else None
    is_payment = payment is not None
    application = Application.objects.create(
        payment=payment, credit_memo=memo,
        invoice=invoice, amount=amount, applied_on=on or _today(), note=note,
        created_by=by if getattr(by, "pk", None) else None,
    )
    before = {"open_amount": invoice.open_amount, "unapplied": source.unapplied_amount}
    _move_unapplied(source, -amount)
    _move_open(invoice, -amount)
    kind = "payment" if is_payment else "credit_memo"
    record(actor=by, verb=f"{kind}.applied", subject=invoice, before=before,
           after={"open_amount": invoice.open_amount, "unapplied": source.unapplied_amount,
                  "amount": amount, kind: source.number, "application": application.pk,
                  "applied_on": application.applied_on}, reason=note)
    return application


@transaction.atomic
def apply_payment(
    *, payment: Payment, invoice: Invoice, amount: Decimal, on: date | None = None, note: str = "", by: Any
) -> Application:
    """Apply part or all of a payment to an invoice of the payer (or of one of its subsidiaries)."""
    locked_payment = locks.lock_payment(payment.pk)
    locked_invoice = locks.lock_invoice(invoice.pk)
    return _apply(source=locked_payment, invoice=locked_invoice, amount=amount, on=on, note=note, by=by)


@transaction.atomic
def apply_credit_memo(
    *, credit_memo: CreditMemo, invoice: Invoice, amount: Decimal, on: date | None = None, note: str = "", by: Any
) -> Application:
    locked_memo = locks.lock_credit_memo(credit_memo.pk)
    locked_invoice = locks.lock_invoice(invoice.pk)
    return _apply(source=locked_memo, invoice=locked_invoice, amount=amount, on=on, note=note, by=by)


@transaction.atomic
def reverse_application(*, application: Application, on: date | None = None, reason: str, by: Any) -> Application:
    """Undo an application with a dated, negative twin; the original stays in the ledger."""
    if not reason.strip():
        raise DomainError("a reversal needs a reason", field="reason")
    original = Application.objects.select_for_update().get(pk=application.pk)
    source: Payment | CreditMemo
    source = (locks.lock_payment(original.payment_id) if original.payment_id
              else locks.lock_credit_memo(original.credit_memo_id))  # type: ignore[arg-type]
    invoice = locks.lock_invoice(original.invoice_id)
    rules.check_reversal(already_reversed=Application.objects.filter(reverses=original).exists(),
                         is_reversal=original.reverses_id is not None, what=f"application {original.pk}",
                         field="application")
    reversal = Application.objects.create(
        payment_id=original.payment_id, credit_memo_id=original.credit_memo_id, invoice=invoice,
        amount=-original.amount, applied_on=on or _today(), reverses=original, note=reason,
        created_by=by if getattr(by, "pk", None) else None,
    )
    before = {"open_amount": invoice.open_amount, "unapplied": source.unapplied_amount}
    _move_unapplied(source, original.amount)
    _move_open(invoice, original.amount)
    record(actor=by, verb="application.reversed", subject=invoice, before=before,
           after={"open_amount": invoice.open_amount, "unapplied": source.unapplied_amount,
                  "application": original.pk, "reversal": reversal.pk, "amount": original.amount},
           reason=reason)
    return reversal


@transaction.atomic
def write_off(
    *, invoice: Invoice, amount: Decimal, reason_code: str, reason: str = "", on: date | None = None, by: Any
) -> WriteOff:
    """Write off part or all of what is open, with a reason code (bad debt, small balance, …)."""
    if not reason_code.strip():
        raise DomainError("a write-off needs a reason code", field="reason_code")
    locked = locks.lock_invoice(invoice.pk)
    amount = check_amount(amount, locked.currency)
    rules.check_write_off(amount=amount, invoice_open=locked.open_amount)
    entry = WriteOff.objects.create(
        invoice=locked, amount=amount, written_off_on=on or _today(), reason_code=reason_code, reason=reason,
        created_by=by if getattr(by, "pk", None) else None,
    )
    before = {"open_amount": locked.open_amount}
    _move_open(locked, -amount)
    record(actor=by, verb="invoice.written_off", subject=locked, before=before,
           after={"open_amount": locked.open_amount, "amount": amount, "reason_code": reason_code,
                  "write_off": entry.pk}, reason=reason)
    return entry


@transaction.atomic
def reverse_write_off(*, entry: WriteOff, on: date | None = None, reason: str, by: Any) -> WriteOff:
    if not reason.strip():
        raise DomainError("a reversal needs a reason", field="reason")
    original = WriteOff.objects.select_for_update().get(pk=entry.pk)
    invoice = locks.lock_invoice(original.invoice_id)
    rules.check_reversal(already_reversed=WriteOff.objects.filter(reverses=original).exists(),
                         is_reversal=original.reverses_id is not None, what=f"write-off {original.pk}")
    reversal = WriteOff.objects.create(
        invoice=invoice, amount=-original.amount, written_off_on=on or _today(), reason_code=original.reason_code,
        reason=reason, reverses=original, created_by=by if getattr(by, "pk", None) else None,
    )
    before = {"open_amount": invoice.open_amount}
    _move_open(invoice, original.amount)
    record(actor=by, verb="write_off.reversed", subject=invoice, before=before,
           after={"open_amount": invoice.open_amount, "write_off": original.pk, "reversal": reversal.pk},
           reason=reason)
    return reversal


@transaction.atomic
def set_fx_rate(*, currency: str, rate_date: date, rate: Decimal, by: Any) -> FxRate:
    """Record (or correct) the rate of one currency on one day, in units of the company currency."""
    currency = check_currency(currency)
    value = to_decimal(rate, field="rate")
    if value <= 0:
        raise DomainError("an FX rate must be greater than zero", field="rate")
    existing = FxRate.objects.select_for_update().filter(currency=currency, rate_date=rate_date).first()
    if existing and existing.rate == value:
        return existing
    before = {"rate": existing.rate} if existing else None
    fx, _ = FxRate.objects.update_or_create(currency=currency, rate_date=rate_date, defaults={"rate": value})
    record(actor=by, verb="fx_rate.set", subject=fx, before=before,
           after={"currency": currency, "rate_date": rate_date, "rate": value})
    return fx
