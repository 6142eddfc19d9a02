"""The dispute queue written out as CSV or XLSX: every dispute the filter selects, not one page of them.

Rows are read in chunks of the sorted ids (each chunk loads its disputes and their invoice numbers in two
queries), so a queue of 100,000 disputes streams as CSV in bounded memory. Money is written at the currency's
minor unit as exact decimal text (CSV) or numbers with a matching format (XLSX), never through float. Text a
customer wrote is kept from being read as a formula by a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ardesk.disputes.escalation import sla_state
from ardesk.disputes.models import Dispute, DisputeItem, EscalationLevel
from ardesk.disputes.workflow import OPEN_STATES
from ardesk.money import quantum, spreadsheet_format

CHUNK = 2000
XLSX_MAX_ROWS = 100_000  # a workbook past this is slow to write and to open: CSV has no such limit
HEADER = ("Dispute", "Status", "Kind", "Customer number", "Customer", "Invoices", "Reason", "Owner", "Department",
          "Priority", "Escalated to", "Raised on", "Age (days)", "SLA due", "SLA state", "Currency", "Disputed",
          "Accepted", "Outstanding", "Description")
MONEY = {16, 17, 18}  # the columns of amounts, by position
DATES = {11, 13}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: a leading =, +, -, @ would make it a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


FIELDS = ("pk", "number", "status", "kind", "customer__number", "customer__name", "reason_code__label",
          "owner__username", "department", "priority", "escalation_level", "raised_on", "sla_due", "currency",
          "amount", "accepted_amount", "description")
_LABELS = {name: dict(Dispute._meta.get_field(name).flatchoices)  # type: ignore[union-attr]
           for name in ("status", "kind", "department", "priority")}
_OPEN = {s.value for s in OPEN_STATES}


def row_of(values: tuple[Any, ...], invoices: list[str], today: date) -> tuple[Any, ...]:
    """One dispute (FIELDS, as read) as a row of HEADER: dates as dates, money as Decimal at the currency's
    unit. Plain values, not model instances: a download may hold 100,000 rows."""
    (_, number, status, kind, customer_number, customer_name, reason, owner, department, priority, level,
     raised_on, sla_due, currency, amount, accepted, description) = values
    q = quantum(currency)
    return (number, _LABELS["status"].get(status, status), _LABELS["kind"].get(kind, kind), customer_number,
            customer_name, " ".join(invoices), reason or "", owner or "",
            _LABELS["department"].get(department, department), _LABELS["priority"].get(priority, priority),
            EscalationLevel(level).label if level else "", raised_on, (today - raised_on).days, sla_due,
            sla_state(is_open=status in _OPEN, sla_due=sla_due, today=today), currency, amount.quantize(q),
            accepted.quantize(q), (amount - accepted).quantize(q), (description or "")[:2000])


def rows(selected: QuerySet[Dispute], today: date) -> Iterator[tuple[Any, ...]]:
    """Every selected dispute, in the queue's order."""
    ids = list(selected.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        loaded = {v[0]: v for v in Dispute.objects.filter(pk__in=chunk).values_list(*FIELDS)}
        invoices: dict[int, list[str]] = defaultdict(list)
        for dispute_id, number in (DisputeItem.objects.filter(dispute_id__in=chunk).order_by("pk")
                                   .values_list("dispute_id", "invoice__number")):
            if number not in invoices[dispute_id]:
                invoices[dispute_id].append(number)
        for pk in chunk:
            if pk in loaded:
                yield row_of(loaded[pk], invoices[pk], today)


def _csv_cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value)) if isinstance(value, str) else str(value)


def csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """The CSV text line by line (header first), for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_cell(v) for v in row])
        yield buffer.getvalue()


def as_xlsx(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """Sheet `Disputes`: money as numbers formatted to each row's currency, dates as dates."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Disputes")
    bold = Font(bold=True)
    header = []
    for label in HEADER:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        money_format = spreadsheet_format(row[15])
        cells = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=safe_text(value) if isinstance(value, str) else value)
            if i in MONEY:
                cell.number_format = money_format
            elif i in DATES:
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
