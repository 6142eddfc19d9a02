from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from ardesk.identity.models import User
from ardesk.identity.services import issue_token
from tests.factories import CustomerFactory
from tests.insights.conftest import Books, book

pytestmark = pytest.mark.django_db
AGING = "/api/v1/reports/aging"


class Caller:
    """A client sending one user's personal API token."""

    def __init__(self, user: User | None) -> None:
        self.headers = {}
        if user is not None:
            _, secret = issue_token(user=user, name="aging tests", scopes=["read"], by=user)
            self.headers = {"Authorization": f"Bearer {secret}"}
        self.client = Client()

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)


def test_json_by_customer_as_of_today(books: Books):
    response = Caller(books.admin).get(AGING)
    assert response.status_code == 200
    data = response.json()
    assert data["as_of"] == books.today.isoformat() and data["source"] == "cache"
    alpha = next(r for r in data["rows"] if r["label"] == "C-ALPHA Alpha GmbH")
    assert alpha["key"] == str(books.alpha.pk)
    assert alpha["buckets"]["d31_60"] == "300.00" and alpha["disputed"] == "50.00"
    assert data["totals"]["total"] == "1463.55"


def test_a_page_of_rows_with_the_whole_reports_totals(books: Books):
    whole = Caller(books.admin).get(AGING).json()
    first = Caller(books.admin).get(AGING, limit=2).json()
    rest = Caller(books.admin).get(AGING, limit=2, offset=2).json()
    assert first["count"] == rest["count"] == len(whole["rows"]) == 4
    assert first["rows"] + rest["rows"] == whole["rows"]
    assert first["totals"] == rest["totals"] == whole["totals"]


def test_csv_of_a_past_date_by_currency(books: Books):
    as_of = books.today - timedelta(days=95)
    response = Caller(books.admin).get(AGING, as_of=as_of.isoformat(), by="currency", format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["USD"]["original_d91_120"] == "1000.00" and rows["USD"]["d91_120"] == "900.00"
    assert rows[""]["total"] == "1055.55"


def test_a_collector_gets_only_their_portfolio(books: Books):
    caller = Caller(books.colin)
    data = caller.get(AGING).json()
    assert {r["label"] for r in data["rows"]} == {"C-ALPHA Alpha GmbH", "C-BETA Beta SARL"}
    cell = caller.get(f"{AGING}/invoices", group=str(books.yank.pk), bucket="total").json()
    assert cell == {"count": 0, "sums": [], "invoices": []}


def test_the_invoices_behind_a_cell_add_up_to_it(books: Books):
    caller = Caller(books.admin)
    report = caller.get(AGING, by="collector").json()
    colin = next(r for r in report["rows"] if r["key"] == str(books.colin.pk))
    cell = caller.get(f"{AGING}/invoices", by="collector", group=str(books.colin.pk), bucket="total").json()
    assert [i["number"] for i in cell["invoices"]] == ["A-LATE", "B-LATE", "A-CURRENT"]  # oldest due first
    assert cell["sums"] == [{"currency": "EUR", "count": 3, "open_amount": colin["total"], "disputed_amount": "50.00"}]
    assert cell["invoices"][0]["bucket"] == "d31_60" and cell["invoices"][0]["days_past_due"] == 45


@pytest.mark.parametrize(("params", "field"), [
    ({"as_of": "2026-02-30"}, "as_of"),
    ({"as_of": "1/2/2026"}, "as_of"),
    ({"as_of": "0001-01-01"}, "as_of"),
    ({"by": "region"}, "by"),
    ({"format": "xlsx"}, "format"),
    ({"collector": "colin"}, "collector"),
])
def test_bad_input_is_422_naming_the_field(books: Books, params, field):
    response = Caller(books.admin).get(AGING, **params)
    assert response.status_code == 422
    assert response.json()["field"] == field


@pytest.mark.parametrize(("params", "field"), [({"bucket": "d0_1"}, "bucket"), ({"limit": "100000"}, "limit")])
def test_a_bad_cell_is_422(books: Books, params, field):
    response = Caller(books.admin).get(f"{AGING}/invoices", **params)
    assert response.status_code == 422 and response.json()["field"] == field


def test_a_missing_fx_rate_is_refused_with_its_currency(books: Books):
    swiss = CustomerFactory(number="C-CH", currency="CHF", country="CH")
    book(swiss, "CH-1", "10.00", due=books.today, by=books.admin)
    response = Caller(books.admin).get(AGING)
    assert response.status_code == 400
    assert response.json()["code"] == "no_fx_rate" and "CHF" in response.json()["message"]


def test_no_token_no_report(books: Books):
    assert Caller(None).get(AGING).status_code == 401


def test_the_schema_documents_the_route(db):
    schema = Client().get("/api/v1/openapi.json").json()
    parameters = {p["name"] for p in schema["paths"][AGING]["get"]["parameters"]}
    assert {"as_of", "by", "format"} <= parameters
