"""A small ledger for the aging tests: two teams, two collectors, five customers in two currencies.

Dates are relative to today because the page, the API and the command age as of the real today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.identity.models import Team, User
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from tests.factories import CustomerFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _quick_sign_in(settings):  # type: ignore[no-untyped-def]
    # The second factor has its own tests (identity); these look at what each role sees once signed in.
    settings.ARDESK_REQUIRE_MFA = False
    settings.ARDESK_SEE_ALL_CUSTOMERS = False
    settings.ARDESK_COMPANY_CURRENCY = "EUR"
    settings.ARDESK_AGING_BUCKETS = [30, 60, 90, 120]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Books:
    today: date
    admin: User
    manager: User  # manages North
    colin: User  # collector, North
    cleo: User  # collector, South
    north: Team
    south: Team
    alpha: Customer  # Colin's, DE, enterprise
    beta: Customer  # Colin's, FR, smb
    yank: Customer  # Cleo's, US, pays in USD
    orphan: Customer  # no collector, no team, no segment
    a_late: Invoice  # 300.00 EUR, 45 days past due
    a_current: Invoice  # 200.00 EUR, due in 10 days, 50.00 disputed
    a_paid: Invoice  # 100.00 EUR, paid 89 days ago
    b_late: Invoice  # 80.00 EUR, 5 days past due
    y_old: Invoice  # 1000.00 USD, 200 days past due, 100.00 written off 10 days ago
    o_old: Invoice  # 55.55 EUR, 130 days past due


def book(customer: Customer, number: str, amount: str, *, due: date, by: User, issued_days_before_due: int = 30,
         currency: str | None = None) -> Invoice:
    issued = due - timedelta(days=issued_days_before_due)
    return ledger.book_invoice(customer=customer, number=number, issue_date=issued, due_date=due,
                               currency=currency or customer.currency, amount=Decimal(amount), by=by)


@pytest.fixture
def books(db) -> Books:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    days = lambda n: today + timedelta(days=n)  # noqa: E731
    admin = UserFactory(username="ada", role="admin")
    manager = UserFactory(username="max", role="ar_manager", first_name="Max", last_name="Manager")
    north = TeamFactory(name="North", manager=manager)
    south = TeamFactory(name="South")
    colin = UserFactory(username="colin", role="collector", first_name="Colin", last_name="Collector", team=north)
    cleo = UserFactory(username="cleo", role="collector", team=south)
    alpha = CustomerFactory(number="C-ALPHA", name="Alpha GmbH", collector=colin, team=north, country="DE",
                            segment="enterprise")
    beta = CustomerFactory(number="C-BETA", name="Beta SARL", collector=colin, team=north, country="FR", segment="smb")
    yank = CustomerFactory(number="C-YANK", name="Yankee Inc", collector=cleo, team=south, country="US",
                           currency="USD", segment="enterprise")
    orphan = CustomerFactory(number="C-ORPH", name="Orphan BV", country="NL", segment="")
    a_late = book(alpha, "A-LATE", "300.00", due=days(-45), by=admin)
    a_current = book(alpha, "A-CURRENT", "200.00", due=days(10), by=admin)
    Invoice.objects.filter(pk=a_current.pk).update(disputed_amount=Decimal("50.00"))  # disputes keep this cache
    a_paid = book(alpha, "A-PAID", "100.00", due=days(-100), by=admin)
    payment = ledger.record_payment(customer=alpha, number="P-ALPHA", received_on=days(-89), currency="EUR",
                                    amount=Decimal("100.00"), by=admin)
    ledger.apply_payment(payment=payment, invoice=a_paid, amount=Decimal("100.00"), on=days(-89), by=admin)
    b_late = book(beta, "B-LATE", "80.00", due=days(-5), by=admin)
    y_old = book(yank, "Y-OLD", "1000.00", due=days(-200), by=admin)
    ledger.write_off(invoice=y_old, amount=Decimal("100.00"), reason_code="small_balance", on=days(-10), by=admin)
    o_old = book(orphan, "O-OLD", "55.55", due=days(-130), by=admin)
    ledger.set_fx_rate(currency="USD", rate_date=days(-400), rate=Decimal("0.9"), by=admin)
    ledger.set_fx_rate(currency="USD", rate_date=days(-1), rate=Decimal("0.92"), by=admin)
    for invoice in (a_late, a_current, a_paid, b_late, y_old, o_old):
        invoice.refresh_from_db()
    return Books(today, admin, manager, colin, cleo, north, south, alpha, beta, yank, orphan,
                 a_late, a_current, a_paid, b_late, y_old, o_old)
