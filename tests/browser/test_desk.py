"""The desk in a real browser: sign in as each role, find a customer, read the account, drill from aging.

Each test loads a small demo company (the same generator as `make demo`) and saves screenshots of the
main pages into docs/screenshots/ for the README's tour.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db.models import Sum
from playwright.sync_api import Page, expect

from ardesk.audit.services import SYSTEM
from ardesk.customers.models import Customer
from ardesk.demo.plan import plan_for
from ardesk.demo.services import load_demo
from ardesk.identity.models import User
from ardesk.identity.roles import Role
from ardesk.ledger.models import Invoice
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def demo(live_server: Any) -> None:
    plan = plan_for(size=None, invoices=600, customers=None, seed=7, today=date.today(), company_currency="EUR")
    load_demo(plan=plan, by=SYSTEM)


def _user(role: Role) -> User:
    return User.objects.filter(role=role).order_by("username").first()  # type: ignore[return-value]


def _portfolio_customer(collector: User) -> Customer:
    """The collector's customer with the most open money (so the account page has something to show)."""
    return (Customer.objects.filter(collector=collector).annotate(open=Sum("invoices__open_amount"))
            .filter(open__gt=0).order_by("-open").first())  # type: ignore[return-value]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_to_its_home(demo: None, sign_in: Callable[..., Page], role: Role) -> None:
    # given a demo user of that role; when they sign in through the form (TOTP for managers and admins)
    page = sign_in(_user(role))
    # then they land on their home page, named as themselves
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("header")).to_contain_text(Role(role).label)
    if role in (Role.COLLECTOR, Role.AR_MANAGER):
        screenshot(page, f"home-{role.value}")


def test_sign_in_page(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    screenshot(page, "sign-in")


def test_collector_searches_and_walks_to_an_invoice(demo: None, sign_in: Callable[..., Page], live_server: Any) -> None:
    collector = _user(Role.COLLECTOR)
    customer = _portfolio_customer(collector)
    page = sign_in(collector)
    # when the collector searches by part of the name
    page.goto(f"{live_server.url}/customers/")
    page.locator("#customer-search").fill(customer.name[:8])
    page.locator("#customer-search").press("Enter")
    # then the customer is listed, and opens on its account page
    table = page.locator("#customer-table")
    expect(table).to_contain_text(customer.number)
    screenshot(page, "customer-list")
    table.get_by_role("link", name=re.compile(re.escape(customer.number))).first.click()
    expect(page.locator("#account-figures")).to_be_visible()
    expect(page.locator("#open-items")).to_be_visible()
    screenshot(page, "account")
    # and an open item leads to its invoice with its lines
    invoice = customer.invoices.filter(open_amount__gt=0).order_by("due_date").first()
    page.locator("#open-items").get_by_role("link", name=invoice.number).first.click()
    expect(page.locator("#invoice-lines")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text(invoice.number)
    screenshot(page, "invoice")


def test_collector_cannot_open_another_portfolio(demo: None, sign_in: Callable[..., Page], live_server: Any) -> None:
    collector = _user(Role.COLLECTOR)
    stranger = Customer.objects.exclude(collector=collector).first()
    page = sign_in(collector)
    response = page.goto(f"{live_server.url}/customers/{stranger.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("main")).not_to_contain_text(stranger.name)
    foreign_invoice = Invoice.objects.exclude(customer__collector=collector).first()
    response = page.goto(f"{live_server.url}/invoices/{foreign_invoice.pk}/")
    assert response is not None and response.status == 404


def test_manager_drills_from_aging_to_an_invoice(demo: None, sign_in: Callable[..., Page], live_server: Any) -> None:
    manager = _user(Role.AR_MANAGER)
    page = sign_in(manager)
    page.goto(f"{live_server.url}/aging/")
    expect(page.locator("#aging-table")).to_be_visible()
    screenshot(page, "aging")
    # when the manager opens the cell of the oldest bucket that has money in it
    cells = page.locator("#aging-table tbody td a")
    expect(cells.first).to_be_visible()
    cells.first.click()
    drill = page.locator("#drill-table")
    expect(drill).to_be_visible()
    # then the invoices behind it are listed, and one opens on its page
    first_invoice = drill.locator("tbody tr td a").first
    number = first_invoice.inner_text()
    first_invoice.click()
    expect(page.locator("main h1")).to_contain_text(number)
