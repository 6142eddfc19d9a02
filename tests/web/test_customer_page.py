"""The account page: figures, open items with aging, cash, documents, contacts, timeline, group view, scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ardesk.ledger import services as ledger
from ardesk.web import timeline
from tests.factories import InvoiceFactory
from tests.web.html import Page

pytestmark = pytest.mark.django_db


def account(world, user, customer, **params):  # type: ignore[no-untyped-def]
    response = world.client_for(user).get(f"/customers/{customer.pk}/", params)
    assert response.status_code == 200, response.content[:300]
    return Page(response.content)


def test_header_figures(world):
    # when
    page = account(world, world.colin, world.alpha)
    # then: open 300 + 200, overdue 300, disputed 50 (on the current invoice), collectible 450
    assert page.text("figure-open-EUR").startswith("EUR 500.00")
    assert page.text("figure-overdue-EUR") == "EUR 300.00"
    assert page.text("figure-disputed-EUR") == "EUR 50.00"
    assert page.text("figure-collectible-EUR") == "EUR 450.00"
    assert page.text("figure-credit-used").startswith("50.0 %")  # 500 of a 1,000 limit
    # INV-A0 was due 100 days ago and paid 90 days ago: 10 days late
    assert page.text("figure-days-late").startswith("10.0")


def test_average_days_late_ignores_reversed_applications(world):
    # given the only application is reversed
    application = world.a_paid.applications.get()
    ledger.reverse_application(application=application, reason="wrong customer", by=world.admin)
    # then there is nothing left to measure lateness from
    assert "no payments in 12 months" in account(world, world.colin, world.alpha).text("figure-days-late")


def test_open_items_carry_their_aging_bucket(world):
    rows = account(world, world.colin, world.alpha).rows("open-items")
    assert [(r[0], r[3], r[6], r[7], r[8]) for r in rows] == [
        ("INV-A1", "31–60", "EUR 300.00", "EUR 0.00", "EUR 300.00"),
        ("INV-A2", "Current", "EUR 200.00", "EUR 50.00", "EUR 150.00"),
    ]


def test_open_items_are_paginated(world):
    for i in range(30):
        InvoiceFactory(customer=world.beta, number=f"INV-B{i + 10:03d}", issue_date=world.today,
                       due_date=world.today + timedelta(days=i))
    first = account(world, world.colin, world.beta)
    second = account(world, world.colin, world.beta, open_page="2")
    assert len(first.rows("open-items")) == 25
    assert len(second.rows("open-items")) == 6
    assert "Page 2 of 2" in Page(world.client_for(world.colin).get(
        f"/customers/{world.beta.pk}/?open_page=2").content).root.text()


def test_payments_show_what_they_were_applied_to_and_unapplied_cash(world):
    page = account(world, world.colin, world.alpha)
    [payment] = page.rows("payments")
    assert payment[0] == "PAY-A1"
    assert payment[3:5] == ["EUR 130.00", "EUR 30.00"]
    assert payment[5].startswith("INV-A0 EUR 100.00")
    assert page.rows("unapplied-cash") == [["EUR", "EUR 30.00", "1", "EUR 0.00", "0"]]


def test_credit_memos_write_offs_and_contacts(world):
    # given
    memo = ledger.book_credit_memo(customer=world.alpha, number="CM-1", issue_date=world.today, currency="EUR",
                                   amount=Decimal("20.00"), reason="damaged goods", by=world.admin)
    ledger.apply_credit_memo(credit_memo=memo, invoice=world.a_overdue, amount=Decimal("20.00"), by=world.admin)
    ledger.write_off(invoice=world.a_overdue, amount=Decimal("5.00"), reason_code="small_balance", by=world.admin)
    # when
    page = account(world, world.colin, world.alpha)
    # then
    [memo_row] = page.rows("credit-memos")
    assert memo_row[0] == "CM-1" and memo_row[3] == "damaged goods" and memo_row[5] == "EUR 0.00"
    assert memo_row[6].startswith("INV-A1 EUR 20.00")
    [write_off] = page.rows("write-offs")
    assert write_off[0] == "INV-A1" and write_off[2] == "small_balance" and write_off[5] == "EUR 5.00"
    assert page.rows("contacts")[0][0] == "Paula Payables primary"
    assert page.text("figure-open-EUR").startswith("EUR 475.00")


def test_timeline_tells_the_account_story_newest_first(world):
    items = account(world, world.colin, world.alpha).text("activity-timeline")
    assert "Contact Paula Payables added" in items
    assert "Payment PAY-A1 applied to INV-A0: EUR 100.00" in items
    assert "Invoice INV-A1 booked" in items
    assert "Customer C-ALPHA created" in items
    assert items.index("Contact Paula Payables added") < items.index("Invoice INV-A1 booked")


def test_timeline_merges_sources_that_capabilities_register(world):
    # given a later capability (calls) registers its source
    @timeline.register("test-calls")
    def calls(customer_ids, limit):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        if world.alpha.pk in customer_ids:
            yield timeline.TimelineEntry(at=timezone.now() + timedelta(hours=1), kind="call",
                                         title="Called Paula: promised to pay Friday", actor="colin")

    try:
        items = account(world, world.colin, world.alpha).text("activity-timeline")
    finally:
        timeline._SOURCES.pop("test-calls")
    # then the call is first (newest) and the audit entries are still there
    assert items.index("Called Paula") < items.index("Contact Paula Payables added")


def test_group_view_rolls_up_visible_subsidiaries(world):
    alone = account(world, world.colin, world.alpha)
    group = account(world, world.colin, world.alpha, group="1")
    assert "Include subsidiaries" in alone.text("group-toggle")
    assert group.text("figure-open-EUR").startswith("EUR 550.00")  # 500 + subsidiary's 50
    assert [r[0] for r in group.rows("open-items")] == ["INV-A1", "INV-S1", "INV-A2"]


def test_group_view_leaves_out_subsidiaries_outside_the_users_scope(world):
    # given the subsidiary moves to Cleo's portfolio
    world.alpha_sub.collector = world.cleo
    world.alpha_sub.save()
    # then Colin's group view of Alpha shows none of it
    group = account(world, world.colin, world.alpha, group="1")
    assert group.text("figure-open-EUR").startswith("EUR 500.00")
    assert "INV-S1" not in group.text("open-items")


def test_another_portfolios_customer_is_a_friendly_404(world):
    response = world.client_for(world.colin).get(f"/customers/{world.omega.pk}/")
    assert response.status_code == 404
    page = Page(response.content)
    assert "nothing here that you may see" in page.text("not-found")
    assert "Omega" not in response.content.decode()


@pytest.mark.parametrize("path", ["/customers/999999/", "/customers/99999999999999999999999/", "/customers/abc/"])
def test_unknown_customer_is_404(world, path):
    assert world.client_for(world.admin).get(path).status_code == 404


def test_each_role_may_open_an_account_in_its_scope(world):
    for user in (world.colin, world.manager, world.analyst, world.clerk, world.admin, world.auditor):
        assert account(world, user, world.alpha).text("figure-open-EUR").startswith("EUR 500.00")
    assert world.client_for(world.manager).get(f"/customers/{world.omega.pk}/").status_code == 404
    assert world.client_for(world.clerk).get(f"/customers/{world.omega.pk}/").status_code == 200


def test_yen_account_shows_whole_yen(world):
    page = account(world, world.colin, world.yen)
    assert page.text("figure-open-JPY").startswith("JPY 1,200")
    assert page.rows("open-items")[0][6] == "JPY 1,200"
