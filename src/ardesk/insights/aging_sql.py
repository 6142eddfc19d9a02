"""The SQL behind the aging report, built as text with parameters: the same statements on SQLite and PostgreSQL.

Open amounts come from one of two sources (`source`):

- as of today or later, the cached `Invoice.open_amount` of invoices with `open_amount > 0`: exactly the
  rows of the partial index `invoice_open_customer_due_idx`; the disputed part is the invoice's
  `disputed_amount`, at most what is open;
- as of a past date, rebuilt from dated entries: amount − the ERP settlement (only if `erp_settled_on` ≤ as_of)
  − applications applied on or before as_of − write-offs written off on or before as_of. Reversals are
  negative entries, so they count on their own date. Disputed money has no dated history yet: 0.

Buckets are conditional sums over due-date windows (`aging.due_window`), so SQL does no date arithmetic
and both engines agree. SQLite stores decimals as floating point: there every amount is summed as integer
thousandths (`_exact`) and scaled back in Python, so totals stay exact to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ardesk.customers.models import Customer
from ardesk.identity.models import Team, User
from ardesk.insights.aging import Bucket, due_window
from ardesk.insights.report import Grouping
from ardesk.ledger.models import Application, Invoice, WriteOff

Params = list[object]


@dataclass(frozen=True)
class Dimension:
    key: str  # SQL of the group key, over `s` (the invoice source) and `c` (the invoice's customer)
    on_customer: bool  # the key needs the customer join
    is_id: bool  # an integer id, NULL for "none" ("" in report keys)
    label_join: str = ""  # joins the grouped rows `g` to what names them
    label_columns: tuple[str, ...] = ()


def dimensions() -> dict[Grouping, Dimension]:
    customers, users, teams = Customer._meta.db_table, User._meta.db_table, Team._meta.db_table
    return {
        Grouping.CUSTOMER: Dimension("s.customer_id", False, True, f"LEFT JOIN {customers} lc ON lc.id = g.k",
                                     ("lc.number", "lc.name")),
        Grouping.COLLECTOR: Dimension("c.collector_id", True, True, f"LEFT JOIN {users} lu ON lu.id = g.k",
                                      ("lu.username", "lu.first_name", "lu.last_name")),
        Grouping.TEAM: Dimension("c.team_id", True, True, f"LEFT JOIN {teams} lt ON lt.id = g.k", ("lt.name",)),
        Grouping.SEGMENT: Dimension("c.segment", True, False),
        Grouping.COUNTRY: Dimension("c.country", True, False),
        Grouping.CURRENCY: Dimension("s.currency", False, False),
    }


def exact(vendor: str, column: str) -> str:
    """An amount as the query sums it: the value itself, or integer thousandths on SQLite."""
    return f"CAST(ROUND({column} * 1000) AS INTEGER)" if vendor == "sqlite" else column


def source(vendor: str, *, as_of: date, rebuilt: bool) -> tuple[str, Params]:
    """Open invoices as of `as_of` with columns id, customer_id, due_date, currency, open_amount, disputed_amount."""
    invoices = Invoice._meta.db_table
    if not rebuilt:
        open_ = exact(vendor, "open_amount")
        disputed = f"CASE WHEN disputed_amount < open_amount THEN {exact(vendor, 'disputed_amount')} ELSE {open_} END"
        # `open_amount > 0` is written as a literal so the planner matches the partial index.
        return (f"SELECT id, customer_id, due_date, currency, {open_} AS open_amount, {disputed} AS disputed_amount "
                f"FROM {invoices} WHERE open_amount > 0 AND issue_date <= %s", [as_of])
    applications, write_offs = Application._meta.db_table, WriteOff._meta.db_table
    open_ = (f"{exact(vendor, 'i.amount')} "
             f"- CASE WHEN i.erp_settled_on <= %s THEN {exact(vendor, 'i.erp_settled_amount')} ELSE 0 END "
             f"- COALESCE(a.total, 0) - COALESCE(w.total, 0)")
    sql = (f"SELECT i.id, i.customer_id, i.due_date, i.currency, {open_} AS open_amount, 0 AS disputed_amount "
           f"FROM {invoices} i "
           f"LEFT JOIN (SELECT invoice_id, SUM({exact(vendor, 'amount')}) AS total FROM {applications} "
           f"WHERE applied_on <= %s GROUP BY invoice_id) a ON a.invoice_id = i.id "
           f"LEFT JOIN (SELECT invoice_id, SUM({exact(vendor, 'amount')}) AS total FROM {write_offs} "
           f"WHERE written_off_on <= %s GROUP BY invoice_id) w ON w.invoice_id = i.id "
           f"WHERE i.issue_date <= %s")
    return sql, [as_of, as_of, as_of, as_of]


def window_condition(bucket: Bucket, as_of: date) -> tuple[str, Params]:
    earliest, latest = due_window(bucket, as_of)
    parts: list[str] = []
    params: Params = []
    if earliest is not None:
        parts.append("s.due_date >= %s")
        params.append(earliest)
    if latest is not None:
        parts.append("s.due_date <= %s")
        params.append(latest)
    return " AND ".join(parts) or "1 = 1", params


@dataclass(frozen=True)
class Narrowing:
    """WHERE conditions on `s` and `c`: the user's scope and the report's filters, already as SQL."""

    conditions: tuple[str, ...]
    params: tuple[object, ...]
    on_customer: bool

    def sql(self) -> str:
        return " AND ".join(("s.open_amount <> 0", *self.conditions))


def from_clause(vendor: str, *, as_of: date, rebuilt: bool, on_customer: bool) -> tuple[str, Params]:
    sql, params = source(vendor, as_of=as_of, rebuilt=rebuilt)
    joined = f" JOIN {Customer._meta.db_table} c ON c.id = s.customer_id" if on_customer else ""
    return f"({sql}) s{joined}", params


def aging_statement(vendor: str, *, as_of: date, rebuilt: bool, dimension: Dimension,
                    bucket_list: Sequence[Bucket], narrowing: Narrowing) -> tuple[str, Params]:
    """One GROUP BY over (group key, currency) with one conditional sum per bucket; labels joined after."""
    sums: list[str] = []
    params: Params = []
    for i, bucket in enumerate(bucket_list):
        condition, condition_params = window_condition(bucket, as_of)
        sums.append(f"SUM(CASE WHEN {condition} THEN s.open_amount ELSE 0 END) AS b{i}")
        params.extend(condition_params)
    source_sql, source_params = from_clause(vendor, as_of=as_of, rebuilt=rebuilt,
                                            on_customer=dimension.on_customer or narrowing.on_customer)
    inner = (f"SELECT {dimension.key} AS k, s.currency AS currency, {', '.join(sums)}, "
             f"SUM(s.open_amount) AS total, SUM(s.disputed_amount) AS disputed "
             f"FROM {source_sql} WHERE {narrowing.sql()} GROUP BY {dimension.key}, s.currency")
    # In the text the bucket sums come first, then the source, then the narrowing.
    params = [*params, *source_params, *narrowing.params]
    columns = ", ".join(("g.*", *dimension.label_columns))
    return f"SELECT {columns} FROM ({inner}) g {dimension.label_join}", params


def drill_statements(vendor: str, *, as_of: date, rebuilt: bool, bucket: Bucket | None,
                     narrowing: Narrowing, limit: int, offset: int) -> tuple[tuple[str, Params], tuple[str, Params]]:
    """The invoices behind one cell (a page of them, oldest due first) and their count and sum per currency."""
    source_sql, source_params = from_clause(vendor, as_of=as_of, rebuilt=rebuilt, on_customer=narrowing.on_customer)
    conditions = narrowing.sql()
    params: Params = [*source_params, *narrowing.params]
    if bucket is not None:
        window, window_params = window_condition(bucket, as_of)
        conditions = f"{conditions} AND {window}"
        params.extend(window_params)
    page = (f"SELECT s.id, s.open_amount, s.disputed_amount FROM {source_sql} WHERE {conditions} "
            f"ORDER BY s.due_date, s.id LIMIT %s OFFSET %s", [*params, limit, offset])
    summary = (f"SELECT s.currency, COUNT(*), SUM(s.open_amount), SUM(s.disputed_amount) FROM {source_sql} "
               f"WHERE {conditions} GROUP BY s.currency ORDER BY s.currency", list(params))
    return page, summary
