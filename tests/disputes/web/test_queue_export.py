"""Downloading the queue: every dispute the filter selects, in the user's scope, as CSV or Excel; money exact,
customers' words never read as formulas, a bad parameter named."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ardesk.disputes import queue_export
from tests.web.html import Page

pytestmark = pytest.mark.django_db
D = Decimal


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_queue_downloads_as_csv_with_its_filter_and_in_scope(desk, signed_in):
    first = desk.raise_on(amount="40.00", description="=HYPERLINK(\"http://x\")  price differs")
    small = desk.raise_on(amount="12.50", confirm_duplicate=True)
    desk.raise_on(invoice=desk.hidden_invoice, amount="30.00")  # another team's customer: not the analyst's
    client = signed_in(desk.analyst)
    page = Page(client.get(reverse("disputes:queue") + "?sort=-amount").content)
    link = page.by_id("queue-export-csv")
    assert link is not None and "sort=-amount" in link.attrs["href"] and "format=csv" in link.attrs["href"]
    header, *rows = _csv(client.get(link.attrs["href"]))
    assert header == list(queue_export.HEADER)
    # every selected dispute of the analyst's scope, in the queue's order (largest outstanding first)
    assert [r[0] for r in rows] == [first.number, small.number]
    row = dict(zip(header, rows[0], strict=True))
    assert (row["Customer number"], row["Invoices"], row["Currency"]) == ("C-ACME", "INV-100", "EUR")
    assert (row["Disputed"], row["Accepted"], row["Outstanding"]) == ("40.00", "0.00", "40.00")
    assert row["Description"].startswith("'=HYPERLINK")  # shown as text, never run as a formula
    # a filter narrows it the same way as the page
    only_small = _csv(client.get(reverse("disputes:export") + "?max_amount=20&format=csv"))
    assert [r[16] for r in only_small[1:]] == ["12.50"]


def test_the_queue_downloads_as_a_workbook_with_numbers(desk, signed_in):
    dispute = desk.raise_on(amount="40.00")
    response = signed_in(desk.analyst).get(reverse("disputes:export") + "?format=xlsx")
    assert response.status_code == 200 and 'filename="disputes-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Disputes"]
    header, first = (list(r) for r in sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    row = dict(zip(header, first, strict=True))
    assert row["Dispute"] == dispute.number and row["Disputed"] == 40 and row["Outstanding"] == 40
    assert sheet.cell(row=2, column=17).number_format == "#,##0.00"


def test_a_bad_parameter_or_format_is_named(desk, signed_in):
    client = signed_in(desk.analyst)
    response = client.get(reverse("disputes:export") + "?sla=late")
    assert response.status_code == 400 and response.content.decode().startswith("sla: sla must be one of")
    response = client.get(reverse("disputes:export") + "?format=pdf")
    assert response.status_code == 400 and "format: csv or xlsx" in response.content.decode()


def test_a_workbook_past_its_limit_is_refused_with_the_way_out(desk, signed_in, monkeypatch):
    desk.raise_on(amount="10.00")
    desk.raise_on(amount="11.00", confirm_duplicate=True)
    monkeypatch.setattr(queue_export, "XLSX_MAX_ROWS", 1)
    response = signed_in(desk.analyst).get(reverse("disputes:export") + "?format=xlsx")
    assert response.status_code == 400 and "narrow the filter or download CSV" in response.content.decode()


def test_safe_text_defuses_formulas_only():
    assert [queue_export.safe_text(t) for t in ("=1+1", "+49 30", "-5", "@sum", "Price 5", "")] == [
        "'=1+1", "'+49 30", "'-5", "'@sum", "Price 5", ""]
