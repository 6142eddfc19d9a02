"""A dispute report written out: CSV, JSON (plain data), XLSX and a text table, one shape for every report.

Money is written at the company currency's minor unit as exact decimal strings (CSV, JSON) or numbers with a
matching format (XLSX); shares as fractions (0.1234); days to one decimal; never through float.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ardesk.insights.dispute_report import Column, DisputeTable, Kind
from ardesk.insights.formats import _render_table
from ardesk.money import quantum, spreadsheet_format

DAY = Decimal("0.1")


def text(value: Any, column: Column, currency: str) -> str:
    """A value as CSV and JSON write it ("" for none)."""
    if value is None:
        return ""
    if column.kind is Kind.MONEY:
        return f"{Decimal(value).quantize(quantum(currency)):f}"
    if column.kind is Kind.SHARE:
        return f"{Decimal(value):f}"
    if column.kind is Kind.DAYS:
        return f"{Decimal(value).quantize(DAY):f}"
    if column.kind is Kind.DATE and isinstance(value, date):
        return value.isoformat()
    if column.kind is Kind.FLAG:
        return "yes" if value else "no"
    return str(value)


def shown(value: Any, column: Column, currency: str) -> str:
    """A value for people: thousands separators on money, shares as per cent."""
    if value is None:
        return ""
    if column.kind is Kind.MONEY:
        return f"{Decimal(value).quantize(quantum(currency)):,f}"
    if column.kind is Kind.SHARE:
        return f"{(Decimal(value) * 100).quantize(DAY):f} %"
    if column.kind is Kind.COUNT:
        return f"{value:,}"
    return text(value, column, currency)


def _line(values: tuple[Any, ...], table: DisputeTable, write: Any = text) -> list[str]:
    return [write(v, c, table.currency) for c, v in zip(table.columns, values, strict=True)]


def as_csv(table: DisputeTable) -> str:
    """Header of column keys, one line per row, then a `Total` line with an empty key."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow(_line(row, table))
    if table.totals is not None:
        writer.writerow(_line(table.totals, table))
    return out.getvalue()


def as_json(table: DisputeTable) -> dict[str, Any]:
    """Plain data for json.dumps: every value a string (or null), keyed by column."""
    def mapped(values: tuple[Any, ...]) -> dict[str, str | None]:
        return {c.key: (None if v is None else text(v, c, table.currency))
                for c, v in zip(table.columns, values, strict=True)}

    p = table.period
    return {
        "report": table.kind.value, "title": table.title, "as_of": p.as_of.isoformat(),
        "raised_from": p.raised_from.isoformat(), "raised_to": p.raised_to.isoformat(), "currency": table.currency,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind.value} for c in table.columns],
        "rows": [mapped(row) for row in table.rows],
        "totals": mapped(table.totals) if table.totals is not None else None,
        "fx_rates": {cur: f"{rate.normalize():f}" for cur, rate in sorted(table.rates.items())},
        "notes": table.all_notes,
    }


def as_table(table: DisputeTable, *, label_width: int = 40) -> str:
    """A fixed-width table for the terminal (without the key column)."""
    heads = [c.label for c in table.columns[1:]]
    lines = [[v[:label_width] if i == 0 else v for i, v in enumerate(_line(row, table, shown)[1:])]
             for row in table.rows]
    total = _line(table.totals, table, shown)[1:] if table.totals is not None else None
    body = _render_table(heads, lines, total)
    if not table.rows:
        body = [body[0], body[1], "(no disputes)"]
    return "\n".join([table.title, "", *body, "", *table.all_notes]).rstrip() + "\n"


def as_xlsx(table: DisputeTable) -> bytes:
    """Sheet `Report` with numbers (money to the currency's decimals, shares as per cent), sheet `About`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Report")
    bold = Font(bold=True)
    money_format = spreadsheet_format(table.currency)
    formats = {Kind.MONEY: money_format, Kind.SHARE: "0.00%", Kind.DAYS: "0.0", Kind.COUNT: "#,##0",
               Kind.DATE: "yyyy-mm-dd"}

    def cells(values: tuple[Any, ...], font: Font | None = None) -> list[WriteOnlyCell]:
        out = []
        for column, value in zip(table.columns, values, strict=True):
            if column.kind is Kind.MONEY and value is not None:
                value = Decimal(value).quantize(quantum(table.currency))
            elif column.kind is Kind.FLAG and value is not None:
                value = "yes" if value else "no"
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind in formats:
                cell.number_format = formats[column.kind]
            if font is not None:
                cell.font = font
            out.append(cell)
        return out

    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.label + (f" ({table.currency})" if column.kind is Kind.MONEY else ""))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(cells(row))
    if table.totals is not None:
        sheet.append(cells(table.totals, bold))
    about = book.create_sheet("About")
    p = table.period
    for line in (["Report", table.title], ["As of", p.as_of.isoformat()], ["Raised from", p.raised_from.isoformat()],
                 ["Raised to", p.raised_to.isoformat()], ["Currency", table.currency],
                 *(["Note", note] for note in table.all_notes)):
        about.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
