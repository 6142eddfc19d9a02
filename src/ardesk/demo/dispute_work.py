"""The demo's live disputes: raised and worked through the disputes services, so each has its timeline.

The bulk generator (ardesk.demo.disputes) writes the dispute history as seed rows and hands over the
open disputes of the story. Here the analysts of the demo company raise them and work them the way a
user would, through the same services the pages and the API call: every state of the workflow
(new, in review, waiting on the customer or on the company, escalated, resolved accepted, partly
accepted and rejected, closed, reopened), every kind (whole invoice, lines, account, deduction),
comments with @mentions, tasks to departments, offers and counter-offers, resolutions booked through
the ledger (credit memo, write-off, re-bill), a write-off waiting for a manager's approval, root causes;
then documents, escalations, rules and corrective actions (ardesk.demo.dispute_extras), and mail threads
with the customers (ardesk.demo.dispute_mail: recorded and received, never sent).

The services stamp everything with the time of the load; the raised day and SLA date of each live
dispute are then set back to the day the story raised it, so the queue shows real ages and SLA
breaches. Finally the reason-code model is trained on the resolved disputes, so suggestions work.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.demo import dispute_extras, dispute_mail
from ardesk.demo.context import DemoContext, at
from ardesk.demo.dispute_texts import Filling, text_for
from ardesk.demo.disputes import CATALOGUE, Candidate, Catalogue, candidates
from ardesk.demo.plan import rng
from ardesk.disputes import services, sku_split
from ardesk.disputes.classify import NotEnoughExamples
from ardesk.disputes.models import Dispute, ReasonCode, RootCause
from ardesk.disputes.services.catalogues import ensure_default_catalogues
from ardesk.disputes.services.resolution import may_write_off
from ardesk.errors import DomainError
from ardesk.identity.models import User
from ardesk.ledger.models import Invoice, Payment
from ardesk.money import round_money

ZERO = Decimal(0)
# The scenarios the live invoices and deductions run through, in order: every state comes early.
INVOICE_SCENARIOS = ("new", "in_review", "waiting_on_customer", "waiting_on_internal", "escalated", "closed_credit",
                     "partly_rebill", "rejected", "reopened", "lines", "accepted", "waiting_on_customer")
DEDUCTION_SCENARIOS = ("new", "in_review", "closed_write_off", "waiting_on_internal", "closed_rejected",
                       "accepted", "in_review")


def prepare(ctx: DemoContext) -> None:
    """Read the catalogues' ids for the pure generator (seeding them first into an emptied database)."""
    ensure_default_catalogues()
    ctx.refs[CATALOGUE] = Catalogue(
        reasons={rc.code: (rc.pk, rc.sla_days, rc.default_department) for rc in ReasonCode.objects.all()},
        root_causes=dict(RootCause.objects.values_list("code", "pk")))


@dataclass
class _Live:
    ctx: DemoContext
    by: Any
    r: random.Random
    users: dict[int, User]
    reasons: dict[str, ReasonCode]
    roots: dict[str, RootCause]
    raised: dict[int, date]  # dispute pk → the story's raised day

    @property
    def today(self) -> date:
        return self.ctx.plan.today

    def analyst_for(self, customer: Customer) -> User:
        team = next((k for k, pk in self.ctx.staffing.teams.items() if pk == customer.team_id), "")
        pk = self.ctx.staffing.analysts.get(team) or next(iter(self.ctx.staffing.analysts.values()))
        return self.users[pk]

    def manager_for(self, customer: Customer) -> User:
        team = next((k for k, pk in self.ctx.staffing.teams.items() if pk == customer.team_id), "")
        pk = self.ctx.staffing.managers.get(team) or next(iter(self.ctx.staffing.managers.values()))
        return self.users[pk]

    def due(self, days: int) -> date:
        return max(timezone.localdate(), self.today) + timedelta(days=days)


def _user_map(ctx: DemoContext) -> dict[int, User]:
    staff = ctx.staffing
    ids = {*staff.analysts.values(), *staff.managers.values(), *(c for cs in staff.collectors.values() for c in cs)}
    if staff.cash_clerk:
        ids.add(staff.cash_clerk)
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def _fallbacks(live: _Live, used: set[int], wanted: int) -> list[Candidate]:
    """Open invoices nobody disputes, for a small demo whose story left too few open disputes."""
    found: list[Candidate] = []
    rows = (Invoice.objects.filter(source="demo", open_amount__gt=0, disputed_amount=0, due_date__lt=live.today)
            .exclude(pk__in=used).order_by("due_date", "pk").prefetch_related("lines")[:wanted * 3])
    for invoice in rows:
        if len(found) >= wanted:
            break
        reason = live.r.choice(("pricing", "quantity_short", "damaged_goods", "not_received", "tax", "po_mismatch"))
        line = next(iter(invoice.lines.all()), None)
        text = text_for(live.r, reason, Filling(
            invoice=invoice.number, sku=line.description if line else "goods",
            quantity=int(line.quantity) if line else 1,
            price=f"{line.unit_price if line else invoice.amount} {invoice.currency}", other_invoice=invoice.number,
            po=invoice.po_number, day=invoice.due_date.isoformat()))
        raised = min(invoice.due_date + timedelta(days=live.r.randint(1, 20)), live.today)
        found.append(Candidate(invoice.pk, "invoice", invoice.open_amount, reason, text, raised))
    return found


def _raise(live: _Live, c: Candidate, scenario: str) -> Dispute:
    invoice = Invoice.objects.select_related("customer").get(pk=c.invoice_id)
    customer = invoice.customer
    analyst = live.analyst_for(customer)
    reason = live.reasons.get(c.reason)
    if c.kind == "deduction":
        payment = Payment.objects.get(pk=c.payment_id or 0)
        clerk = live.users.get(live.ctx.staffing.cash_clerk or 0, analyst)
        dispute = services.raise_deduction(payment=payment, invoice=invoice, amount=c.amount, description=c.text,
                                           by=clerk)
    elif scenario == "lines":
        line = invoice.lines.order_by("-quantity", "line_no").first()
        quantity = Decimal(max(1, int(line.quantity) // 4)) if line else None
        items = ([services.ItemInput(invoice=invoice, line=line, disputed_quantity=quantity)] if line
                 else [services.ItemInput(invoice=invoice)])
        dispute = services.raise_dispute(customer=customer, kind="lines" if line else "invoice", items=items,
                                         description=c.text, reason_code=live.reasons["quantity_short"],
                                         owner=analyst, channel="email", by=analyst)
    else:
        dispute = services.raise_dispute(
            customer=customer, kind="invoice", items=[services.ItemInput(invoice=invoice)], description=c.text,
            reason_code=None if scenario == "new" else reason, owner=None if scenario == "new" else analyst,
            channel=live.r.choice(("email", "portal", "manual")), by=analyst)
    live.raised[dispute.pk] = c.raised_on
    return dispute


def _review(live: _Live, d: Dispute, reason: str) -> Dispute:
    """The analyst takes the dispute and settles its reason code: the story's, which is what the suggester learns."""
    analyst = live.analyst_for(d.customer)
    if d.owner_id is None:
        d = services.assign(disputes=[d], owner=analyst, by=analyst)[0]
    if d.reason_code_id is None:
        d = services.set_reason_code(dispute=d, reason_code=live.reasons.get(reason, live.reasons["other"]),
                                     by=analyst)
    return services.change_status(dispute=d, to="in_review", note="Picked up from the queue", by=analyst)


def _resolve(live: _Live, d: Dispute, outcome: str, *, settlement: str | None = None,
             accepted: Decimal | None = None) -> Dispute:
    analyst = live.analyst_for(d.customer)
    result = services.resolve(dispute=d, outcome=outcome, settlement=settlement, accepted_amount=accepted,
                              note="Agreed with the customer after checking the documents", on=live.today,
                              by=analyst)
    return result.dispute


def _close(live: _Live, d: Dispute, root: str, department: str) -> Dispute:
    return services.close(dispute=d, root_cause=live.roots[root], responsible_department=department,
                          note="Root cause confirmed by the department", by=live.analyst_for(d.customer))


def _negotiate(live: _Live, d: Dispute) -> Decimal:
    """An offer, the customer's counter-offer, and the figure they settle on (more than 0, less than all)."""
    analyst = live.analyst_for(d.customer)
    outstanding = d.outstanding_amount
    offer = round_money(outstanding * Decimal("0.3"), d.currency)
    counter = round_money(outstanding * Decimal("0.7"), d.currency)
    settle = round_money(outstanding / 2, d.currency)
    services.record_offer(dispute=d, kind="offer", party="company", amount=offer,
                          note="We can credit part of it as a goodwill gesture.", by=analyst)
    services.record_offer(dispute=d, kind="counter_offer", party="customer", amount=counter,
                          note="The customer wants most of it back.", by=analyst)
    services.record_offer(dispute=d, kind="offer", party="company", amount=settle,
                          note="Final offer: half, agreed on the phone.", by=analyst)
    return settle if ZERO < settle < outstanding else ZERO


def _mention(live: _Live, d: Dispute, *, manager: bool) -> None:
    analyst = live.analyst_for(d.customer)
    if manager:
        who = live.manager_for(d.customer).username
        body = f"@{who} the customer holds every payment until this is settled; can you call their finance lead?"
    else:
        collector = live.users.get(d.customer.collector_id or 0)
        who = collector.username if collector else live.manager_for(d.customer).username
        body = f"@{who} please pause reminders on this invoice, the money is in dispute until we hear back."
    services.add_comment(dispute=d, body=body, by=analyst)


def _task(live: _Live, d: Dispute, done: bool = False) -> None:
    analyst = live.analyst_for(d.customer)
    department = d.department or "logistics"
    task = services.add_task(dispute=d, title="Check the facts behind the customer's claim and report back",
                             department=department, due_date=live.due(live.r.randint(2, 10)), by=analyst)
    if done:
        services.complete_task(task=task, note="Checked: the customer is right about part of it.", by=analyst)


def _run(live: _Live, c: Candidate, scenario: str) -> None:
    d = _raise(live, c, scenario)
    if scenario == "new":
        return
    d = _review(live, d, c.reason)
    analyst = live.analyst_for(d.customer)
    if scenario in ("in_review", "lines"):
        _mention(live, d, manager=False)
        _task(live, d)
    elif scenario == "waiting_on_customer":
        services.add_comment(dispute=d, body="Asked the customer for photos and the delivery note.", internal=False,
                             by=analyst)
        services.record_offer(dispute=d, kind="offer", party="company",
                              amount=round_money(d.outstanding_amount / 4, d.currency),
                              note="Offered a quarter while we wait for their proof.", by=analyst)
        services.change_status(dispute=d, to="waiting_on_customer", note="Waiting for the customer's proof",
                               by=analyst)
    elif scenario == "waiting_on_internal":
        _task(live, d)
        services.change_status(dispute=d, to="waiting_on_internal", note="Waiting for the department", by=analyst)
    elif scenario == "escalated":
        _mention(live, d, manager=True)
        services.set_priority(dispute=d, priority=4, reason="Large amount, customer threatens to stop buying",
                              by=analyst)
        services.change_status(dispute=d, to="escalated", note="Escalated to the AR manager", by=analyst)
    elif scenario == "closed_credit":
        _task(live, d, done=True)
        d = _resolve(live, d, "accepted")
        _close(live, d, "shipping_error", "logistics")
    elif scenario == "partly_rebill":
        _mention(live, d, manager=False)
        settle = _negotiate(live, d)
        if settle:
            _resolve(live, d, "partly_accepted", settlement="rebill", accepted=settle)
    elif scenario == "rejected":
        _resolve(live, d, "rejected")
    elif scenario == "reopened":
        d = _close(live, _resolve(live, d, "rejected"), "customer_error", "accounts_receivable")
        services.reopen(dispute=d, reason="The customer sent a signed delivery note we had not seen", by=analyst)
    elif scenario == "accepted":
        _resolve(live, d, "accepted")
    elif scenario == "closed_write_off":
        if may_write_off(analyst, d.outstanding_amount, d.currency, live.today):
            d = _resolve(live, d, "accepted", settlement="write_off")
            _close(live, d, "contract_terms", "trade_marketing")
    elif scenario == "approval":
        services.resolve(dispute=d, outcome="accepted", settlement="write_off",
                         note="Above my limit: please approve the write-off", on=live.today, by=analyst)
    elif scenario == "closed_rejected":
        _close(live, _resolve(live, d, "rejected"), "customer_error", "accounts_receivable")


def _over_limit(live: _Live, waiting: list[Candidate]) -> Candidate | None:
    for c in sorted(waiting, key=lambda c: (-c.amount, c.invoice_id)):
        invoice = Invoice.objects.select_related("customer").get(pk=c.invoice_id)
        if not may_write_off(live.analyst_for(invoice.customer), c.amount, invoice.currency, live.today):
            return c
    return None


def _account(live: _Live, used: set[int]) -> None:
    """One dispute on an account: a customer contests two of its invoices at once."""
    rows = (Invoice.objects.filter(source="demo", open_amount__gt=0, disputed_amount=0).exclude(pk__in=used)
            .values("customer_id", "currency").order_by("customer_id", "currency"))
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row["customer_id"], row["currency"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            invoices = list(Invoice.objects.filter(customer_id=key[0], currency=key[1], open_amount__gt=0,
                                                   disputed_amount=0).exclude(pk__in=used).order_by("pk")[:2])
            customer = invoices[0].customer
            analyst = live.analyst_for(customer)
            d = services.raise_dispute(
                customer=customer, kind="account", items=[services.ItemInput(invoice=i) for i in invoices],
                description=("Our new controller wants every open item reviewed against the framework contract "
                             "before we pay; please send the signed price agreement."),
                reason_code=live.reasons["other"], owner=analyst, channel="email", by=analyst)
            live.raised[d.pk] = live.today - timedelta(days=6)
            services.change_status(dispute=d, to="waiting_on_customer", note="Sent them the agreement", by=analyst)
            return


def _backdate(live: _Live) -> None:
    """Set each live dispute's raised day (and so its SLA date and age) back to the day the story raised it."""
    for pk, raised in live.raised.items():
        dispute = Dispute.objects.select_related("reason_code").get(pk=pk)
        sla_days = dispute.reason_code.sla_days if dispute.reason_code else 20
        Dispute.objects.filter(pk=pk).update(raised_on=raised, sla_due=raised + timedelta(days=sla_days),
                                             created_at=at(raised, 10))


def work(ctx: DemoContext, by: Any) -> None:
    """Split the bulk-written disputes over SKUs, raise and work the story's open disputes through the services,
    then train the suggester."""
    sku_split.resplit_all()
    live = _Live(ctx=ctx, by=by, r=rng(ctx.plan.seed, "disputes", "live"), users=_user_map(ctx),
                 reasons={rc.code: rc for rc in ReasonCode.objects.all()},
                 roots={rc.code: rc for rc in RootCause.objects.all()}, raised={})
    if not live.users or not ctx.staffing.analysts:
        return
    waiting = candidates(ctx)
    invoices = [c for c in waiting if c.kind == "invoice"]
    deductions = [c for c in waiting if c.kind == "deduction"]
    used = {c.invoice_id for c in waiting}
    invoices += _fallbacks(live, used, len(INVOICE_SCENARIOS) - len(invoices))
    used |= {c.invoice_id for c in invoices}
    plans: list[tuple[Candidate, str]] = [(c, INVOICE_SCENARIOS[i % len(INVOICE_SCENARIOS)])
                                          for i, c in enumerate(invoices)]
    plans += [(c, DEDUCTION_SCENARIOS[i % len(DEDUCTION_SCENARIOS)]) for i, c in enumerate(deductions)]
    big = _over_limit(live, [c for c, s in plans if s in ("in_review", "waiting_on_customer")])
    if big is not None:  # one write-off above the analyst's limit waits for a manager
        plans = [(c, "approval" if c is big else s) for c, s in plans]
    for candidate, scenario in plans:
        try:
            _run(live, candidate, scenario)
        except DomainError:
            continue  # a story the services refuse (a line quantity below one unit) is left out, not forced
    _account(live, used)
    dispute_extras.add(ctx, list(live.raised), lambda d: live.analyst_for(d.customer))
    _backdate(live)
    dispute_mail.add(live.raised, lambda d: live.analyst_for(d.customer), ctx.plan.seed)  # threads, not sent
    with contextlib.suppress(NotEnoughExamples):  # classify.fit limits BLAS to one thread itself
        services.train_reason_model(by=by)  # a tiny demo has too few examples: suggestions use the keywords
