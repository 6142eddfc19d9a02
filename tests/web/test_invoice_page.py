"""The invoice page: header, lines, applications with reversals, write-offs, credit memos, history, scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ardesk.ledger import services as ledger
from ardesk.ledger.services import LineInput
from tests.web.html import Page

pytestmark = pytest.mark.django_db


def invoice_page(world, user, invoice):  # type: ignore[no-untyped-def]
    response = world.client_for(user).get(f"/invoices/{invoice.pk}/")
    assert response.status_code == 200, response.content[:300]
    return Page(response.content)


def test_invoice_with_lines_shows_them_and_their_totals(world):
    # given
    invoice = ledger.book_invoice(
        customer=world.beta, number="INV-LINES", issue_date=world.today, due_date=world.today + timedelta(days=30),
        currency="EUR", by=world.admin, po_number="PO-9",
        lines=[LineInput("SKU-1", "Widgets", Decimal("3"), Decimal("9.99"), Decimal("5.69")),
               LineInput("SKU-2", "Shipping", Decimal("10"), Decimal("12.50"))],
    )
    # when
    page = invoice_page(world, world.colin, invoice)
    # then
    assert page.rows("invoice-lines") == [
        ["1", "SKU-1", "Widgets", "3", "9.99", "EUR 5.69", "EUR 29.97"],
        ["2", "SKU-2", "Shipping", "10", "12.5", "EUR 0.00", "EUR 125.00"],
    ]
    assert page.text("invoice-amount").startswith("EUR 160.66")  # 29.97 + 125.00 + tax 5.69
    assert page.text("invoice-open") == "EUR 160.66"


def test_applications_include_reversals_and_history_tells_the_story(world):
    # given a second application that is reversed
    application = ledger.apply_payment(payment=world.payment, invoice=world.a_overdue, amount=Decimal("30.00"),
                                       by=world.clerk)
    ledger.reverse_application(application=application, reason="belongs to INV-A2", by=world.clerk)
    # when
    page = invoice_page(world, world.colin, world.a_overdue)
    # then
    rows = page.rows("invoice-applications")
    assert [(r[1], r[2], r[4]) for r in rows] == [
        ("Payment PAY-A1", "", "EUR 30.00"),
        ("Payment PAY-A1 — reversal", "belongs to INV-A2", "EUR -30.00"),
    ]
    assert page.text("invoice-open") == "EUR 300.00"
    history = page.text("invoice-history")
    assert "Application on INV-A1 reversed: EUR 30.00" in history and "belongs to INV-A2" in history
    assert history.index("reversed") < history.index("Invoice INV-A1 booked")


def test_write_offs_credit_memos_and_the_aging_of_an_overdue_invoice(world):
    memo = ledger.book_credit_memo(customer=world.alpha, number="CM-9", issue_date=world.today, currency="EUR",
                                   amount=Decimal("10.00"), reason="price", invoice=world.a_overdue, by=world.admin)
    entry = ledger.write_off(invoice=world.a_overdue, amount=Decimal("7.00"), reason_code="small_balance",
                             by=world.analyst)
    ledger.reverse_write_off(entry=entry, reason="booked twice", by=world.analyst)
    page = invoice_page(world, world.analyst, world.a_overdue)
    assert [r[1] for r in page.rows("invoice-write-offs")] == ["small_balance", "small_balance (reversal)"]
    assert page.rows("invoice-credit-memos")[0][0] == memo.number
    assert "45 days past due · 31–60" in page.text("invoice-figures")


def test_disputed_invoice_shows_disputed_and_collectible(world):
    page = invoice_page(world, world.analyst, world.a_current)
    assert page.text("invoice-disputed") == "EUR 50.00"
    assert page.text("invoice-collectible") == "EUR 150.00"


def test_invoice_of_another_portfolio_is_404(world):
    response = world.client_for(world.colin).get(f"/invoices/{world.o_overdue.pk}/")
    assert response.status_code == 404
    assert "INV-O1" not in response.content.decode()


@pytest.mark.parametrize("path", ["/invoices/0/", "/invoices/424242/", "/invoices/99999999999999999999999/"])
def test_unknown_invoice_is_404(world, path):
    assert world.client_for(world.admin).get(path).status_code == 404


def test_every_role_may_open_an_invoice_in_scope(world):
    for user in (world.colin, world.manager, world.analyst, world.clerk, world.admin, world.auditor):
        assert invoice_page(world, user, world.a_overdue).text("invoice-open") == "EUR 300.00"


def test_signed_out_visitor_is_sent_to_sign_in(client, world):
    response = client.get(f"/invoices/{world.a_overdue.pk}/")
    assert response.status_code == 302
