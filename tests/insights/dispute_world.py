"""Disputes for the report tests, made through the services, with figures worked out by hand.

Team North (customers Alpha, Beta, Yankee in USD) and a South customer outside the manager's scope.
Raise and resolution dates are moved back after the services ran (they stamp today): the money, the items
and the ledger entries are the services' own.

| dispute | customer / invoice           | reason         | amount      | raised | resolved           | root cause     |
|---------|------------------------------|----------------|-------------|--------|--------------------|----------------|
| d1      | Alpha A1 whole (SKU-1,SKU-2) | pricing        | 200.00 EUR  | −100   | −80, 50.00 granted | pricing_error  |
| d2      | Alpha A1 line 2 (SKU-2)      | pricing        | 60.00 EUR   | −10    | open, new          |                |
| d3      | Beta B1 whole (SKU-1)        | quantity_short | 150.00 EUR  | −70    | −60, rejected      | shipping_error |
| d4      | Yankee Y1 (no lines)         | pricing        | 400.00 USD  | −40    | −5, all granted    | pricing_error  |
| d5      | South S1                     | pricing        | 100.00 EUR  | −20    | open               |                |
| d6      | Alpha A2 (no lines, no rep)  | pricing        | 100.00 EUR  | −30    | open, new          |                |

USD converts at 0.9 (rate of day −50; an older 0.8 from day −200). Sales reps: A1 Rita, B1 and Y1 Sam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.disputes.models import CorrectiveAction, Dispute, ReasonCode, RootCause
from ardesk.disputes.services import ItemInput, change_status, close, raise_dispute, resolve
from ardesk.identity.models import Team, User
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from ardesk.ledger.services import LineInput
from tests.factories import CustomerFactory, TeamFactory, UserFactory


@dataclass
class DisputeWorld:
    today: date
    admin: User
    manager: User  # manages North
    analyst: User  # North
    north: Team
    south: Team
    alpha: Customer
    beta: Customer
    yank: Customer
    southern: Customer
    a1: Invoice
    d1: Dispute
    d2: Dispute
    d3: Dispute
    d4: Dispute
    d5: Dispute
    d6: Dispute


def backdate(dispute: Dispute, *, raised: date, sla_due: date, resolved: date | None = None) -> Dispute:
    resolved_at = timezone.make_aware(datetime.combine(resolved, time(12))) if resolved else None
    changes: dict[str, object] = {"raised_on": raised, "sla_due": sla_due}
    if resolved_at is not None:
        changes["resolved_at"] = resolved_at
    Dispute.objects.filter(pk=dispute.pk).update(**changes)
    dispute.refresh_from_db()
    return dispute


def build_dispute_world() -> DisputeWorld:
    today = timezone.localdate()

    def days(n: int) -> date:
        return today + timedelta(days=n)

    admin = UserFactory(username="ada", role="admin")
    manager = UserFactory(username="max", role="ar_manager", approval_limit=Decimal("100000"))
    north, south = TeamFactory(name="North", manager=manager), TeamFactory(name="South")
    analyst = UserFactory(username="dana", role="dispute_analyst", team=north, first_name="Dana",
                          last_name="Analyst", approval_limit=Decimal("1000"))
    alpha = CustomerFactory(number="C-ALPHA", name="Alpha GmbH", team=north)
    beta = CustomerFactory(number="C-BETA", name="Beta SARL", team=north)
    yank = CustomerFactory(number="C-YANK", name="Yankee Inc", team=north, currency="USD")
    southern = CustomerFactory(number="C-SOUTH", name="Southern Ltd", team=south)
    issued, due = days(-120), days(-90)
    a1 = ledger.book_invoice(customer=alpha, number="A1", issue_date=issued, due_date=due, currency="EUR",
                             sales_rep="Rita", by=admin,
                             lines=[LineInput("SKU-1", "Widget", Decimal("10"), Decimal("10.00")),
                                    LineInput("SKU-2", "Gadget", Decimal("1"), Decimal("100.00"))])
    a2 = ledger.book_invoice(customer=alpha, number="A2", issue_date=issued, due_date=due, currency="EUR",
                             amount=Decimal("300.00"), by=admin)
    b1 = ledger.book_invoice(customer=beta, number="B1", issue_date=issued, due_date=due, currency="EUR",
                             sales_rep="Sam", by=admin,
                             lines=[LineInput("SKU-1", "Widget", Decimal("3"), Decimal("50.00"))])
    y1 = ledger.book_invoice(customer=yank, number="Y1", issue_date=issued, due_date=due, currency="USD",
                             amount=Decimal("1000.00"), sales_rep="Sam", by=admin)
    s1 = ledger.book_invoice(customer=southern, number="S1", issue_date=issued, due_date=due, currency="EUR",
                             amount=Decimal("500.00"), by=admin)
    ledger.set_fx_rate(currency="USD", rate_date=days(-200), rate=Decimal("0.8"), by=admin)
    ledger.set_fx_rate(currency="USD", rate_date=days(-50), rate=Decimal("0.9"), by=admin)
    pricing = ReasonCode.objects.get(code="pricing")
    short = ReasonCode.objects.get(code="quantity_short")
    pricing_error = RootCause.objects.get(code="pricing_error")
    shipping_error = RootCause.objects.get(code="shipping_error")

    def settle(dispute: Dispute, outcome: str, accepted: str | None, cause: RootCause | None) -> Dispute:
        change_status(dispute=dispute, to="in_review", by=analyst)
        resolve(dispute=dispute, outcome=outcome, accepted_amount=Decimal(accepted) if accepted else None,
                by=analyst)
        if cause is not None:
            close(dispute=dispute, root_cause=cause, responsible_department="sales", by=analyst)
        return dispute

    d1 = raise_dispute(customer=alpha, kind="invoice", items=[ItemInput(a1)], reason_code=pricing, by=analyst)
    settle(d1, "partly_accepted", "50.00", pricing_error)
    line2 = a1.lines.get(line_no=2)
    d2 = raise_dispute(customer=alpha, kind="lines", items=[ItemInput(a1, Decimal("60.00"), line=line2)],
                       reason_code=pricing, by=analyst)
    d3 = raise_dispute(customer=beta, kind="invoice", items=[ItemInput(b1)], reason_code=short, by=analyst)
    settle(d3, "rejected", None, shipping_error)
    d4 = raise_dispute(customer=yank, kind="invoice", items=[ItemInput(y1, Decimal("400.00"))], reason_code=pricing,
                       by=analyst)
    settle(d4, "accepted", None, pricing_error)
    d5 = raise_dispute(customer=southern, kind="invoice", items=[ItemInput(s1, Decimal("100.00"))],
                       reason_code=pricing, by=admin)
    d6 = raise_dispute(customer=alpha, kind="invoice", items=[ItemInput(a2, Decimal("100.00"))], reason_code=pricing,
                       owner=analyst, by=analyst, confirm_duplicate=True)
    backdate(d1, raised=days(-100), sla_due=days(-85), resolved=days(-80))
    backdate(d2, raised=days(-10), sla_due=days(5))
    backdate(d3, raised=days(-70), sla_due=days(-60), resolved=days(-60))
    backdate(d4, raised=days(-40), sla_due=days(-25), resolved=days(-5))
    backdate(d5, raised=days(-20), sla_due=days(-5))
    backdate(d6, raised=days(-30), sla_due=days(-15))
    return DisputeWorld(today, admin, manager, analyst, north, south, alpha, beta, yank, southern, a1,
                        d1, d2, d3, d4, d5, d6)


def matrix_corrective_action() -> CorrectiveAction:
    """A corrective action for the access matrix (tests/access), on a root cause of its own."""
    cause, _ = RootCause.objects.get_or_create(code="matrix_cause", defaults={"label": "Matrix cause"})
    return CorrectiveAction.objects.create(root_cause=cause, title="Check prices twice", department="pricing",
                                           effective_from=date(2026, 1, 1))
