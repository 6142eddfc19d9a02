"""Validating rows, and the words of every rejection. Pure: no Django import.

Checks run in this order, by both engines, on the same rows:

1. cells: every cell is read by its column's parser (kinds.py);
2. row rules: due date not before issue date, open amount within the amount …
   (only where the cells involved were read);
3. duplicate keys: a key seen again in the file rejects the later row, naming the first;
4. references: a customer, invoice, user or team named in a cell must exist
   (a parent customer may also be a row of the same file);
5. state: against what ardesk already holds (an open amount that would go
   negative, a change to money that has already been applied).

The engines differ only in how they look things up; the reasons come from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ardesk.imports.kinds import Column, CurrencyCell, DateCell, MoneyCell, Spec, TextCell
from ardesk.imports.parsing import (
    FIRST_YEAR,
    LAST_YEAR,
    FieldError,
    currency_codes,
    fast_money_pattern,
    fits_money,
    money,
)
from ardesk.imports.report import Kind, Rejections
from ardesk.money import quantum

MAX_GROUP_DEPTH = 20
_fromisoformat = date.fromisoformat


@dataclass
class Row:
    """A row as read: `values` holds each present column's value (None where the cell was refused)."""

    row: int
    values: dict[str, Any]
    ok: bool


RowRule = Callable[[dict[str, Any]], Iterator[tuple[str, Any, str]]]


def _invoice_rule(values: dict[str, Any]) -> Iterator[tuple[str, Any, str]]:
    issue, due = values.get("issue_date"), values.get("due_date")
    if issue is not None and due is not None and due < issue:
        yield "due_date", due, f"is before the issue date {issue.isoformat()}"
    amount, open_amount = values.get("amount"), values.get("open_amount")
    if amount is not None and open_amount is not None and open_amount > amount:
        yield "open_amount", open_amount, f"cannot be more than the amount {amount}"


def _line_rule(values: dict[str, Any]) -> Iterator[tuple[str, Any, str]]:
    quantity, price = values.get("quantity"), values.get("unit_price")
    if quantity is not None and price is not None and not fits_money(quantity * price):
        yield "unit_price", price, "makes the line amount (quantity × unit price) too large"


ROW_RULES: dict[Kind, RowRule] = {Kind.INVOICES: _invoice_rule, Kind.INVOICE_LINES: _line_rule}


_TEXT, _DATE, _MONEY, _CURRENCY, _OTHER = range(5)


def _fast_kind(column: Column) -> tuple[int, Any]:
    if isinstance(column.parse, TextCell):
        return _TEXT, column.parse.limit
    if isinstance(column.parse, DateCell):
        return _DATE, None
    if isinstance(column.parse, MoneyCell) and column.parse.currency_column:
        return _MONEY, column.parse
    if isinstance(column.parse, CurrencyCell):
        return _CURRENCY, currency_codes()
    return _OTHER, None


class RowValidator:
    """Reads the cells of one row into values, recording a rejection for each cell that cannot be read.

    The common, canonical cells (plain text, ISO dates, plain amounts, upper-case currency codes) are
    read inline; every other cell goes through its column's parser. `fast=False` turns the inline reads
    off, which the tests use to prove both give the same values and the same rejections.
    """

    def __init__(self, spec: Spec, header: list[str], *, fast: bool = True) -> None:
        self.spec = spec
        self.width = len(header)
        position = {name: i for i, name in enumerate(header)}
        self.present = [c for c in spec.columns if c.name in position]
        self.plan = [(position[c.name], c.name, *(_fast_kind(c) if fast else (_OTHER, None)), c)
                     for c in self.present]
        self.rule = ROW_RULES.get(spec.kind)

    def validate(self, row_no: int, cells: list[Any], rejections: Rejections) -> Row:
        if len(cells) != self.width:
            extra = cells[self.width:]
            if len(cells) < self.width or any(c is not None and str(c).strip() for c in extra):
                hint = " (a quote left open?)" if any(isinstance(c, str) and "\n" in c for c in cells) else ""
                rejections.add(row_no, "*", "", f"has {len(cells)} fields; the header has {self.width}{hint}")
                return Row(row_no, {}, False)
        values: dict[str, Any] = {}
        ok = True
        for index, name, fast, arg, column in self.plan:
            raw = cells[index]
            if type(raw) is str and raw:
                # Inline reads of the canonical forms; anything else falls through to the parser.
                if fast == _TEXT:
                    value = raw.strip()
                    if value and len(value) <= arg and "\x00" not in value:
                        values[name] = value
                        continue
                elif fast == _DATE:
                    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw[:4].isdigit():
                        try:
                            day = _fromisoformat(raw)
                        except ValueError:
                            pass
                        else:
                            if FIRST_YEAR <= day.year <= LAST_YEAR:
                                values[name] = day
                                continue
                elif fast == _MONEY:
                    currency = values.get(arg.currency_column)
                    pattern = fast_money_pattern(currency) if currency else None
                    if pattern is not None and pattern.fullmatch(raw):
                        amount = Decimal(raw)
                        if amount or arg.sign != "positive":
                            values[name] = amount
                            continue
                elif fast == _CURRENCY and raw in arg:
                    values[name] = raw
                    continue
            if raw is None or (type(raw) is str and (not raw or raw.isspace())):
                if column.required:
                    rejections.add(row_no, name, "", "is required")
                    values[name] = None
                    ok = False
                else:
                    values[name] = column.blank
                continue
            try:
                values[name] = column.parse(raw, values)
            except FieldError as error:
                rejections.add(row_no, name, raw, error.reason)
                values[name] = None
                ok = False
        if self.rule is not None:
            for name, value, reason in self.rule(values):
                rejections.add(row_no, name, value, reason)
                values[name] = None
                ok = False
        return Row(row_no, values, ok)


# --- keys and duplicates -------------------------------------------------------------------------

def key_of(spec: Spec, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The natural key of a row, or None when a key cell was refused."""
    key = tuple(values.get(name) for name in spec.key)
    return None if any(part is None for part in key) else key


def describe_key(spec: Spec, key: tuple[Any, ...]) -> str:
    return " / ".join(str(part) for part in key)


def duplicate_reason(spec: Spec, key_text: str, first_row: int) -> str:
    return f"{spec.entity} {key_text} appears more than once in the file: first in row {first_row}"


def find_duplicates(spec: Spec, rows: list[Row], rejections: Rejections) -> None:
    first: dict[tuple[Any, ...], int] = {}
    column = spec.key[-1]
    for row in rows:
        key = key_of(spec, row.values)
        if key is None:
            continue
        seen = first.setdefault(key, row.row)
        if seen != row.row:
            rejections.add(row.row, column, row.values[column], duplicate_reason(spec, describe_key(spec, key), seen))


# --- references ----------------------------------------------------------------------------------

def unknown_reference(target: str, value: str, *, in_file_too: bool = False) -> str:
    where = "in ardesk or in this file" if in_file_too else "in ardesk"
    return f"no {target} {value} {where}"


def parent_problems(file_parents: dict[str, tuple[int, str | None]],
                    existing_parent_of: Callable[[str], str | None]) -> Iterator[tuple[int, str, str]]:
    """(row, parent number, reason) for each file row whose parent would loop the group or nest too deep.

    `file_parents` maps each customer number of the file to (row, parent number or None) as the
    file sets it (the first row of a number wins); every other customer keeps its parent in ardesk.
    """
    for number, (row, parent) in file_parents.items():
        if parent is None:
            continue
        if parent == number:
            yield row, parent, "a customer cannot be its own parent"
            continue
        chain = [number]
        current: str | None = parent
        while current is not None and len(chain) <= MAX_GROUP_DEPTH:
            if current in chain:
                yield row, parent, f"would make a loop in the customer group: {' → '.join([*chain, current])}"
                break
            chain.append(current)
            current = file_parents[current][1] if current in file_parents else existing_parent_of(current)
        else:
            if current is not None:
                yield row, parent, f"customer groups are limited to {MAX_GROUP_DEPTH} levels"


def file_parents_of(rows: list[Row]) -> dict[str, tuple[int, str | None]]:
    """The parent each customer number of the file asks for; the first row of a number wins."""
    parents: dict[str, tuple[int, str | None]] = {}
    for row in rows:
        number = row.values.get("customer_number")
        if number is not None:
            parents.setdefault(number, (row.row, row.values.get("parent_number")))
    return parents


# --- state ---------------------------------------------------------------------------------------

def money_text(value: Decimal, currency: str) -> str:
    return str(value.quantize(quantum(currency)))


def open_negative_reason(new_open: Decimal, settled_in_ardesk: Decimal, currency: str) -> str:
    return (f"would leave {money_text(new_open, currency)} open: ardesk has already settled "
            f"{money_text(settled_in_ardesk, currency)} of this invoice (applications and write-offs)")


def applied_change_reason(entity: str, what: str, old: object, new: object) -> str:
    return f"cannot change the {what} from {old} to {new}: the {entity} already has applications"


def currency_clash_reason(invoice: str, invoice_currency: str, currency: str) -> str:
    return f"invoice {invoice} is in {invoice_currency}; the credit memo is in {currency}"


def line_tax_reason(tax: Decimal, currency: str) -> str | None:
    """Why a line's tax does not fit the invoice's currency, or None when it does."""
    try:
        money(str(tax), currency, sign="any")
    except FieldError as error:
        return error.reason
    return None
