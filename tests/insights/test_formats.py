"""What a user gets out: CSV and JSON with exact amounts, a readable table, and a workbook of numbers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from ardesk.insights import formats
from ardesk.insights.aging import buckets
from ardesk.insights.report import AgingReport, Grouping, GroupSums, Source, build_report

D = Decimal


def report(by: Grouping = Grouping.CUSTOMER, source: Source = Source.CACHE) -> AgingReport:
    def cell(key: str, label: str, currency: str, *amounts: str, disputed: str = "0") -> GroupSums:
        values = tuple(D(a) for a in amounts)
        return GroupSums(key, label, currency, values, sum(values, D(0)), D(disputed))

    if by is Grouping.CURRENCY:
        sums = [cell("EUR", "EUR", "EUR", "100.500", "0", "0", "0", "0", "1234567.000", disputed="50.000"),
                cell("JPY", "JPY", "JPY", "0", "0", "1200.000", "0", "0", "0")]
    else:
        sums = [cell("7", "C-7 Smith, Jones & Co", "EUR", "100.500", "0", "0", "0", "0", "1234567.000",
                     disputed="50.000"),
                cell("8", "C-8 Yamada", "JPY", "0", "0", "1200.000", "0", "0", "0")]
    return build_report(sums=sums, rates={"JPY": D("0.0061")}, company_currency="EUR", bucket_list=buckets(),
                        as_of=date(2026, 11, 26), by=by, source=source)


def test_csv_has_a_line_per_group_then_the_total_with_exact_amounts():
    rows = list(csv.reader(io.StringIO(formats.as_csv(report()))))
    assert rows[0] == ["key", "label", "current", "d1_30", "d31_60", "d61_90", "d91_120", "over_120",
                       "total", "disputed", "collectible"]
    assert rows[1] == ["7", "C-7 Smith, Jones & Co", "100.50", "0.00", "0.00", "0.00", "0.00", "1234567.00",
                       "1234667.50", "50.00", "1234617.50"]
    assert rows[2][:5] == ["8", "C-8 Yamada", "0.00", "0.00", "7.32"]
    assert rows[-1][:2] == ["", "Total"] and rows[-1][-3] == "1234674.82"


def test_csv_by_currency_repeats_each_row_in_its_own_currency():
    rows = list(csv.reader(io.StringIO(formats.as_csv(report(Grouping.CURRENCY)))))
    header = rows[0]
    jpy = dict(zip(header, next(r for r in rows if r[0] == "JPY"), strict=True))
    assert jpy["original_d31_60"] == "1200"  # yen have no minor unit
    assert jpy["d31_60"] == "7.32"
    assert len(rows[-1]) == len(header)


def test_json_is_plain_data_with_amounts_as_strings():
    data = json.loads(json.dumps(formats.as_json(report(source=Source.ROLLBACK))))
    assert data["as_of"] == "2026-11-26" and data["by"] == "customer" and data["currency"] == "EUR"
    assert data["source"] == "rollback" and data["disputed_known"] is False
    assert data["fx_rates"] == {"JPY": "0.0061"}
    assert data["rows"][0]["buckets"]["over_120"] == "1234567.00"
    assert data["rows"][0]["collectible"] == "1234617.50"
    assert data["totals"]["total"] == "1234674.82"
    assert data["buckets"][0]["key"] == "current"
    assert any("no dated history" in note for note in data["notes"])


def test_the_table_reads_as_a_table():
    text = formats.as_table(report(Grouping.CURRENCY))
    lines = text.splitlines()
    assert lines[0].startswith("Aging as of 2026-11-26 by currency — amounts in EUR")
    header = next(line for line in lines if line.startswith("Currency"))
    assert header.split()[1:3] == ["Current", "1–30"]
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split()[-3:] == ["1,234,674.82", "50.00", "1,234,624.82"]
    assert "In each currency's own amounts:" in text
    assert any(line.startswith("JPY") and "1,200" in line for line in lines)
    assert "FX: units of EUR per unit" in text


def test_an_empty_report_says_so():
    empty = build_report(sums=[], rates={}, company_currency="EUR", bucket_list=buckets(), as_of=date(2026, 1, 1),
                         by=Grouping.TEAM, source=Source.CACHE)
    assert "(no open invoices)" in formats.as_table(empty)
    assert list(csv.reader(io.StringIO(formats.as_csv(empty))))[-1][-3:] == ["0.00", "0.00", "0.00"]


def test_the_workbook_holds_numbers_with_the_currency_format(tmp_path):
    path = tmp_path / "aging.xlsx"
    path.write_bytes(formats.as_xlsx(report()))
    book = load_workbook(path)
    sheet = book["Aging"]
    assert [c.value for c in sheet[1]][:3] == ["Key", "Customer", "Current (EUR)"]
    first = sheet[2]
    assert first[1].value == "C-7 Smith, Jones & Co"
    assert first[2].value == 100.5 and first[2].number_format == "#,##0.00"
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[1] == "Total" and last[-3] == 1234674.82
    assert "About" in book.sheetnames
