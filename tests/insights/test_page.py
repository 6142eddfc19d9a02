from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from ardesk.ledger.models import Invoice
from tests.factories import CustomerFactory
from tests.insights.conftest import Books, book
from tests.web.html import Page

pytestmark = pytest.mark.django_db
URL = reverse("web:aging")


def links(page: Page, inside: str) -> dict[str, str]:
    """The links inside an element, by their accessible name (aria-label, else text)."""
    node = page.by_id(inside)
    assert node is not None, inside
    return {a.attrs.get("aria-label") or a.text(): unescape(a.attrs["href"] or "") for a in node.iter("a")}


def test_the_report_shows_each_customer_by_bucket_and_the_total(books: Books, login_as):
    # given
    client = login_as(books.admin)
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 200
    page = Page(response.content)
    rows = {r[0]: r[1:] for r in page.rows("aging-table")}
    assert rows["C-ALPHA Alpha GmbH"] == ["200.00", "0.00", "300.00", "0.00", "0.00", "0.00", "500.00", "50.00",
                                          "450.00"]
    assert rows["C-YANK Yankee Inc"][5:7] == ["828.00", "828.00"]
    assert page.text("aging-total") == "EUR 1,463.55"
    assert page.text("aging-collectible") == "EUR 1,413.55"
    assert links(page, "aging-table")["C-ALPHA Alpha GmbH"] == reverse("web:customer_detail", args=[books.alpha.pk])


def test_a_cell_drills_down_to_the_invoices_behind_it(books: Books, login_as):
    client = login_as(books.admin)
    page = Page(client.get(URL).content)
    # when the user follows Alpha's 31–60 cell
    href = links(page, "aging-table")["Invoices of C-ALPHA Alpha GmbH, 31–60"]
    drilled = Page(client.get(URL + href.split("#")[0]).content)
    # then the invoice behind it is listed, linking to its page
    assert "C-ALPHA Alpha GmbH · 31–60" in drilled.text("drill-title")
    assert [r[0] for r in drilled.rows("drill-table")] == ["A-LATE"]
    assert links(drilled, "drill-table")["A-LATE"] == reverse("web:invoice_detail", args=[books.a_late.pk])


def test_the_total_row_drills_into_every_group(books: Books, login_as):
    client = login_as(books.admin)
    page = Page(client.get(URL).content)
    href = links(page, "aging-table")["All invoices, Over 120"]
    drilled = Page(client.get(URL + href.split("#")[0]).content)
    assert sorted(r[0] for r in drilled.rows("drill-table")) == ["O-OLD", "Y-OLD"]


def test_a_past_date_by_team_with_its_note(books: Books, login_as):
    client = login_as(books.admin)
    as_of = books.today - timedelta(days=95)
    page = Page(client.get(URL, {"as_of": as_of.isoformat(), "by": "team"}).content)
    rows = {r[0]: r for r in page.rows("aging-table")}
    assert set(rows) == {"North", "South", "(no team)"}
    assert rows["South"][5] == "900.00"  # 1,000 USD at that day's rate, 91–120 days past due
    assert "no dated history" in page.text("main")


def test_a_collector_sees_only_their_portfolio_even_when_guessing(books: Books, login_as):
    client = login_as(books.colin)
    page = Page(client.get(URL).content)
    assert {r[0] for r in page.rows("aging-table")} == {"C-ALPHA Alpha GmbH", "C-BETA Beta SARL"}
    assert page.text("aging-total") == "EUR 580.00"
    # a drill into another portfolio's customer shows nothing of it
    response = client.get(URL, {"group": str(books.yank.pk), "bucket": "total"})
    assert response.status_code == 200
    assert b"Y-OLD" not in response.content and b"Yankee" not in response.content
    csv_text = client.get(URL, {"format": "csv"}).content.decode()
    assert "C-ALPHA" in csv_text and "C-YANK" not in csv_text


def test_filters_narrow_the_report(books: Books, login_as):
    client = login_as(books.admin)
    page = Page(client.get(URL, {"by": "country", "currency": "usd"}).content)
    assert [r[0] for r in page.rows("aging-table")] == ["US"]
    page = Page(client.get(URL, {"collector": str(books.colin.pk), "segment": "smb"}).content)
    assert [r[0] for r in page.rows("aging-table")] == ["C-BETA Beta SARL"]


def test_downloads_carry_the_date_in_their_name(books: Books, login_as):
    client = login_as(books.admin)
    response = client.get(URL, {"format": "xlsx", "by": "segment"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"aging-{books.today.isoformat()}-segment.xlsx" in response["Content-Disposition"]
    assert client.get(URL, {"format": "json"}).json()["totals"]["total"] == "1463.55"


@pytest.mark.parametrize(("params", "message"), [
    ({"as_of": "2026-02-30"}, "is not a date"),
    ({"by": "planet"}, "by: unknown value"),
    ({"format": "pdf"}, "format: unknown value"),
    ({"bucket": "d1_2", "group": "1"}, "bucket: unknown value"),
    ({"team": "north"}, "team: &#x27;north&#x27; is not an id"),
])
def test_bad_input_is_a_message_not_a_crash(books: Books, login_as, params, message):
    response = login_as(books.admin).get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_missing_fx_rate_is_a_message_naming_the_currency(books: Books, login_as):
    swiss = CustomerFactory(number="C-CH", currency="CHF", country="CH")
    book(swiss, "CH-1", "10.00", due=books.today, by=books.admin)
    response = login_as(books.admin).get(URL)
    assert response.status_code == 400
    assert "no FX rate for CHF" in response.content.decode()


def test_rows_are_paged_largest_first(books: Books, login_as, monkeypatch):
    monkeypatch.setattr("ardesk.insights.views.ROWS_PER_PAGE", 2)
    client = login_as(books.admin)
    first = Page(client.get(URL).content)
    second = Page(client.get(URL, {"page": "2"}).content)
    assert [r[0] for r in first.rows("aging-table")] == ["C-YANK Yankee Inc", "C-ALPHA Alpha GmbH"]
    assert [r[0] for r in second.rows("aging-table")] == ["C-BETA Beta SARL", "C-ORPH Orphan BV"]
    assert first.text("aging-total") == second.text("aging-total") == "EUR 1,463.55"


def test_signing_in_comes_first(books: Books, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_paid_invoices_are_not_listed(books: Books, login_as):
    assert Invoice.objects.get(number="A-PAID").open_amount == 0
    drilled = Page(login_as(books.admin).get(URL, {"bucket": "total"}).content)
    assert "A-PAID" not in [r[0] for r in drilled.rows("drill-table")]
    assert len(drilled.rows("drill-table")) == 5
