"""Cursor pagination: a walk meets every row exactly once, even when rows share the sort key."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ardesk.apikit.pagination import MAX_LIMIT, PageQuery, paginate
from ardesk.customers.models import Customer
from tests.api.conftest import error_of
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def walk(client, path: str, **params: object) -> tuple[list[int], int]:
    """Every id of a list, page after page; and how many pages it took."""
    seen: list[int] = []
    pages = 0
    cursor = None
    while True:
        response = client.get(path, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        pages += 1
        body = response.json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


def test_a_walk_meets_every_invoice_once_in_issue_order(api_as, admin_user):
    # given: 23 invoices on 4 issue dates, so pages break inside runs of equal keys
    customer = CustomerFactory()
    for i in range(23):
        InvoiceFactory(customer=customer, issue_date=date(2026, 12, 1) + timedelta(days=i % 4))
    # when
    seen, pages = walk(api_as(admin_user), "/invoices", limit=5)
    # then
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    rows = [(inv.issue_date, inv.pk) for inv in customer.invoices.all()]
    assert seen == [pk for _, pk in sorted(rows)]


def test_rows_added_behind_the_cursor_do_not_repeat_earlier_rows(api_as, admin_user):
    # given
    customers = [CustomerFactory(number=f"C{i:03d}") for i in range(6)]
    client = api_as(admin_user)
    first = client.get("/customers", {"limit": 3}).json()
    # when: a customer that sorts before the cursor arrives between two pages
    CustomerFactory(number="A000")
    second = client.get("/customers", {"limit": 3, "cursor": first["next_cursor"]}).json()
    # then
    ids = [row["id"] for row in first["items"] + second["items"]]
    assert ids == [c.pk for c in customers]


def test_the_limit_is_capped(api_as, admin_user):
    # given
    for _ in range(MAX_LIMIT + 1):
        CustomerFactory()
    # when
    body = api_as(admin_user).get("/customers", {"limit": 10_000}).json()
    # then
    assert len(body["items"]) == MAX_LIMIT
    assert body["next_cursor"]


def test_filters_hold_across_pages(api_as, admin_user):
    # given
    for i in range(7):
        CustomerFactory(segment="retail" if i % 2 else "wholesale")
    # when
    seen, _ = walk(api_as(admin_user), "/customers", limit=2, segment="retail")
    # then
    assert len(seen) == 3


def test_a_walk_newest_first_meets_every_row_once():
    # given: rows sharing keys, read newest first (as import batches are)
    for i in range(9):
        CustomerFactory(number=f"N{i % 3}-{i}", segment=str(i % 2))
    seen: list[int] = []
    cursor = None
    # when
    while True:
        page = paginate(Customer.objects.all(), key="segment", page=PageQuery(limit=2, cursor=cursor),
                        resource="test", newest_first=True)
        seen += [c.pk for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    # then
    expected = sorted(Customer.objects.values_list("segment", "pk"), reverse=True)
    assert seen == [pk for _, pk in expected]


@pytest.mark.parametrize("cursor", ["garbage", "eyJhIjoxfQ:1abc:xyz", "x" * 400])
def test_a_forged_cursor_is_422(api_as, admin_user, cursor):
    # when
    response = api_as(admin_user).get("/customers", {"cursor": cursor})
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "cursor"


def test_a_cursor_of_another_list_is_refused(api_as, admin_user):
    # given
    for _ in range(3):
        InvoiceFactory()
    client = api_as(admin_user)
    cursor = client.get("/invoices", {"limit": 1}).json()["next_cursor"]
    # when
    response = client.get("/payments", {"cursor": cursor})
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "cursor"
