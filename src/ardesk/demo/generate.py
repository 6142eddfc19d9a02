"""The whole demo company as a stream of row batches, bounded in memory. Pure.

The loader writes each batch as it comes: customer groups are generated one
after another and handed over in chunks of about `chunk_invoices` invoices,
so a million invoices never sit in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ardesk.demo.capabilities import CAPABILITIES, Capability
from ardesk.demo.context import DemoContext
from ardesk.demo.customers import GroupPlan
from ardesk.demo.records import GroupBook, Rows

CHUNK_INVOICES = 20_000


@dataclass(frozen=True)
class Chunk:
    rows: list[Rows]  # one batch per table, in the order the tables must be written
    invoices: int


def merge(batches: Iterable[Rows]) -> list[Rows]:
    """One Rows per table, in the order tables first appear (empty batches count: they keep the order)."""
    merged: dict[str, Rows] = {}
    for batch in batches:
        known = merged.get(batch.table)
        if known is None:
            merged[batch.table] = Rows(batch.table, batch.columns, list(batch.rows), batch.skip_existing)
        elif known.columns != batch.columns:
            raise ValueError(f"{batch.table}: two capabilities disagree on its columns")
        else:
            known.rows.extend(batch.rows)
    return [batch for batch in merged.values() if batch.rows]


def before(ctx: DemoContext, capabilities: tuple[Capability, ...] = CAPABILITIES) -> list[Rows]:
    return merge(rows for c in capabilities if c.before for rows in c.before(ctx))


def after(ctx: DemoContext, capabilities: tuple[Capability, ...] = CAPABILITIES) -> list[Rows]:
    return merge(rows for c in capabilities if c.after for rows in c.after(ctx))


def book_for(ctx: DemoContext, group: GroupPlan, capabilities: tuple[Capability, ...] = CAPABILITIES) -> GroupBook:
    """One group's book, every capability having added its part, with its balances computed."""
    book = GroupBook(customers=[])
    for capability in capabilities:
        if capability.per_group:
            capability.per_group(ctx, book, group)
    book.settle()
    return book


def chunks(ctx: DemoContext, groups: Iterable[GroupPlan], capabilities: tuple[Capability, ...] = CAPABILITIES,
           chunk_invoices: int = CHUNK_INVOICES) -> Iterator[Chunk]:
    pending: list[Rows] = []
    invoices = 0
    for group in groups:
        book = book_for(ctx, group, capabilities)
        pending.extend(book.rows())
        invoices += len(book.invoices)
        if invoices >= chunk_invoices:
            yield Chunk(merge(pending), invoices)
            pending, invoices = [], 0
    if pending:
        yield Chunk(merge(pending), invoices)
