"""The SKU and sales-rep reports where a dispute has several rows under one key: a dispute over two invoices that
share a SKU, and an invoice that has the same SKU on two lines. Each dispute counts once per SKU or rep, and its
money is split in proportion to the lines' gross amounts (figures worked out by hand below)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from ardesk.disputes.models import ReasonCode
from ardesk.disputes.services import ItemInput, raise_dispute
from ardesk.insights.dispute_report import ReportKind, default_period
from ardesk.insights.dispute_tables import dispute_report
from ardesk.ledger import services as ledger
from ardesk.ledger.services import LineInput
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    """P1: SKU-A 100 + SKU-A 50 + SKU-B 50 (gross 200); P2: SKU-A 100; both Rita's.
    `several`: 100 on P1 (SKU-A 50 + 25, SKU-B 25) and 40 on P2 (SKU-A 40): SKU-A 115, SKU-B 25.
    `single`: 20 on P1 (SKU-A 10 + 5, SKU-B 5). `lines`: 5 on each SKU-A line of P1 (SKU-A 10)."""
    admin = UserFactory(username="ada", role="admin")
    customer = CustomerFactory(number="C-SPLIT", name="Split AG")
    today = timezone.localdate()
    p1 = ledger.book_invoice(customer=customer, number="P1", issue_date=today, due_date=today, currency="EUR",
                             sales_rep="Rita", by=admin,
                             lines=[LineInput("SKU-A", "Widget", D("10"), D("10.00")),
                                    LineInput("SKU-A", "Widget, loose", D("1"), D("50.00")),
                                    LineInput("SKU-B", "Gadget", D("1"), D("50.00"))])
    p2 = ledger.book_invoice(customer=customer, number="P2", issue_date=today, due_date=today, currency="EUR",
                             sales_rep="Rita", by=admin, lines=[LineInput("SKU-A", "Widget", D("10"), D("10.00"))])
    pricing = ReasonCode.objects.get(code="pricing")
    raise_dispute(customer=customer, kind="account", items=[ItemInput(p1, D("100.00")), ItemInput(p2, D("40.00"))],
                  reason_code=pricing, by=admin)
    raise_dispute(customer=customer, kind="invoice", items=[ItemInput(p1, D("20.00"))], reason_code=pricing,
                  by=admin, confirm_duplicate=True)
    first, second = p1.lines.get(line_no=1), p1.lines.get(line_no=2)
    raise_dispute(customer=customer, kind="lines", items=[ItemInput(p1, D("5.00"), line=first),
                                                          ItemInput(p1, D("5.00"), line=second)],
                  reason_code=pricing, by=admin, confirm_duplicate=True)
    return admin


def _report(kind: ReportKind, user: object):  # type: ignore[no-untyped-def]
    return dispute_report(kind, period=default_period(timezone.localdate()), user=user)


def test_a_dispute_counts_once_per_sku_however_many_of_its_lines_carry_it(admin):  # type: ignore[no-untyped-def]
    table = _report(ReportKind.BY_SKU, admin)
    a, b = table.row("SKU-A"), table.row("SKU-B")
    assert (a["disputes"], a["amount"], a["open"], a["resolved"]) == (3, D("140.00"), 3, 0)
    assert (b["disputes"], b["amount"], b["open"]) == (2, D("30.00"), 2)
    assert table.total["amount"] == D("170.00") and len(table.rows) == 2


def test_a_dispute_over_two_invoices_of_one_rep_counts_once(admin):  # type: ignore[no-untyped-def]
    table = _report(ReportKind.BY_SALES_REP, admin)
    rita = table.row("Rita")
    assert (rita["disputes"], rita["amount"], rita["open"]) == (3, D("170.00"), 3)
    assert len(table.rows) == 1
