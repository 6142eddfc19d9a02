"""One page of the aging by customer, cut in PostgreSQL, must be exactly the rows and totals of the whole report.

The whole report is built in Python (report.build_report); the page is converted, merged, sorted and cut in
SQL (aging_sql.customer_page_statement). Customers here hold several currencies at awkward rates, ties in
their totals, and disputed money, so rounding, merging and ordering all have to agree.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from ardesk.insights.queries import aging_page, aging_report
from ardesk.insights.report import Grouping, Source
from ardesk.ledger import services as ledger
from ardesk.ledger.models import FxRate, Invoice
from ardesk.ledger.queries import NoFxRate
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the aging page is cut in SQL on PostgreSQL only (SQLite slices the Python report): "
                    "run with DATABASE_URL=postgres://…")


@pytest.fixture
def ledger_of_many(settings):  # type: ignore[no-untyped-def]
    settings.ARDESK_COMPANY_CURRENCY = "EUR"
    settings.ARDESK_AGING_BUCKETS = [30, 60, 90]
    today = timezone.localdate()
    admin = UserFactory(username="ada", role="admin")
    for currency, rate in (("USD", "0.9237461"), ("JPY", "0.0061235"), ("KWD", "2.9876543")):
        FxRate.objects.create(currency=currency, rate_date=today - timedelta(days=3), rate=Decimal(rate))
    rnd = random.Random(7)
    for n in range(37):
        customer = CustomerFactory(number=f"C{n:03d}", name=f"Customer {n % 5}")  # repeated names: label ties
        for i in range(rnd.randrange(1, 5)):
            currency = rnd.choice(("EUR", "EUR", "USD", "JPY", "KWD"))
            places = {"JPY": 0, "KWD": 3}.get(currency, 2)
            amount = Decimal(rnd.choice((1000, 2345, 777))).scaleb(-places) if n % 6 == 0 else \
                Decimal(rnd.randrange(1, 10**6)).scaleb(-places)  # every sixth customer: totals that tie
            due = today - timedelta(days=rnd.randrange(-20, 150))
            invoice = ledger.book_invoice(customer=customer, number=f"I{n:03d}-{i}", issue_date=due - timedelta(30),
                                          due_date=due, currency=currency, amount=amount, by=admin)
            if i == 0 and n % 4 == 0:
                Invoice.objects.filter(pk=invoice.pk).update(disputed_amount=amount / 3)
    return admin


@pytest.mark.parametrize("source", [Source.CACHE, Source.ROLLBACK])
@pytest.mark.parametrize("per_page", [1, 7, 100])
def test_every_page_is_the_whole_reports_rows_in_order(ledger_of_many, source: Source, per_page: int):
    today = timezone.localdate()
    whole = aging_report(as_of=today, by=Grouping.CUSTOMER, user=None, source=source)
    assert len(whole.rows) == 37
    pages = []
    for offset in range(0, 40, per_page):
        page, count = aging_page(as_of=today, by=Grouping.CUSTOMER, user=None, source=source, limit=per_page,
                                 offset=offset)
        assert count == 37
        assert page.totals == whole.totals
        assert page.rates == whole.rates
        pages.extend(page.rows)
        if offset + per_page >= count:
            break
    assert [(r.key, r.label, r.amounts) for r in pages] == [(r.key, r.label, r.amounts) for r in whole.rows]


def test_a_page_past_the_end_is_the_last_page(ledger_of_many):
    today = timezone.localdate()
    page, count = aging_page(as_of=today, by=Grouping.CUSTOMER, user=None, limit=10, offset=500)
    whole = aging_report(as_of=today, by=Grouping.CUSTOMER, user=None)
    assert count == 37
    assert [r.key for r in page.rows] == [r.key for r in whole.rows[30:]]


def test_the_page_sees_only_the_users_customers(ledger_of_many):
    collector = UserFactory(username="colin", role="collector")
    mine = CustomerFactory(number="MINE", collector=collector)
    ledger.book_invoice(customer=mine, number="MINE-1", issue_date=timezone.localdate() - timedelta(60),
                        due_date=timezone.localdate() - timedelta(30), currency="EUR", amount=Decimal("12.34"),
                        by=ledger_of_many)
    page, count = aging_page(as_of=timezone.localdate(), by=Grouping.CUSTOMER, user=collector, limit=10, offset=0)
    assert count == 1
    assert [r.label for r in page.rows] == [f"MINE {mine.name}"]
    assert page.totals.total == Decimal("12.34")


def test_a_currency_without_a_rate_is_named(ledger_of_many):
    FxRate.objects.filter(currency="KWD").delete()
    with pytest.raises(NoFxRate, match="KWD"):
        aging_page(as_of=timezone.localdate(), by=Grouping.CUSTOMER, user=None, limit=10, offset=0)
