"""Raising disputes (on an invoice, some of its lines, or an account) and deductions (from a short payment)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.customers.models import Customer
from ardesk.disputes import rules, sku_split
from ardesk.disputes.models import Channel, Department, Dispute, DisputeItem, Kind, Priority, ReasonCode
from ardesk.disputes.services import segregation
from ardesk.disputes.services.learning import suggest_reason
from ardesk.disputes.signals import dispute_raised, send_on_commit
from ardesk.errors import Conflict, DomainError
from ardesk.identity.roles import Role
from ardesk.ledger import locks
from ardesk.ledger import rules as ledger_rules
from ardesk.ledger.models import Invoice, InvoiceLine, Payment
from ardesk.money import CurrencyMismatch, check_amount, to_decimal

ZERO = Decimal(0)
DEFAULT_SLA_DAYS = 20
MAX_DESCRIPTION = 10_000


@dataclass(frozen=True)
class ItemInput:
    """One invoice (or line of it) in a dispute. Without an amount: the invoice's collectible amount, or the
    line's money behind the quantity short / the price claimed."""

    invoice: Invoice
    amount: Decimal | None = None
    line: InvoiceLine | None = None
    disputed_quantity: Decimal | None = None
    claimed_unit_price: Decimal | None = None


def check_owner(owner: Any) -> None:
    if owner is None:
        return
    if not owner.is_active or owner.role == Role.AUDITOR:
        raise DomainError(f"{owner.username} cannot own disputes (inactive or read-only)", field="owner")


def _line_detail(item: ItemInput, invoice: Invoice, index: int) -> tuple[Decimal, Decimal | None, Decimal | None]:
    line = item.line
    if line is None:
        raise DomainError(f"item {index}: a line dispute names the invoice line", field=f"items[{index}].line")
    if line.invoice_id != invoice.pk:
        raise DomainError(f"item {index}: line {line.line_no} is not on invoice {invoice.number}",
                          field=f"items[{index}].line")
    quantity = (to_decimal(item.disputed_quantity, field="disputed_quantity")
                if item.disputed_quantity is not None else None)
    price = (to_decimal(item.claimed_unit_price, field="claimed_unit_price")
             if item.claimed_unit_price is not None else None)
    if item.amount is not None:
        amount = check_amount(item.amount, invoice.currency, field=f"items[{index}].amount")
        if amount > line.amount + line.tax_amount:
            raise rules.OverDispute(invoice=f"{invoice.number} line {line.line_no}", requested=amount,
                                    collectible=line.amount + line.tax_amount, currency=invoice.currency)
        return amount, quantity, price
    amount = rules.line_amount(currency=invoice.currency, quantity=line.quantity, unit_price=line.unit_price,
                               disputed_quantity=quantity, claimed_unit_price=price)
    return amount, quantity, price


def _build_items(kind: str, customer: Customer, items: Sequence[ItemInput],
                 invoices: dict[int, Invoice]) -> list[DisputeItem]:
    """Check every item against its locked invoice and turn it into a row (not yet saved)."""
    built: list[DisputeItem] = []
    requested: dict[int, Decimal] = defaultdict(lambda: ZERO)
    currencies = {inv.currency for inv in invoices.values()}
    if len(currencies) > 1:
        first, second = sorted(currencies)[:2]
        raise CurrencyMismatch(first, second)
    for index, item in enumerate(items, start=1):
        invoice = invoices[item.invoice.pk]
        if invoice.customer_id != customer.pk:
            raise DomainError(f"invoice {invoice.number} belongs to another customer", field=f"items[{index}].invoice")
        quantity = price = None
        if kind == Kind.LINES:
            amount, quantity, price = _line_detail(item, invoice, index)
        else:
            if item.line is not None:
                raise DomainError(f"item {index}: a line is named only in a dispute on lines",
                                  field=f"items[{index}].line")
            collectible = max(invoice.open_amount - invoice.disputed_amount - requested[invoice.pk], ZERO)
            amount = (check_amount(item.amount, invoice.currency, field=f"items[{index}].amount")
                      if item.amount is not None else collectible)
        rules.check_disputable(invoice=invoice.number, currency=invoice.currency, requested=amount,
                               open_amount=invoice.open_amount,
                               disputed=invoice.disputed_amount + requested[invoice.pk])
        requested[invoice.pk] += amount
        built.append(DisputeItem(invoice=invoice, invoice_line=item.line if kind == Kind.LINES else None,
                                 amount=amount, disputed_quantity=quantity, claimed_unit_price=price))
    return built


def _check_shape(kind: str, items: Sequence[ItemInput]) -> None:
    if kind == Kind.INVOICE and len(items) != 1:
        raise DomainError("a dispute on an invoice names exactly one invoice", field="items")
    if kind == Kind.LINES and not items:
        raise DomainError("a dispute on lines names at least one line", field="items")
    if kind == Kind.INVOICE and items[0].line is not None:
        raise DomainError("a dispute on a whole invoice names no line; use a dispute on lines", field="items")


def _duplicates(customer: Customer, invoice_ids: set[int]) -> list[str]:
    others: dict[str, set[int]] = defaultdict(set)
    rows = (DisputeItem.objects.filter(dispute__customer=customer, dispute__status__in=segregation.OPEN,
                                       invoice_id__in=invoice_ids)
            .values_list("dispute__number", "invoice_id"))
    for number, invoice_id in rows:
        others[number].add(invoice_id)
    return rules.overlapping(invoice_ids, others)


def _create(*, customer: Customer, kind: str, channel: str, items: list[DisputeItem], description: str,
            reason_code: ReasonCode | None, owner: Any, priority: int, payment: Payment | None, by: Any,
            duplicates: list[str]) -> Dispute:
    suggestion = suggest_reason(description)
    routing = reason_code or (suggestion[0] if suggestion else None)
    today = timezone.localdate()
    sla_days = routing.sla_days if routing else DEFAULT_SLA_DAYS
    dispute = Dispute.objects.create(
        number=f"new-{uuid.uuid4().hex[:16]}", customer=customer, kind=kind, channel=channel,
        reason_code=reason_code, owner=owner,
        department=routing.default_department if routing else Department.ACCOUNTS_RECEIVABLE,
        priority=Priority(priority), sla_due=today + timedelta(days=sla_days), currency=items[0].invoice.currency,
        amount=sum((item.amount for item in items), ZERO), description=description, payment=payment,
        suggested_reason=suggestion[0] if suggestion else None,
        suggestion_confidence=suggestion[1].confidence if suggestion else None,
        suggestion_source=suggestion[1].source if suggestion else "",
        raised_by=by if getattr(by, "pk", None) else None, raised_on=today,
    )
    dispute.number = f"DSP-{dispute.pk:07d}"
    dispute.save(update_fields=["number"])
    for item in items:
        item.dispute = dispute
    DisputeItem.objects.bulk_create(items)
    sku_split.split([dispute.pk])
    record(actor=by, verb="dispute.raised", subject=dispute, after={
        "number": dispute.number, "customer": customer.number, "kind": kind, "channel": channel,
        "amount": dispute.amount, "currency": dispute.currency,
        "items": [{"invoice": i.invoice.number, "line": i.invoice_line.line_no if i.invoice_line else None,
                   "amount": i.amount} for i in items],
        "reason_code": reason_code.code if reason_code else None,
        "suggested_reason": dispute.suggested_reason.code if dispute.suggested_reason else None,
        "suggestion_confidence": dispute.suggestion_confidence, "department": dispute.department,
        "owner": getattr(owner, "username", None), "sla_due": dispute.sla_due,
        "payment": payment.number if payment else None, "duplicates_confirmed": duplicates,
    })
    segregation.refresh_disputed({item.invoice.pk for item in items}, dispute=dispute, by=by)
    send_on_commit(dispute_raised, Dispute, dispute=dispute)
    return dispute


@transaction.atomic
def raise_dispute(
    *, customer: Customer, kind: str, items: Sequence[ItemInput] = (), description: str = "",
    reason_code: ReasonCode | None = None, owner: Any = None, priority: int = Priority.NORMAL,
    channel: str = Channel.MANUAL, confirm_duplicate: bool = False, by: Any,
) -> Dispute:
    """Hold back disputed money of a customer's invoices until the dispute is resolved.

    An account dispute without items covers every invoice of the account with money still collectible.
    A likely duplicate (an open dispute of the same customer on one of the same invoices) is refused
    with LikelyDuplicate unless `confirm_duplicate` says the raiser has seen it.
    """
    kind = Kind(kind)
    if kind == Kind.DEDUCTION:
        raise DomainError("deductions are raised from the short payment (raise_deduction)", field="kind")
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(f"the description is limited to {MAX_DESCRIPTION} characters", field="description")
    check_owner(owner)
    _check_shape(kind, items)
    if kind == Kind.ACCOUNT and not items:
        ids = (Invoice.objects.filter(customer=customer, open_amount__gt=0).order_by("pk")
               .values_list("pk", flat=True))
        locked = {inv.pk: inv for inv in locks.lock_invoices(ids) if inv.collectible_amount > 0}
        if not locked:
            raise DomainError(f"customer {customer.number} has nothing collectible to dispute", field="items")
        items = [ItemInput(invoice=inv) for inv in locked.values()]
    else:
        locked = {inv.pk: inv for inv in locks.lock_invoices({item.invoice.pk for item in items})}
    built = _build_items(kind, customer, items, locked)
    duplicates = _duplicates(customer, set(locked))
    if duplicates and not confirm_duplicate:
        raise rules.LikelyDuplicate(duplicates)
    return _create(customer=customer, kind=kind, channel=Channel(channel), items=built,
                   description=description.strip(), reason_code=reason_code, owner=owner, priority=priority,
                   payment=None, by=by, duplicates=duplicates)


@transaction.atomic
def raise_deduction(
    *, payment: Payment, invoice: Invoice, amount: Decimal, description: str = "",
    reason_code: ReasonCode | None = None, by: Any,
) -> Dispute:
    """Turn the short part of a payment into a dispute on the invoice it was meant for.

    Safe to call again (a retried cash-application task): the same payment, invoice and amount give back
    the open deduction already raised; a different amount is a Conflict.
    """
    locked_payment = locks.lock_payment(payment.pk)
    locked_invoice = locks.lock_invoice(invoice.pk)
    amount = check_amount(amount, locked_invoice.currency)
    existing = (Dispute.objects.filter(kind=Kind.DEDUCTION, payment=locked_payment, items__invoice=locked_invoice,
                                       status__in=segregation.OPEN).first())
    if existing is not None:
        if existing.amount == amount:
            return existing
        raise Conflict(f"payment {locked_payment.number} already has open deduction {existing.number} of "
                       f"{rules.shown(existing.amount, existing.currency)} on invoice {locked_invoice.number}",
                       field="amount")
    if locked_payment.currency != locked_invoice.currency:
        raise CurrencyMismatch(locked_payment.currency, locked_invoice.currency)
    customer = locked_invoice.customer
    if not ledger_rules.may_settle_for(locked_payment.customer_id, customer.pk,
                                       lambda pk: Customer.objects.filter(pk=pk).values_list("parent_id",
                                                                                             flat=True).first()):
        raise ledger_rules.UnrelatedCustomers(locked_payment.customer.number, customer.number)
    rules.check_disputable(invoice=locked_invoice.number, currency=locked_invoice.currency, requested=amount,
                           open_amount=locked_invoice.open_amount,
                           disputed=locked_invoice.disputed_amount)
    item = DisputeItem(invoice=locked_invoice, amount=amount)
    return _create(customer=customer, kind=Kind.DEDUCTION, channel=Channel.CASH_APPLICATION, items=[item],
                   description=description.strip(), reason_code=reason_code, owner=None,
                   priority=Priority.NORMAL, payment=locked_payment, by=by, duplicates=[])
