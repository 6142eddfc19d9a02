"""Money on pages is shown at the currency's minor unit with its code; the navigation hides unwired pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.web import nav
from ardesk.web.templatetags.ardesk import money
from tests.factories import UserFactory


@pytest.mark.parametrize(("amount", "currency", "shown"), [
    (Decimal("1234.500"), "EUR", "EUR\xa01,234.50"),
    (Decimal("1200.000"), "JPY", "JPY\xa01,200"),
    (Decimal("1.235"), "KWD", "KWD\xa01.235"),
    (Decimal("0.005"), "EUR", "EUR\xa00.01"),  # half-up, as money is booked
    (Decimal("-5.100"), "USD", "USD\xa0-5.10"),
    (0, "eur", "EUR\xa00.00"),
])
def test_money_uses_the_currency_minor_unit_and_code(amount, currency, shown):
    assert money(amount, currency) == shown


def test_money_of_nothing_is_empty_and_an_unknown_currency_does_not_break_the_page():
    assert money(None, "EUR") == ""
    assert money(Decimal("5"), "XXXX") == "5"


@pytest.mark.django_db
def test_navigation_lists_wired_pages_the_role_may_open():
    # given a collector, and a capability whose page is not wired yet
    collector = UserFactory(role="collector")
    nav.register(nav.NavItem("later", "Later", ("nowhere:page",), order=99))
    try:
        # when
        entries = nav.entries_for(collector, "/customers/")
    finally:
        nav._ITEMS.pop("later")
    # then
    labels = [e["label"] for e in entries]
    assert labels[:2] == ["Home", "Customers"]
    assert "Later" not in labels
    assert next(e for e in entries if e["label"] == "Customers")["current"] is True


def test_navigation_is_empty_for_anonymous_visitors():
    from django.contrib.auth.models import AnonymousUser

    assert nav.entries_for(AnonymousUser()) == []
