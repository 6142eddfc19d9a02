"""Turn settlement events into ledger entries: payments (grouped by payment run), applications, credit memos,
write-offs. Pure.

A payer pays everything it decided to pay on one day with one payment, so a
payment run pays several invoices, and a parent's run pays its subsidiaries'
invoices with its own. A few payments carry extra cash left on account, a few
recent ones are not applied yet, and now and then an application is reversed
and made again, as a clerk would correct one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ardesk.demo.behaviours import Event, whole_units
from ardesk.demo.context import DemoContext, at
from ardesk.demo.records import (
    ApplicationRec,
    CreditMemoRec,
    CustomerRec,
    GroupBook,
    InvoiceRec,
    PaymentRec,
    WriteOffRec,
)

ZERO = Decimal(0)
REVERSAL_EVERY = 97  # one payment in this many has an application reversed and made again
_METHODS = {"EUR": ("sepa", "sepa", "sepa", "direct_debit"), "USD": ("ach", "ach", "wire", "check"),
            "GBP": ("wire",), "JPY": ("wire",), "CHF": ("wire", "direct_debit"), "SEK": ("wire", "direct_debit")}


@dataclass(frozen=True)
class Settlement:
    invoice: InvoiceRec
    customer: CustomerRec
    events: list[Event]


def book_entries(ctx: DemoContext, r: random.Random, book: GroupBook, settlements: list[Settlement]) -> None:
    payers = {c.id: c for c in book.customers}
    runs: dict[tuple[date, int], list[tuple[InvoiceRec, Decimal]]] = {}
    for s in settlements:
        for event in s.events:
            if event.kind == "pay":
                runs.setdefault((event.on, s.customer.payer_id), []).append((s.invoice, event.amount))
            elif event.kind == "credit":
                _credit_memo(ctx, book, s, event)
            else:
                _write_off(ctx, book, s, event)
    for (on, payer_id), items in sorted(runs.items(), key=lambda kv: kv[0]):
        _payment(ctx, r, book, payers[payer_id], on, items)
    for customer in book.customers:
        if customer.payer_id == customer.id and r.random() < 0.03:
            _payment_on_account(ctx, r, book, customer)
        if r.random() < 0.02:
            _goodwill_credit(ctx, r, book, customer)


def _payment(ctx: DemoContext, r: random.Random, book: GroupBook, payer: CustomerRec, on: date,
             items: list[tuple[InvoiceRec, Decimal]]) -> None:
    today = ctx.plan.today
    applied = sum((amount for _, amount in items), ZERO)
    # Now and then a payer sends more than it owes; the rest waits on account.
    extra = whole_units(applied * Decimal(r.randint(1, 10)) / 100, payer.currency) if r.random() < 0.02 else ZERO
    numbers = " ".join(inv.number for inv, _ in items[:6])
    payment = PaymentRec(
        id=ctx.ids.take("ledger.payment"), number=f"PAY-{ctx.next_number('payment'):08d}", customer_id=payer.id,
        received_on=on, currency=payer.currency, amount=applied + extra,
        method=r.choice(_METHODS.get(payer.currency, ("wire",))),
        bank_reference=f"{payer.name.upper()[:40]} {numbers}"[:140], created_at=at(on, 7),
    )
    book.payments.append(payment)
    if (today - on).days <= 6 and r.random() < 0.5:
        return  # received this week and not applied yet
    clerk = ctx.staffing.cash_clerk
    apps = [_application(ctx, invoice.id, amount, on, payment_id=payment.id, by=clerk) for invoice, amount in items]
    book.applications.extend(apps)
    if ctx.counters["payment"] % REVERSAL_EVERY == REVERSAL_EVERY // 2 and on + timedelta(days=2) <= today:
        first = apps[0]
        book.applications.append(_application(
            ctx, first.invoice_id, -first.amount, on + timedelta(days=1), payment_id=payment.id, by=clerk,
            reverses=first.id, note="Reversed: applied before the remittance advice was checked"))
        book.applications.append(_application(
            ctx, first.invoice_id, first.amount, on + timedelta(days=2), payment_id=payment.id, by=clerk,
            note="Applied again after checking the remittance advice"))


def _application(ctx: DemoContext, invoice_id: int, amount: Decimal, on: date, *, payment_id: int | None = None,
                 credit_memo_id: int | None = None, by: int | None, reverses: int | None = None,
                 note: str = "") -> ApplicationRec:
    return ApplicationRec(id=ctx.ids.take("ledger.application"), payment_id=payment_id,
                          credit_memo_id=credit_memo_id, invoice_id=invoice_id, amount=amount, applied_on=on,
                          reverses_id=reverses, note=note, created_by_id=by, created_at=at(on, 10))


def _team_key(ctx: DemoContext, customer: CustomerRec) -> str | None:
    return next((key for key, pk in ctx.staffing.teams.items() if pk == customer.team_id), None)


def _credit_memo(ctx: DemoContext, book: GroupBook, s: Settlement, event: Event) -> None:
    memo = CreditMemoRec(
        id=ctx.ids.take("ledger.creditmemo"),
        number=f"CM-{event.on.year}-{ctx.next_number(f'credit-memo-{event.on.year}'):06d}",
        customer_id=s.customer.id, invoice_id=s.invoice.id, issue_date=event.on, currency=s.invoice.currency,
        amount=event.amount, reason=event.reason, created_at=at(event.on, 11),
    )
    book.credit_memos.append(memo)
    if event.applied:
        analyst = ctx.staffing.analysts.get(_team_key(ctx, s.customer) or "")
        book.applications.append(_application(ctx, s.invoice.id, event.amount, event.on, credit_memo_id=memo.id,
                                              by=analyst, note=event.reason))


def _write_off(ctx: DemoContext, book: GroupBook, s: Settlement, event: Event) -> None:
    key = _team_key(ctx, s.customer) or ""
    # Bad debts need a manager; small balances and deductions are within an analyst's limit.
    by = ctx.staffing.managers.get(key) if event.reason_code == "bad_debt" else ctx.staffing.analysts.get(key)
    book.write_offs.append(WriteOffRec(
        id=ctx.ids.take("ledger.writeoff"), invoice_id=s.invoice.id, amount=event.amount,
        written_off_on=event.on, reason_code=event.reason_code, reason=event.reason, created_by_id=by,
        created_at=at(event.on, 15),
    ))


def _payment_on_account(ctx: DemoContext, r: random.Random, book: GroupBook, customer: CustomerRec) -> None:
    """Cash with no invoice named: a prepayment or an unidentified transfer, left on account."""
    on = ctx.plan.today - timedelta(days=r.randint(0, 120))
    step = Decimal(10_000) if customer.currency == "JPY" else Decimal(100)
    book.payments.append(PaymentRec(
        id=ctx.ids.take("ledger.payment"), number=f"PAY-{ctx.next_number('payment'):08d}",
        customer_id=customer.id, received_on=on, currency=customer.currency, amount=step * r.randint(5, 200),
        method="wire", bank_reference=f"{customer.name.upper()[:40]} {r.choice(('ADVANCE PAYMENT', 'ON ACCOUNT'))}",
        created_at=at(on, 7),
    ))


def _goodwill_credit(ctx: DemoContext, r: random.Random, book: GroupBook, customer: CustomerRec) -> None:
    """A credit memo for no particular invoice, not applied yet."""
    on = ctx.plan.today - timedelta(days=r.randint(0, 90))
    step = Decimal(1_000) if customer.currency == "JPY" else Decimal(10)
    book.credit_memos.append(CreditMemoRec(
        id=ctx.ids.take("ledger.creditmemo"),
        number=f"CM-{on.year}-{ctx.next_number(f'credit-memo-{on.year}'):06d}", customer_id=customer.id,
        invoice_id=None, issue_date=on, currency=customer.currency, amount=step * r.randint(5, 50),
        reason="Goodwill credit for a delayed delivery", created_at=at(on, 11),
    ))
