"""Each role lands on a home page with its own figures, taken from the ledger and scoped."""

from __future__ import annotations

import pytest

from tests.web.html import Page

pytestmark = pytest.mark.django_db


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "next=/" in response["Location"]


def test_collector_sees_only_their_portfolio_totals_and_top_overdue(world):
    # when
    page = Page(world.client_for(world.colin).get("/").content)
    # then: EUR open = A1 300 + A2 200 + S1 50 + B1 80; Omega (Cleo's) is not in it
    totals = {row[0]: row[1:] for row in page.rows("portfolio-totals")}
    assert totals["EUR"] == ["EUR 630.00", "EUR 350.00", "EUR 50.00", "EUR 580.00", "4"]
    assert totals["JPY"][:2] == ["JPY 1,200", "JPY 1,200"]
    overdue = page.first_column("top-overdue")
    assert overdue[0] == "C-ALPHA Alpha GmbH"
    assert not any("OMEGA" in name for name in overdue)


def test_manager_sees_team_totals_and_each_collector(world):
    page = Page(world.client_for(world.manager).get("/").content)
    by_collector = page.rows("by-collector")
    assert by_collector[0][:4] == ["Colin Collector", "6", "EUR", "EUR 630.00"]
    # Cleo works in team South, which Max does not manage
    assert not any("Cleo" in row[0] for row in by_collector)


def test_analyst_sees_invoices_with_disputed_money(world):
    page = Page(world.client_for(world.analyst).get("/").content)
    assert page.rows("disputed-invoices") == [
        ["INV-A2", "C-ALPHA Alpha GmbH", world.a_current.due_date.isoformat(), "EUR 200.00", "EUR 50.00"],
    ]


def test_clerk_sees_unapplied_cash_and_recent_payments(world):
    page = Page(world.client_for(world.clerk).get("/").content)
    assert page.rows("unapplied-cash") == [["EUR", "EUR 30.00", "1", "EUR 0.00", "0"]]
    assert page.first_column("recent-payments") == ["PAY-A1"]


def test_admin_sees_users_teams_and_the_whole_ledger(world):
    page = Page(world.client_for(world.admin).get("/").content)
    assert "7 " in page.text("admin-overview") or "Customers 7" in page.text("admin-overview")
    roles = dict((row[0], row[1]) for row in page.rows("users-by-role"))
    assert roles["Collector"] == "2"
    ledger = {row[0]: row[1] for row in page.rows("ledger-totals")}
    assert ledger["EUR"] == "EUR 1,629.00"  # 630 + Omega's 999


def test_auditor_sees_the_ledger_and_the_latest_audit_events(world):
    page = Page(world.client_for(world.auditor).get("/").content)
    assert {row[0]: row[1] for row in page.rows("ledger-totals")}["EUR"] == "EUR 1,629.00"
    verbs = [row[3] for row in page.rows("audit-events")]
    assert "contact.added" in verbs and "payment.applied" in verbs


@pytest.mark.parametrize("role", ["collector", "ar_manager", "dispute_analyst", "cash_clerk", "admin", "auditor"])
def test_every_role_gets_the_shared_layout(world, role):
    user = {"collector": world.colin, "ar_manager": world.manager, "dispute_analyst": world.analyst,
            "cash_clerk": world.clerk, "admin": world.admin, "auditor": world.auditor}[role]
    response = world.client_for(user).get("/")
    page = Page(response.content)
    assert response.status_code == 200
    assert page.by_id("main") is not None and page.by_id(f"home-{role}") is not None
    assert user.role_label in page.text("current-user")
    assert "Customers" in page.text("nav-customers")


def test_adding_up_accounts_keeps_currencies_apart_and_the_oldest_due_date():
    from datetime import date
    from decimal import Decimal

    from ardesk.customers.queries import CurrencyFigures
    from ardesk.web.dashboards import add_up

    eur_a = CurrencyFigures("EUR", Decimal("10"), Decimal("5"), Decimal("1"), Decimal("9"), 2, date(2026, 3, 1))
    eur_b = CurrencyFigures("EUR", Decimal("20"), Decimal("0"), Decimal("0"), Decimal("20"), 1, date(2026, 1, 1))
    jpy = CurrencyFigures("JPY", Decimal("1000"), Decimal("1000"), Decimal("0"), Decimal("1000"), 1, None)
    eur, yen = add_up([[eur_a, jpy], [eur_b]])
    assert (eur.currency, eur.open, eur.overdue, eur.disputed, eur.collectible, eur.open_items, eur.oldest_due) == (
        "EUR", Decimal("30"), Decimal("5"), Decimal("1"), Decimal("29"), 3, date(2026, 1, 1))
    assert (yen.currency, yen.open) == ("JPY", Decimal("1000"))
