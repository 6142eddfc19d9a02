"""The aging report written out: a text table for the terminal, CSV, JSON (as plain data) and XLSX.

Amounts are shown at the minor unit of their currency and written as exact decimal strings (JSON, CSV) or
numbers with a matching format (XLSX); never through float.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ardesk.insights.report import GROUPING_LABELS, SOURCE_LABELS, AgingReport, Amounts, Grouping
from ardesk.money import quantum, spreadsheet_format

AMOUNT_COLUMNS = ("total", "disputed", "collectible")


def _text(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(quantum(currency)):f}"


def amounts_dict(amounts: Amounts, report: AgingReport, currency: str) -> dict[str, Any]:
    return {
        "buckets": {b.key: _text(v, currency) for b, v in zip(report.buckets, amounts.buckets, strict=True)},
        "total": _text(amounts.total, currency),
        "disputed": _text(amounts.disputed, currency),
        "collectible": _text(amounts.collectible, currency),
    }


def as_json(report: AgingReport) -> dict[str, Any]:
    """Plain data for json.dumps: amounts as strings in the company currency (original ones by currency)."""
    rows = []
    for row in report.rows:
        item: dict[str, Any] = {"key": row.key, "label": row.label,
                                **amounts_dict(row.amounts, report, report.currency)}
        if row.original is not None:
            item["original"] = {"currency": row.key, **amounts_dict(row.original, report, row.key)}
        rows.append(item)
    return {
        "as_of": report.as_of.isoformat(),
        "by": report.by.value,
        "currency": report.currency,
        "source": report.source.value,
        "source_label": SOURCE_LABELS[report.source],
        "disputed_known": report.disputed_known,
        "filters": report.where,
        "buckets": [{"key": b.key, "label": b.label, "low": b.low, "high": b.high} for b in report.buckets],
        "fx_rates": {cur: f"{rate.normalize():f}" for cur, rate in sorted(report.rates.items())},
        "rows": rows,
        "totals": amounts_dict(report.totals, report, report.currency),
        "notes": report.notes,
    }


def _header(report: AgingReport) -> list[str]:
    keys = [b.key for b in report.buckets]
    original = [f"original_{k}" for k in (*keys, *AMOUNT_COLUMNS)] if report.by is Grouping.CURRENCY else []
    return ["key", "label", *original, *keys, *AMOUNT_COLUMNS]


def _cells(amounts: Amounts, currency: str) -> list[str]:
    return [_text(v, currency) for v in (*amounts.buckets, amounts.total, amounts.disputed, amounts.collectible)]


def as_csv(report: AgingReport) -> str:
    """One line per group, then a `Total` line with an empty key. Amounts in the company currency;
    grouped by currency, `original_*` columns repeat them in the row's own currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_header(report))
    by_currency = report.by is Grouping.CURRENCY
    for row in report.rows:
        original = _cells(row.original, row.key) if by_currency and row.original else []
        writer.writerow([row.key, row.label, *original, *_cells(row.amounts, report.currency)])
    blank = [""] * (len(report.buckets) + len(AMOUNT_COLUMNS)) if by_currency else []
    writer.writerow(["", "Total", *blank, *_cells(report.totals, report.currency)])
    return out.getvalue()


def title(report: AgingReport) -> str:
    where = "".join(f", {k} {v or '(none)'}" for k, v in sorted(report.where.items()))
    return (f"Aging as of {report.as_of.isoformat()} by {report.by.value}{where} — amounts in {report.currency}"
            f" ({SOURCE_LABELS[report.source]})")


def _grouped(amounts: Amounts, currency: str) -> list[str]:
    q = quantum(currency)
    return [f"{v.quantize(q):,f}" for v in (*amounts.buckets, amounts.total, amounts.disputed, amounts.collectible)]


def _render_table(heads: list[str], lines: list[list[str]], total: list[str] | None) -> list[str]:
    """Columns sized to fit: the first left-aligned, amounts right-aligned; the total under a rule."""
    every = [heads, *lines, *([total] if total else [])]
    widths = [max(len(line[i]) for line in every) for i in range(len(heads))]

    def render(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))]).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    body = [render(line) for line in lines] or ["(no open invoices)"]
    return [render(heads), rule, *body, *([rule, render(total)] if total else [])]


def as_table(report: AgingReport, *, label_width: int = 40) -> str:
    """A fixed-width table for the terminal: one line per group, then the total and the notes.
    Grouped by currency, a second table gives each currency's own amounts."""
    labels = [*(b.label for b in report.buckets), "Total", "Disputed", "Collectible"]
    heads = [GROUPING_LABELS[report.by], *labels]
    lines = [[row.label[:label_width], *_grouped(row.amounts, report.currency)] for row in report.rows]
    out = [title(report), "", *_render_table(heads, lines, ["Total", *_grouped(report.totals, report.currency)])]
    if report.by is Grouping.CURRENCY and report.rows:
        own = [[row.key, *_grouped(row.original, row.key)] for row in report.rows if row.original is not None]
        out += ["", "In each currency's own amounts:", "",
                *_render_table(["Currency", *labels], own, None)]
    return "\n".join([*out, "", *report.notes]).rstrip() + "\n"


def as_xlsx(report: AgingReport) -> bytes:
    """A workbook with the report on sheet `Aging` (numbers, not text) and what it is on sheet `About`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Aging")
    bold = Font(bold=True)
    by_currency = report.by is Grouping.CURRENCY
    labels = [*(b.label for b in report.buckets), "Total", "Disputed", "Collectible"]
    heads = ["Key", GROUPING_LABELS[report.by], *([f"{h} (original)" for h in labels] if by_currency else []),
             *(f"{h} ({report.currency})" for h in labels)]
    header_cells = []
    for head in heads:
        cell = WriteOnlyCell(sheet, value=head)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    company_format = spreadsheet_format(report.currency)

    def numbers(amounts: Amounts, currency: str, fmt: str, font: Font | None = None) -> list[WriteOnlyCell]:
        cells = []
        for value in (*amounts.buckets, amounts.total, amounts.disputed, amounts.collectible):
            cell = WriteOnlyCell(sheet, value=value.quantize(quantum(currency)))
            cell.number_format = fmt
            if font is not None:
                cell.font = font
            cells.append(cell)
        return cells

    for row in report.rows:
        original = (numbers(row.original, row.key, spreadsheet_format(row.key))
                    if by_currency and row.original else [])
        sheet.append([row.key, row.label, *original, *numbers(row.amounts, report.currency, company_format)])
    total_label = WriteOnlyCell(sheet, value="Total")
    total_label.font = bold
    padding = [None] * (len(labels)) if by_currency else []
    sheet.append([None, total_label, *padding, *numbers(report.totals, report.currency, company_format, bold)])
    about = book.create_sheet("About")
    for line in (["Report", title(report)], ["As of", report.as_of.isoformat()], ["By", report.by.value],
                 ["Currency", report.currency], *(["Note", note] for note in report.notes)):
        about.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
