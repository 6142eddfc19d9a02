"""A small company for the page tests: two teams, a collector per team, and accounts in several states.

Dates are relative to today because pages age open items as of today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.customers.services import add_contact, create_customer
from ardesk.identity.models import User
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice, Payment
from tests.factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _pages_without_second_factor(settings):  # type: ignore[no-untyped-def]
    # The MFA step has its own tests (identity); here we look at what each role sees once signed in.
    settings.ARDESK_REQUIRE_MFA = False
    settings.ARDESK_SEE_ALL_CUSTOMERS = False
    # The list's filter menus are cached per user id; ids repeat from one test database to the next.
    cache.clear()


@dataclass
class World:
    today: date
    admin: User
    manager: User
    colin: User  # collector, team North
    cleo: User  # collector, team South
    analyst: User
    clerk: User
    auditor: User
    alpha: Customer
    alpha_sub: Customer
    beta: Customer
    omega: Customer  # Cleo's: outside Colin's portfolio
    yen: Customer
    cyrillic: Customer
    quirky: Customer
    a_overdue: Invoice
    a_current: Invoice
    a_paid: Invoice
    o_overdue: Invoice
    payment: Payment

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def _invoice(customer: Customer, number: str, amount: str, due_in_days: int, today: date, by: User,
             currency: str = "EUR", po: str = "", issued_days_before_due: int = 30) -> Invoice:
    due = today + timedelta(days=due_in_days)
    issued = due - timedelta(days=issued_days_before_due)
    return ledger.book_invoice(customer=customer, number=number, issue_date=issued, due_date=due, currency=currency,
                               amount=Decimal(amount), po_number=po, by=by)


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    admin = UserFactory(username="ada", role="admin", first_name="Ada", last_name="Admin")
    manager = UserFactory(username="max", role="ar_manager", first_name="Max", last_name="Manager")
    north = TeamFactory(name="North", manager=manager)
    south = TeamFactory(name="South")
    colin = UserFactory(username="colin", role="collector", first_name="Colin", last_name="Collector", team=north)
    cleo = UserFactory(username="cleo", role="collector", first_name="Cleo", last_name="Collector", team=south)
    analyst = UserFactory(username="ana", role="dispute_analyst", team=north)
    clerk = UserFactory(username="cora", role="cash_clerk")
    auditor = UserFactory(username="aud", role="auditor")

    def customer(number: str, name: str, collector: User, team: object, currency: str = "EUR",
                 **kw: object) -> Customer:
        return create_customer(by=admin, number=number, name=name, currency=currency, collector=collector,
                               team=team, **kw)

    alpha = customer("C-ALPHA", "Alpha GmbH", colin, north, country="DE", segment="enterprise",
                     credit_limit=Decimal("1000"))
    alpha_sub = customer("C-ALPHA-S", "Alpha Services GmbH", colin, north, country="DE", parent=alpha)
    beta = customer("C-BETA", "Beta SARL", colin, north, country="FR", segment="smb")
    omega = customer("C-OMEGA", "Omega Ltd", cleo, south, country="GB", segment="enterprise")
    yen = customer("C-YEN", "株式会社テスト商事", colin, north, country="JP", currency="JPY")
    cyrillic = customer("C-RU", "ООО Ромашка", colin, north, country="RS")
    quirky = customer("C-Q", "O'Brien & Sons 100% _best_", colin, north, country="IE")

    a_overdue = _invoice(alpha, "INV-A1", "300.00", -45, today, admin, po="PO-4711")
    a_current = _invoice(alpha, "INV-A2", "200.00", 10, today, admin)
    Invoice.objects.filter(pk=a_current.pk).update(disputed_amount=Decimal("50.00"))
    a_paid = _invoice(alpha, "INV-A0", "100.00", -100, today, admin)
    payment = ledger.record_payment(customer=alpha, number="PAY-A1", received_on=today - timedelta(days=90),
                                    currency="EUR", amount=Decimal("130.00"), by=admin)
    ledger.apply_payment(payment=payment, invoice=a_paid, amount=Decimal("100.00"),
                         on=today - timedelta(days=89), by=admin)
    _invoice(alpha_sub, "INV-S1", "50.00", -5, today, admin)
    _invoice(beta, "INV-B1", "80.00", 20, today, admin)
    o_overdue = _invoice(omega, "INV-O1", "999.00", -200, today, admin, po="PO-OMEGA")
    _invoice(yen, "INV-J1", "1200", -3, today, admin, currency="JPY")
    ledger.set_fx_rate(currency="JPY", rate_date=today - timedelta(days=1), rate=Decimal("0.0061"), by=admin)
    add_contact(customer=alpha, by=admin, name="Paula Payables", email="ap@alpha.example", is_primary=True)
    a_current.refresh_from_db()
    return World(today, admin, manager, colin, cleo, analyst, clerk, auditor, alpha, alpha_sub, beta, omega,
                 yen, cyrillic, quirky, a_overdue, a_current, a_paid, o_overdue, payment)
