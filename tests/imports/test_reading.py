"""Opening files as ERPs and spreadsheets write them: encodings, delimiters, headers, XLSX, huge fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ardesk.imports.kinds import spec_for
from ardesk.imports.reading import FIELD_LIMIT, BrokenRow, ImportRefused, open_table, scan
from ardesk.imports.report import Rejections
from ardesk.imports.validation import RowValidator
from tests.imports.conftest import csv

CUSTOMERS = spec_for("customers")
INVOICES = spec_for("invoices")


def read(path: Path, kind: str = "customers", *, fast: bool = True) -> tuple[list[dict], Rejections, list[str]]:
    spec = spec_for(kind)
    facts = scan(path, path.name)
    table = open_table(path, facts, spec)
    rejections = Rejections({n: i for i, n in enumerate(spec.names)})
    validator = RowValidator(spec, table.header, fast=fast)
    rows = []
    try:
        for row_no, cells in table.rows:
            row = validator.validate(row_no, cells, rejections)
            rows.append({"row": row_no, **row.values})
    finally:
        table.close()
    return rows, rejections, table.warnings


def test_latin1_is_read_as_windows_1252_and_says_so(write: Callable[..., Path]) -> None:
    path = write("c.csv", csv("customer_number,name,currency", "C1,Müller & Söhne – Köln,EUR"), encoding="cp1252")
    rows, rejections, warnings = read(path)
    assert rows[0]["name"] == "Müller & Söhne – Köln"
    assert rejections.count == 0
    assert any("not valid UTF-8" in w and "cp1252" in w for w in warnings)


def test_a_utf8_bom_does_not_hide_the_first_column(write: Callable[..., Path]) -> None:
    path = write("c.csv", b"\xef\xbb\xbf" + csv("customer_number,name,currency", "C1,Ärger,EUR").encode())
    rows, _rejections, warnings = read(path)
    assert rows[0]["customer_number"] == "C1" and rows[0]["name"] == "Ärger"
    assert warnings == []


def test_utf16_with_tabs_as_excel_saves_unicode_text(write: Callable[..., Path]) -> None:
    path = write("c.txt", csv("customer_number\tname\tcurrency", "C1\tÅsa\tSEK"), encoding="utf-16")
    rows, _rejections, _ = read(path)
    assert rows[0]["name"] == "Åsa" and rows[0]["currency"] == "SEK"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_sniffed(write: Callable[..., Path], delimiter: str) -> None:
    path = write("c.csv", csv(delimiter.join(["customer_number", "name", "currency"]),
                              delimiter.join(["C1", "Alpha, Inc.", "EUR"])))
    rows, rejections, _warnings = read(path)
    assert rows[0]["name"] == "Alpha, Inc."
    assert rejections.count == 0


def test_unknown_columns_are_refused_with_a_suggestion(write: Callable[..., Path]) -> None:
    path = write("i.csv", csv("invoice_number,customer_number,issue_date,due_date,currency,amount,open_amout"))
    with pytest.raises(ImportRefused) as refused:
        read(path, "invoices")
    assert "'open_amout' (did you mean 'open_amount'?)" in refused.value.message
    assert refused.value.field == "open_amout"


def test_missing_required_columns_are_named(write: Callable[..., Path]) -> None:
    path = write("i.csv", csv("invoice_number,customer_number,amount"))
    with pytest.raises(ImportRefused, match=r"required column.*issue_date, due_date, currency"):
        read(path, "invoices")


@pytest.mark.parametrize(("content", "message"), [
    ("", "the file is empty"),
    ("customer_number,name,name,currency\n", "appears twice"),
    ("customer_number,,name,currency\n", "has no name"),
])
def test_broken_headers_are_refused(write: Callable[..., Path], content: str, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        read(write("c.csv", content))


def test_header_names_are_forgiving_about_case_and_spaces(write: Callable[..., Path]) -> None:
    rows, rejections, _ = read(write("c.csv", csv("Customer Number, NAME ,Currency,", "C1,Alpha,EUR,")))
    assert rows[0]["customer_number"] == "C1" and rejections.count == 0


def test_rows_are_numbered_as_a_spreadsheet_shows_them(write: Callable[..., Path]) -> None:
    # given a blank line and a quoted field over two lines
    path = write("c.csv", 'customer_number,name,currency\nC1,Alpha,EUR\n\nC2,"Beta\nGmbH",EUR\nC3,Gamma,XYZ\n')
    # when
    rows, rejections, _ = read(path)
    # then
    assert [r["row"] for r in rows] == [2, 4, 5]
    assert rows[1]["name"] == "Beta\nGmbH"
    assert [(r.row, r.column) for r in rejections.listed()] == [(5, "currency")]


def test_a_nul_byte_rejects_its_field(write: Callable[..., Path]) -> None:
    _rows, rejections, _ = read(write("c.csv", csv("customer_number,name,currency", "C1,Al\x00pha,EUR")))
    [rejection] = rejections.listed()
    assert (rejection.row, rejection.column, rejection.value) == (2, "name", "Al\\x00pha")
    assert "NUL byte" in rejection.reason


def test_a_10_mb_field_is_refused_by_name_without_echoing_it(write: Callable[..., Path]) -> None:
    huge = "x" * (10 * 1024 * 1024)
    _rows, rejections, _ = read(write("c.csv", csv("customer_number,name,currency", f"C1,{huge},EUR")))
    [rejection] = rejections.listed()
    assert (rejection.row, rejection.column) == (2, "name")
    assert "10,485,760 characters long; the limit is 200" in rejection.reason
    assert len(rejection.value) < 200


def test_a_field_beyond_the_reader_limit_stops_the_reading_at_its_row(write: Callable[..., Path]) -> None:
    path = write("c.csv", csv("customer_number,name,currency", "C1,Alpha,EUR", f"C2,{'y' * (FIELD_LIMIT + 1)},EUR"))
    with pytest.raises(BrokenRow) as broken:
        read(path)
    assert broken.value.row == 3 and "field larger than field limit" in broken.value.reason


def test_rows_with_too_many_or_too_few_fields_are_refused(write: Callable[..., Path]) -> None:
    path = write("c.csv", csv("customer_number,name,currency", "C1,Alpha,EUR,extra", "C2,Beta", "C3,Gamma,EUR,,"))
    _rows, rejections, _ = read(path)
    assert [(r.row, r.column, r.reason) for r in rejections.listed()] == [
        (2, "*", "has 4 fields; the header has 3"), (3, "*", "has 2 fields; the header has 3")]


def test_old_xls_files_are_refused(write: Callable[..., Path]) -> None:
    with pytest.raises(ImportRefused, match=r"old Excel \.xls"):
        read(write("c.xls", b"\xd0\xcf\x11\xe0rest"))


def _xlsx(path: Path, rows: list[list[object]], *, extra_sheet: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("notes").append(["ignored"])
    book.save(path)
    return path


def test_xlsx_cells_as_spreadsheets_hold_them(tmp_path: Path) -> None:
    # given dates as date cells and as serial numbers, amounts as numbers, a code typed as a number
    path = _xlsx(tmp_path / "i.xlsx", [
        ["invoice_number", "customer_number", "issue_date", "due_date", "currency", "amount", "po_number"],
        [1001, "C1", datetime(2026, 1, 31), 46084, "EUR", 1234.5, None],
        [None, None, None, None, None, None, None],
        ["1002", "C1", date(2026, 1, 31), "2026-03-03", "EUR", 10.005, "PO-1"],
    ], extra_sheet=True)
    # when
    rows, rejections, warnings = read(path, "invoices")
    # then
    first = rows[0]
    assert (first["invoice_number"], first["issue_date"], first["due_date"]) == ("1001", date(2026, 1, 31),
                                                                                 date(2026, 3, 3))
    assert first["amount"] == Decimal("1234.50") and first["po_number"] == ""
    assert rows[1]["row"] == 4
    [rejection] = rejections.listed()
    assert (rejection.row, rejection.column) == (4, "amount") and "minor unit of EUR" in rejection.reason
    assert any("first sheet" in w for w in warnings)


tricky_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "2026-01-31", "2026-02-30", " 2026-01-31", "12.50", "12.5", "12.505", "0", "0.00",
                     "-1", "1,234.56", "EUR", "eur", " EUR", "XXX", "x\x00", "C1", "a" * 41]),
)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(tricky_cells, min_size=11, max_size=11))
def test_the_inline_reads_agree_with_the_parsers(cells: list[str]) -> None:
    """The fast path of RowValidator must read and refuse exactly what the column parsers do."""
    header = list(INVOICES.names)
    results = []
    for fast in (True, False):
        rejections = Rejections({n: i for i, n in enumerate(INVOICES.names)})
        row = RowValidator(INVOICES, header, fast=fast).validate(2, list(cells), rejections)
        results.append((row.values, row.ok, rejections.listed()))
    assert results[0] == results[1]


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=400), header=st.sampled_from([b"", b"customer_number,name,currency\n",
                                                             b"\xef\xbb\xbfcustomer_number;name;currency\r\n",
                                                             b"\xff\xfec\x00"]))
def test_any_bytes_give_a_report_never_an_exception(tmp_path_factory, header: bytes, body: bytes) -> None:
    """Whatever the file holds, reading it ends in rows, rejections or a refusal with a reason."""
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(header + body)
    try:
        read(path)
    except (ImportRefused, BrokenRow) as refused:
        assert str(refused)
