"""The demo's capabilities, in the order the loader runs them. Pure.

Each capability is one module with a function the loader calls: `before`
once before the customer groups (reference data such as FX rates),
`per_group` for every customer group (it adds records to the group's book and
may read what earlier capabilities put there, e.g. invoices whose `story` is
"disputed"), `after` once when every group is written. A capability that adds
demo data for disputes, reminders, bank statements or promises appends one
entry here and declares the tables it fills, in foreign-key order, so the
loader can hand it primary keys above what the database holds.

Two optional hooks touch the database and are named by dotted path, so this
registry stays pure: `prepare(ctx)` reads reference data into `ctx.refs` before
anything is generated (catalogue ids), and `work(ctx, by)` runs once every row
is written, doing through the app's own services what must have its audit
trail (the demo's open disputes and what analysts did with them today).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ardesk.demo import customers, disputes, fx, ledger
from ardesk.demo.context import DemoContext
from ardesk.demo.customers import GroupPlan
from ardesk.demo.records import GroupBook, Rows


@dataclass(frozen=True)
class Capability:
    name: str
    tables: tuple[str, ...]  # "app_label.model", in the order they must be written
    before: Callable[[DemoContext], Iterable[Rows]] | None = None
    per_group: Callable[[DemoContext, GroupBook, GroupPlan], None] | None = None
    after: Callable[[DemoContext], Iterable[Rows]] | None = None
    prepare: str = ""  # "module.function" taking (ctx)
    work: str = ""  # "module.function" taking (ctx, by)


CAPABILITIES: tuple[Capability, ...] = (
    Capability("fx rates", ("ledger.fxrate",), before=fx.rows),
    Capability("customers", ("customers.customer", "customers.contact"), per_group=customers.fill_group),
    Capability("ledger", ("ledger.invoice", "ledger.invoiceline", "ledger.payment", "ledger.creditmemo",
                          "ledger.application", "ledger.writeoff"), per_group=ledger.fill_group),
    Capability("disputes", disputes.TABLES, per_group=disputes.fill_group,
               prepare="ardesk.demo.dispute_work.prepare", work="ardesk.demo.dispute_work.work"),
)


def tables() -> list[str]:
    """Every table a demo load fills."""
    return [table for capability in CAPABILITIES for table in capability.tables]
