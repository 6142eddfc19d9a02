"""The ledger of one customer group: invoices with lines, and what each payer did about them. Pure.

Each customer's habits come from its behaviour (ardesk.demo.behaviours); each
invoice is settled by its payer's habits; the events become entries
(ardesk.demo.cash). The loader computes every cached balance afterwards
(`GroupBook.settle`), so `ardesk ledger verify` passes on a fresh demo.
"""

from __future__ import annotations

import random
from datetime import timedelta

from ardesk.demo import cash, invoicing
from ardesk.demo.behaviours import Behaviour, Habit, InvoiceFacts, settle
from ardesk.demo.context import DemoContext, at
from ardesk.demo.customers import COVERAGE, GroupPlan
from ardesk.demo.plan import rng
from ardesk.demo.records import CustomerRec, GroupBook


def habit_for(r: random.Random, ctx: DemoContext, customer: CustomerRec, index: int) -> Habit:
    behaviour = Behaviour(customer.behaviour)
    stops = insolvent = None
    if behaviour is Behaviour.BAD_DEBT:
        start = ctx.plan.start
        stops = start + timedelta(days=r.randint(150, 260))
        # Most bad debts end in insolvency and a write-off; the rest sit in the oldest aging bucket.
        # The first bad debt of every demo is written off, so even a tiny demo shows one.
        if index < COVERAGE or r.random() < 0.6:
            insolvent = start + timedelta(days=r.randint(420, 480))
    return Habit(behaviour=behaviour, run_weekday=customer.run_weekday, run_day=customer.run_day,
                 phase=r.randint(0, 1), stops_paying=stops, insolvent_on=insolvent)


def fill_group(ctx: DemoContext, book: GroupBook, group: GroupPlan) -> None:
    """Invoices, lines, payments, applications, credit memos and write-offs of the group's customers."""
    r = rng(ctx.plan.seed, "ledger", group.index)
    today, start = ctx.plan.today, ctx.plan.start
    habits = {c.id: habit_for(r, ctx, c, group.first + k) for k, c in enumerate(book.customers)}
    settlements: list[cash.Settlement] = []
    for customer in book.customers:
        own = habits[customer.id]
        payer = habits[customer.payer_id]
        for k, issue in enumerate(invoicing.issue_dates(r, customer, own, start, today)):
            invoice, lines = invoicing.make_invoice(ctx, r, customer, issue)
            book.invoices.append(invoice)
            book.lines.extend(lines)
            facts = InvoiceFacts(k=k, amount=invoice.amount, currency=invoice.currency, issue=invoice.issue_date,
                                 due=invoice.due_date)
            invoice.story, events = settle(r, payer, facts, today)
            if events:
                invoice.updated_at = at(max(e.on for e in events), 16)
            settlements.append(cash.Settlement(invoice, customer, events))
    cash.book_entries(ctx, r, book, settlements)
