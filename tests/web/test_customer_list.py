"""The customer list: one search box, filters, server-side sort and pages, htmx fragments, scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, InvoiceFactory
from tests.web.html import Page

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:500]
    return [row[0] for row in Page(response.content).rows("customer-table") if row[0] != "No customer matches."]


def test_list_shows_the_portfolio_with_figures_in_each_currency(world):
    # when
    response = world.client_for(world.colin).get("/customers/")
    # then: Cleo's Omega is not in Colin's list
    rows = {row[0]: row for row in Page(response.content).rows("customer-table")}
    assert set(rows) == {"C-ALPHA", "C-ALPHA-S", "C-BETA", "C-Q", "C-RU", "C-YEN"}
    assert rows["C-ALPHA"][5:] == ["EUR 500.00", "EUR 300.00", "EUR 50.00", "EUR 450.00"]
    assert rows["C-YEN"][5] == "JPY 1,200"
    assert rows["C-RU"][5] == "EUR 0.00"


@pytest.mark.parametrize(("text", "expected"), [
    ("alpha", ["C-ALPHA", "C-ALPHA-S"]),
    ("INV-A1", ["C-ALPHA"]),  # an invoice number
    ("inv-a1", ["C-ALPHA"]),  # typed in lower case
    ("PO-4711", ["C-ALPHA"]),  # a PO number
    ("O'Brien", ["C-Q"]),  # a quote
    ("100%", ["C-Q"]),  # a percent sign matches itself, not everything
    ("_best_", ["C-Q"]),  # an underscore matches itself, not any one character
    ("%", ["C-Q"]),
    ("_", ["C-Q"]),
    ("Ромашка", ["C-RU"]),  # Cyrillic
    ("テスト商事", ["C-YEN"]),  # Japanese
    ("\\", []),
    ("x" * 500, []),  # very long text is cut, not refused
    ("alp\x00ha", []),  # a NUL byte (refused by PostgreSQL) is dropped before the query
])
def test_search_box_finds_customers_safely(world, text, expected):
    response = world.client_for(world.colin).get("/customers/", {"q": text})
    assert numbers(response) == expected


def test_long_search_text_is_shortened_and_the_page_says_so(world):
    response = world.client_for(world.colin).get("/customers/", {"q": "é" * 500})
    assert "shortened to 100 characters" in Page(response.content).text("result-status")


def test_search_by_an_invoice_of_another_portfolio_finds_nothing(world):
    # Omega's invoice exists, but Colin may not see Omega: the search must not reveal it
    assert numbers(world.client_for(world.colin).get("/customers/", {"q": "INV-O1"})) == []
    assert numbers(world.client_for(world.manager).get("/customers/", {"q": "PO-OMEGA"})) == []
    assert numbers(world.client_for(world.admin).get("/customers/", {"q": "PO-OMEGA"})) == ["C-OMEGA"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"overdue": "1"}, ["C-ALPHA", "C-ALPHA-S", "C-YEN"]),
    ({"disputed": "1"}, ["C-ALPHA"]),
    ({"country": "fr"}, ["C-BETA"]),
    ({"segment": "enterprise"}, ["C-ALPHA"]),
    ({"overdue": "1", "country": "DE"}, ["C-ALPHA", "C-ALPHA-S"]),
])
def test_filters_narrow_the_list(world, params, expected):
    assert numbers(world.client_for(world.colin).get("/customers/", params)) == expected


def test_collector_filter_and_unassigned(world):
    unassigned = CustomerFactory(number="C-NOBODY", name="Nobody's", collector=None)
    admin = world.client_for(world.admin)
    assert numbers(admin.get("/customers/", {"collector": world.cleo.pk})) == ["C-OMEGA"]
    assert numbers(admin.get("/customers/", {"collector": "none"})) == [unassigned.number]


@pytest.mark.parametrize(("sort", "expected"), [
    ("number", ["C-ALPHA", "C-ALPHA-S", "C-BETA", "C-Q", "C-RU", "C-YEN"]),
    ("-number", ["C-YEN", "C-RU", "C-Q", "C-BETA", "C-ALPHA-S", "C-ALPHA"]),
    ("name", ["C-ALPHA", "C-ALPHA-S", "C-BETA", "C-Q", "C-RU", "C-YEN"]),
    # open, in the company currency: 500 EUR, 80 EUR, 50 EUR, 1,200 JPY ≈ 7.32 EUR, then nothing open
    ("-open", ["C-ALPHA", "C-BETA", "C-ALPHA-S", "C-YEN", "C-Q", "C-RU"]),
    ("-overdue", ["C-ALPHA", "C-ALPHA-S", "C-YEN", "C-BETA", "C-Q", "C-RU"]),
    ("overdue", ["C-BETA", "C-Q", "C-RU", "C-YEN", "C-ALPHA-S", "C-ALPHA"]),
])
def test_sort_is_done_by_the_server(world, sort, expected):
    assert numbers(world.client_for(world.colin).get("/customers/", {"sort": sort})) == expected


def test_sort_header_links_flip_direction_and_mark_the_current_column(world):
    page = Page(world.client_for(world.colin).get("/customers/", {"sort": "name", "page": "2"}).content)
    header = page.by_id("customer-table").iter("thead")[0]  # type: ignore[union-attr]
    name_th = next(th for th in header.iter("th") if "Name" in th.text())
    assert name_th.attrs["aria-sort"] == "ascending"
    link = name_th.iter("a")[0].attrs["href"]
    assert "sort=-name" in link and "page=" not in link


def test_pagination_splits_long_lists(world):
    # given 60 more customers in Colin's portfolio (66 in all, 50 a page)
    for i in range(60):
        CustomerFactory(number=f"C-Z{i:03d}", name=f"Zeta {i}", collector=world.colin)
    client = world.client_for(world.colin)
    # when
    first, second = client.get("/customers/"), client.get("/customers/", {"page": "2"})
    # then
    assert len(numbers(first)) == 50
    assert numbers(second) == [f"C-Z{i:03d}" for i in range(44, 60)]
    assert "Page 2 of 2" in Page(second.content).text("customer-results")
    assert "66 customers found" in Page(first.content).text("result-status")
    # a page number out of range or malformed gives the nearest page, not an error
    assert numbers(client.get("/customers/", {"page": "99"})) == numbers(second)
    assert numbers(client.get("/customers/", {"page": "abc"})) == numbers(first)


def test_htmx_request_gets_only_the_results_fragment(world):
    response = world.client_for(world.colin).get("/customers/", {"q": "beta"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="customer-filters"' not in html
    assert numbers(response) == ["C-BETA"]
    assert 'hx-swap-oob="innerHTML"' in html and "1 customer found" in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(world):
    response = world.client_for(world.colin).get(
        "/customers/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_page_works_without_javascript(world):
    page = Page(world.client_for(world.colin).get("/customers/", {"q": "beta"}).content)
    form = page.by_id("customer-filters")
    assert form is not None and form.attrs["method"] == "get" and form.attrs["action"] == "/customers/"
    assert page.by_id("customer-search").attrs["value"] == "beta"  # type: ignore[union-attr]
    assert page.by_id("result-status").attrs["aria-live"] == "polite"  # type: ignore[union-attr]


@pytest.mark.parametrize(("params", "message"), [
    ({"collector": "abc"}, "Collector: choose one from the list."),
    ({"country": "Germany"}, "Country: use a two-letter code such as DE or FR."),
    ({"sort": "price"}, "Sort by: Select a valid choice."),
    ({"segment": "s" * 41}, "Segment: Ensure this value has at most 40 characters"),
])
def test_bad_filter_value_gives_a_message_not_an_error(world, params, message):
    response = world.client_for(world.colin).get("/customers/", params)
    assert response.status_code == 400
    assert message in Page(response.content).text("filter-errors")
    htmx = world.client_for(world.colin).get("/customers/", params, HTTP_HX_REQUEST="true")
    assert message in htmx.content.decode()


def test_customers_without_the_ledger_permission_are_refused(world, monkeypatch):
    # every role reads the ledger today; a role without it must get the 403 page, not the list
    from ardesk.identity import roles

    monkeypatch.setitem(roles.GRANTS, roles.Role.AUDITOR, frozenset())
    response = world.client_for(world.auditor).get("/customers/")
    assert response.status_code == 403


def test_list_queries_do_not_grow_with_the_page(world):
    client = world.client_for(world.colin)

    def queries_for(sort: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/customers/", {"sort": sort})
        return len(captured)

    # given the six customers of the world (the filter menus cached by a first visit), then 50 more
    client.get("/customers/")
    before = {sort: queries_for(sort) for sort in ("number", "-open")}
    for i in range(50):
        customer = CustomerFactory(number=f"C-N{i:03d}", collector=world.colin)
        InvoiceFactory(customer=customer, due_date=world.today - timedelta(days=3),
                       issue_date=world.today - timedelta(days=33), amount=Decimal("10.00"))
    # then a full page costs the same queries as a short one: figures come in one query per page
    assert {sort: queries_for(sort) for sort in ("number", "-open")} == before
    assert len(numbers(client.get("/customers/"))) == 50


@pytest.mark.parametrize("sort", ["-open", "open", "-overdue", "overdue"])
@pytest.mark.parametrize("params", [{}, {"country": "DE"}, {"q": "a"}, {"overdue": "1"}])
def test_money_sort_ranks_the_same_by_probes_and_by_one_aggregate(world, monkeypatch, sort, params):
    # given the same request answered by per-customer probes and by the one-pass aggregate
    client = world.client_for(world.colin)
    probed = numbers(client.get("/customers/", {**params, "sort": sort}))
    monkeypatch.setattr("ardesk.customers.ranking.MONEY_SORT_PROBE_LIMIT", 0)
    aggregated = numbers(client.get("/customers/", {**params, "sort": sort}))
    monkeypatch.setattr("ardesk.customers.ranking.AGGREGATE_NARROWING_LIMIT", 0)
    unnarrowed = numbers(client.get("/customers/", {**params, "sort": sort}))
    # then all give one order, and the admin's unfiltered list (no WHERE at all) works too
    assert aggregated == probed == unnarrowed and probed
    everyone = numbers(world.client_for(world.admin).get("/customers/", {"sort": sort}))
    assert len(everyone) == 7 and (everyone[0] == "C-OMEGA") == sort.startswith("-")


def test_money_sort_by_aggregate_pages_through_every_customer(world, monkeypatch):
    monkeypatch.setattr("ardesk.customers.ranking.MONEY_SORT_PROBE_LIMIT", 0)
    for i in range(55):
        CustomerFactory(number=f"C-Z{i:03d}", collector=world.colin)
    client = world.client_for(world.colin)
    first = numbers(client.get("/customers/", {"sort": "-open"}))
    second = numbers(client.get("/customers/", {"sort": "-open", "page": "2"}))
    assert first[:4] == ["C-ALPHA", "C-BETA", "C-ALPHA-S", "C-YEN"]
    assert len(first) == 50 and len(second) == 11 and not set(first) & set(second)


def test_each_role_lists_exactly_the_customers_in_its_scope(world):
    # collectors see their portfolio, analysts and managers their teams (North), the rest everyone
    expected = {world.colin: 6, world.cleo: 1, world.analyst: 6, world.manager: 6, world.clerk: 7,
                world.admin: 7, world.auditor: 7}
    for user, count in expected.items():
        response = world.client_for(user).get("/customers/")
        assert len(numbers(response)) == count, user.username


def test_money_sort_pages_stay_in_one_order_across_the_customers_with_and_without_money(world, monkeypatch):
    # given 60 customers with money open (one-pass aggregate forced) and a few with nothing open
    monkeypatch.setattr("ardesk.customers.ranking.MONEY_SORT_PROBE_LIMIT", 0)
    amounts = {}
    for i in range(56):
        customer = CustomerFactory(number=f"C-M{i:03d}", collector=world.colin)
        amount = Decimal(i * 3 + 1)
        InvoiceFactory(customer=customer, amount=amount, issue_date=world.today, due_date=world.today)
        amounts[customer.number] = amount
    amounts.update({"C-ALPHA": Decimal(500), "C-BETA": Decimal(80), "C-ALPHA-S": Decimal(50),
                    "C-YEN": Decimal("7.32")})
    client = world.client_for(world.colin)
    # when
    first = numbers(client.get("/customers/", {"sort": "-open"}))
    second = numbers(client.get("/customers/", {"sort": "-open", "page": "2"}))
    # then the first page comes from the ranked totals alone, the second joins the customers with none
    ranked = sorted(amounts, key=lambda number: -amounts[number])
    assert first + second == [*ranked, "C-Q", "C-RU"]
