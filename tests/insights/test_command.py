from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.factories import CustomerFactory
from tests.insights.conftest import Books, book

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "aging", *args, stdout=out)
    return out.getvalue()


def test_the_table_on_the_terminal_shows_every_customer_and_the_total(books: Books):
    text = run("--as-of", books.today.isoformat())
    assert "C-ALPHA Alpha GmbH" in text and "C-ORPH Orphan BV" in text  # the command line sees everyone
    total = next(line for line in text.splitlines() if line.startswith("Total"))
    assert total.split()[-3:] == ["1,463.55", "50.00", "1,413.55"]


def test_a_past_date_as_csv_by_collector(books: Books):
    as_of = books.today - timedelta(days=95)
    rows = list(csv.DictReader(io.StringIO(run("--as-of", as_of.isoformat(), "--by", "collector",
                                               "--format", "csv"))))
    by_label = {r["label"]: r for r in rows}
    assert by_label["Colin Collector (colin)"]["d1_30"] == "100.00"
    assert by_label["cleo"]["d91_120"] == "900.00"
    assert by_label["Total"]["total"] == "1055.55"
    # from the entries alone the figures are the same
    again = list(csv.DictReader(io.StringIO(run("--as-of", as_of.isoformat(), "--by", "collector",
                                                "--format", "csv", "--from-entries"))))
    assert again == rows


def test_json_to_a_file(books: Books, tmp_path):
    target = tmp_path / "aging.json"
    message = run("--as-of", books.today.isoformat(), "--by", "currency", "--format", "json",
                  "--output", str(target))
    data = json.loads(target.read_text())
    assert "written to" in message
    usd = next(r for r in data["rows"] if r["key"] == "USD")
    assert usd["original"]["total"] == "900.00" and usd["total"] == "828.00"


def test_xlsx_needs_a_file_and_writes_a_workbook(books: Books, tmp_path):
    with pytest.raises(CommandError, match="--output"):
        run("--as-of", books.today.isoformat(), "--format", "xlsx")
    target = tmp_path / "aging.xlsx"
    run("--as-of", books.today.isoformat(), "--format", "xlsx", "--output", str(target))
    sheet = load_workbook(target)["Aging"]
    assert list(sheet.iter_rows(values_only=True))[-1][-3] == 1463.55


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2026-02-30"], "as_of: '2026-02-30' is not a date"),
    (["--as-of", "today"], "expected YYYY-MM-DD"),
    (["--as-of", "2026-01-01", "--by", "region"], "by: unknown value 'region'"),
    (["--as-of", "2026-01-01", "--format", "pdf"], "format: unknown value 'pdf'"),
])
def test_bad_input_is_a_clear_command_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_missing_fx_rate_names_the_currency(books: Books):
    swiss = CustomerFactory(number="C-CH", currency="CHF", country="CH")
    book(swiss, "CH-1", "10.00", due=books.today, by=books.admin)
    with pytest.raises(CommandError, match="no FX rate for CHF"):
        run("--as-of", books.today.isoformat())


def test_an_unwritable_output_is_a_command_error(books: Books, tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        run("--as-of", books.today.isoformat(), "--output", str(tmp_path / "missing" / "aging.txt"))
