"""Each dispute item's split over SKUs, stored in ItemSkuShare for the report by SKU and the prevention view.

An item on a line is that line's SKU. An item on a whole invoice is shared among the invoice's SKUs in
proportion to their lines' gross amount (net + tax), by line count when the gross sums to 0; an invoice
without lines gives one share of "" (no SKU). The split is a fact of the invoice's lines, so it is written
when a dispute is raised and brought up to date whenever lines are imported (`resplit_all`), set-based
either way and the same SQL on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.dispatch import receiver

from ardesk.disputes.models import DisputeItem, ItemSkuShare
from ardesk.imports.report import Kind
from ardesk.imports.signals import batch_applied
from ardesk.ledger.models import InvoiceLine

SHARES, ITEMS, LINES = ItemSkuShare._meta.db_table, DisputeItem._meta.db_table, InvoiceLine._meta.db_table
FIRST = connection.ops.quote_name("first")
COLUMNS = f"item_id, dispute_id, sku, weight, {FIRST}"


def _split_select(scope: str) -> str:
    """The shares (COLUMNS) of the items whose `it.dispute_id` matches `scope` (SQL, no parameters)."""
    gross = "(l.amount + l.tax_amount)"
    real = "CAST({} AS REAL)" if connection.vendor == "sqlite" else "CAST({} AS NUMERIC)"
    part = (f"CASE WHEN t.total = 0 THEN {real.format('COUNT(*)')} / t.n "
            f"ELSE {real.format(f'SUM({gross})')} / t.total END")
    # Rounded as the column stores it, so a weight read back compares equal to one computed again.
    weight = "s.weight" if connection.vendor == "sqlite" else "CAST(s.weight AS NUMERIC(40, 20))"
    return (
        f"SELECT s.item_id AS item_id, s.dispute_id AS dispute_id, s.sku AS sku, {weight} AS weight, "
        f"CASE WHEN ROW_NUMBER() OVER (PARTITION BY s.dispute_id, s.sku ORDER BY s.item_id) = 1 "
        f"THEN TRUE ELSE FALSE END AS {FIRST} FROM ("
        # An item on a line: all of it is that line's SKU.
        f"SELECT it.id AS item_id, it.dispute_id, l.sku AS sku, 1 AS weight FROM {ITEMS} it "
        f"JOIN {LINES} l ON l.id = it.invoice_line_id WHERE {scope} "
        # An item on a whole invoice: one share per SKU of the invoice's lines.
        f"UNION ALL SELECT it.id, it.dispute_id, l.sku, {part} FROM {ITEMS} it "
        f"JOIN {LINES} l ON l.invoice_id = it.invoice_id "
        f"JOIN (SELECT l.invoice_id, SUM({gross}) AS total, COUNT(*) AS n FROM {LINES} l "
        f"WHERE l.invoice_id IN (SELECT it.invoice_id FROM {ITEMS} it WHERE {scope} AND it.invoice_line_id IS NULL) "
        f"GROUP BY l.invoice_id) t ON t.invoice_id = it.invoice_id "
        f"WHERE {scope} AND it.invoice_line_id IS NULL GROUP BY it.id, it.dispute_id, l.sku, t.total, t.n "
        # An item on an invoice without lines: no SKU.
        f"UNION ALL SELECT it.id, it.dispute_id, '', 1 FROM {ITEMS} it WHERE {scope} "
        f"AND it.invoice_line_id IS NULL AND NOT EXISTS (SELECT 1 FROM {LINES} l WHERE l.invoice_id = it.invoice_id)"
        f") s"
    )


def split(dispute_ids: Sequence[int]) -> None:
    """(Re)write the shares of these disputes' items; call it in the transaction that wrote the items."""
    ids = ", ".join(str(int(pk)) for pk in dispute_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SHARES} WHERE dispute_id IN ({ids})")
        cursor.execute(f"INSERT INTO {SHARES} ({COLUMNS}) {_split_select(f'it.dispute_id IN ({ids})')}")


def resplit_all() -> int:
    """Bring every share up to date with the lines: after lines were imported (they may belong to disputed
    invoices), after a bulk load. The split is computed whole, but only what differs is written: an import of
    lines that touches no disputed invoice writes nothing here. Returns the rows deleted, changed and added."""
    new = "ardesk_new_split"
    same_row = f"n.item_id = {SHARES}.item_id AND n.sku = {SHARES}.sku"
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {new}")
        cursor.execute(f"CREATE TEMPORARY TABLE {new} AS {_split_select('1 = 1')}")
        for statement in (
                f"DELETE FROM {SHARES} WHERE NOT EXISTS (SELECT 1 FROM {new} n WHERE {same_row})",
                f"UPDATE {SHARES} SET weight = n.weight, {FIRST} = n.{FIRST} FROM {new} n "
                f"WHERE {same_row} AND ({SHARES}.weight <> n.weight OR {SHARES}.{FIRST} <> n.{FIRST})",
                f"INSERT INTO {SHARES} ({COLUMNS}) SELECT {COLUMNS} FROM {new} n "
                f"WHERE NOT EXISTS (SELECT 1 FROM {SHARES} s WHERE s.item_id = n.item_id AND s.sku = n.sku)"):
            cursor.execute(statement)
            written += max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {new}")
    return written


def stale_count() -> int:
    """How many shares are missing, changed or left over against the split the lines give now (what
    `resplit_all` would write), for `ardesk disputes verify`."""
    columns = f"item_id, sku, weight, {FIRST}"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH n AS ({_split_select('1 = 1')}) SELECT "
                       f"(SELECT COUNT(*) FROM (SELECT {columns} FROM n EXCEPT SELECT {columns} FROM {SHARES}) a) + "
                       f"(SELECT COUNT(*) FROM {SHARES} s WHERE NOT EXISTS "
                       f"(SELECT 1 FROM n WHERE n.item_id = s.item_id AND n.sku = s.sku))")
        return int(cursor.fetchone()[0])


@receiver(batch_applied)
def _lines_imported(sender: type, kind: Kind, **_: Any) -> None:
    """Imported lines may add to, or change, invoices already in dispute: their items are split again, in the
    import's transaction (about a second at 100,000 disputes; `--only disputes` in the benchmarks times it)."""
    if kind is Kind.INVOICE_LINES:
        resplit_all()
