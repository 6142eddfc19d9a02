"""The SQL behind the aging report, built as text with parameters: the same statements on SQLite and PostgreSQL.

Every source is a relation of signed amounts `s(invoice_id, customer_id, currency, due_date, x, d)`: summed
per invoice they give its open amount (`x`) and disputed amount (`d`) as of the date. Three sources:

- `cache` (as of today or later): one row per open invoice, its cached `open_amount` — read from the partial
  index of open invoices — and its `disputed_amount`, at most what is open;
- `rollback` (a past date, the default): the cached open amount of the invoices issued by then, plus every
  entry dated after the date added back: applications and write-offs (reversals are negative entries, so
  they count on their own date) and the ERP settlement if it is dated after the date;
- `entries` (a past date, on request): the invoice amounts less every entry dated on or before the date,
  without the caches. It is the definition; `rollback` equals it whenever the caches hold, which
  `ardesk ledger verify` proves, and reads far fewer rows for a recent date.

An ERP settlement without a date counts from the invoice's issue (it was settled before ardesk knew the
invoice), so a past date and today agree about it. Disputed money has no dated history yet, so it is 0 for
a past date. Buckets are conditional sums over
due-date windows (`aging.due_window`): no date arithmetic in SQL. SQLite stores decimals as floating
point: there every amount is summed as integer thousandths (`exact`) and scaled back in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ardesk.customers.models import Customer
from ardesk.identity.models import Team, User
from ardesk.insights.aging import Bucket, due_window
from ardesk.insights.report import Grouping, Source
from ardesk.ledger.models import Application, Invoice, WriteOff

Params = list[object]


@dataclass(frozen=True)
class Dimension:
    key: str  # SQL of the group key, over `s` (the source) and `c` (the invoice's customer)
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


def source(vendor: str, *, as_of: date, kind: Source) -> tuple[str, Params]:
    """The signed amounts of invoices issued on or before `as_of` (see the module docstring)."""
    invoices = Invoice._meta.db_table
    applications, write_offs = Application._meta.db_table, WriteOff._meta.db_table
    columns = "id AS invoice_id, customer_id, currency, due_date"
    joined = "i.id, i.customer_id, i.currency, i.due_date"
    # `open_amount > 0` and `erp_settled_amount > 0` are literals so the planner matches the partial indexes.
    if kind is Source.CACHE:
        open_ = exact(vendor, "open_amount")
        disputed = f"CASE WHEN disputed_amount < open_amount THEN {exact(vendor, 'disputed_amount')} ELSE {open_} END"
        return (f"SELECT {columns}, {open_} AS x, {disputed} AS d FROM {invoices} "
                f"WHERE open_amount > 0 AND issue_date <= %s", [as_of])
    # Disputed money of a past date is a typed zero, so every amount column comes back as one type.
    zero = "CAST(0 AS INTEGER)" if vendor == "sqlite" else "CAST(0 AS NUMERIC)"
    if kind is Source.ROLLBACK:
        later, sign, erp = ">", "", "erp_settled_on > %s"
        invoice_rows = (f"SELECT {columns}, {exact(vendor, 'open_amount')} AS x, {zero} AS d FROM {invoices} "
                        f"WHERE open_amount > 0 AND issue_date <= %s")
    else:
        later, sign, erp = "<=", "-", "(erp_settled_on IS NULL OR erp_settled_on <= %s)"
        invoice_rows = (f"SELECT {columns}, {exact(vendor, 'amount')} AS x, {zero} AS d FROM {invoices} "
                        f"WHERE issue_date <= %s")
    # Applications and write-offs are read as one stream of entries, joined to their invoices once.
    entries = (f"SELECT invoice_id, amount FROM {applications} WHERE applied_on {later} %s "
               f"UNION ALL SELECT invoice_id, amount FROM {write_offs} WHERE written_off_on {later} %s")
    return (
        f"{invoice_rows} "
        f"UNION ALL SELECT {columns}, {sign}{exact(vendor, 'erp_settled_amount')}, {zero} FROM {invoices} "
        f"WHERE erp_settled_amount > 0 AND {erp} AND issue_date <= %s "
        f"UNION ALL SELECT {joined}, {sign}{exact(vendor, 'e.amount')}, {zero} FROM ({entries}) e "
        f"JOIN {invoices} i ON i.id = e.invoice_id WHERE i.issue_date <= %s",
        [as_of] * 6)


def window_condition(bucket: Bucket, as_of: date, column: str = "s.due_date") -> tuple[str, Params]:
    earliest, latest = due_window(bucket, as_of)
    parts: list[str] = []
    params: Params = []
    if earliest is not None:
        parts.append(f"{column} >= %s")
        params.append(earliest)
    if latest is not None:
        parts.append(f"{column} <= %s")
        params.append(latest)
    return " AND ".join(parts) or "1 = 1", params


def conditional_sum(value: str, condition: str, *, use_filter: bool) -> str:
    """SUM over the rows meeting `condition`: FILTER where the engine has it (cheaper), else CASE."""
    if use_filter:
        return f"COALESCE(SUM({value}) FILTER (WHERE {condition}), 0)"
    return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"


@dataclass(frozen=True)
class Narrowing:
    """WHERE conditions on `s` and `c`: the user's scope and the report's filters, already as SQL."""

    conditions: tuple[str, ...]
    params: tuple[object, ...]
    on_customer: bool

    def sql(self) -> str:
        return " AND ".join(self.conditions) or "1 = 1"


def from_clause(vendor: str, *, as_of: date, kind: Source, on_customer: bool) -> tuple[str, Params]:
    sql, params = source(vendor, as_of=as_of, kind=kind)
    joined = f" JOIN {Customer._meta.db_table} c ON c.id = s.customer_id" if on_customer else ""
    return f"({sql}) s{joined}", params


def aging_statement(vendor: str, *, as_of: date, kind: Source, dimension: Dimension, bucket_list: Sequence[Bucket],
                    narrowing: Narrowing, use_filter: bool = True) -> tuple[str, Params]:
    """One GROUP BY over (group key, currency) with one conditional sum per bucket; labels joined after.

    Groups with nothing open are left out (HAVING), so a customer paid up long ago costs no row.
    """
    sums: list[str] = []
    params: Params = []
    for i, bucket in enumerate(bucket_list):
        condition, condition_params = window_condition(bucket, as_of)
        sums.append(f"{conditional_sum('s.x', condition, use_filter=use_filter)} AS b{i}")
        params.extend(condition_params)
    source_sql, source_params = from_clause(vendor, as_of=as_of, kind=kind,
                                            on_customer=dimension.on_customer or narrowing.on_customer)
    having = " OR ".join(f"b{i} <> 0" for i in range(len(bucket_list)))
    inner = (f"SELECT {dimension.key} AS k, s.currency AS currency, {', '.join(sums)}, "
             f"SUM(s.x) AS total, SUM(s.d) AS disputed "
             f"FROM {source_sql} WHERE {narrowing.sql()} GROUP BY {dimension.key}, s.currency")
    # In the text the bucket sums come first, then the source, then the narrowing.
    params = [*params, *source_params, *narrowing.params]
    columns = ", ".join(("g.*", *dimension.label_columns))
    return f"SELECT {columns} FROM ({inner}) g {dimension.label_join} WHERE {having}", params


def drill_statements(vendor: str, *, as_of: date, kind: Source, bucket: Bucket | None, narrowing: Narrowing,
                     limit: int, offset: int) -> tuple[tuple[str, Params], tuple[str, Params]]:
    """The invoices behind one cell (a page of them, oldest due first) and their count and sum per currency."""
    source_sql, source_params = from_clause(vendor, as_of=as_of, kind=kind, on_customer=narrowing.on_customer)
    conditions = narrowing.sql()
    params: Params = [*source_params, *narrowing.params]
    if bucket is not None:
        window, window_params = window_condition(bucket, as_of)
        conditions = f"{conditions} AND {window}"
        params.extend(window_params)
    per_invoice = (f"SELECT s.invoice_id, s.currency, s.due_date, SUM(s.x) AS x, SUM(s.d) AS d FROM {source_sql} "
                   f"WHERE {conditions} GROUP BY s.invoice_id, s.currency, s.due_date HAVING SUM(s.x) <> 0")
    page = (f"SELECT p.invoice_id, p.x, p.d FROM ({per_invoice}) p ORDER BY p.due_date, p.invoice_id "
            f"LIMIT %s OFFSET %s", [*params, limit, offset])
    summary = (f"SELECT p.currency, COUNT(*), SUM(p.x), SUM(p.d) FROM ({per_invoice}) p "
               f"GROUP BY p.currency ORDER BY p.currency", list(params))
    return page, summary


def customer_page_statement(aging: tuple[str, Params], *, width: int, company_currency: str, places: int,
                            rates: Sequence[tuple[str, object]], limit: int, offset: int) -> tuple[str, Params]:
    """One page of the report by customer, converted, merged and sorted in PostgreSQL, with the totals.

    `aging` is `aging_statement` by customer without its label join. The arithmetic is report.build_report's:
    each cell in another currency is converted at its rate and rounded half up to the company currency's
    minor unit (`places`), the disputed part is capped at the cell's open total, a customer's currencies are
    added, rows run largest total first, then by label and key. Only the rows tied with or above the page's
    last total are named and sorted by label, and only the page's rows are merged bucket by bucket: a report
    by customer has 55,000 rows at full size and the page shows 100.

    Always one row or more: the page's rows (`k` NULL when the page is empty), each ending with the report's
    row count and totals, the currencies it holds, and those without a rate.
    """
    sql, params = aging
    cols = [f"b{i}" for i in range(width)]
    rate_rows = ", ".join(["(%s, CAST(%s AS NUMERIC))"] * len(rates))
    rate_params: Params = [value for pair in rates for value in pair]
    rates_cte = (f"r(currency, rate) AS (VALUES {rate_rows})" if rates
                 else "r(currency, rate) AS (SELECT CAST(NULL AS TEXT), CAST(NULL AS NUMERIC) WHERE FALSE)")

    def converted(column: str) -> str:
        return f"CASE WHEN a.currency = %s THEN a.{column} ELSE ROUND(a.{column} * r.rate, {int(places)}) END"

    customers = Customer._meta.db_table
    conversions = ", ".join(f"{converted(c)} AS {c}" for c in [*cols, "disputed"])
    sums = ", ".join(f"SUM(c.{c}) AS {c}" for c in cols)
    disputed = "SUM(LEAST(c.disputed, c.total)) AS disputed"
    order = "ORDER BY p.total DESC, p.label COLLATE \"C\", CAST(p.k AS TEXT) COLLATE \"C\""
    statement = (
        f"WITH a AS MATERIALIZED ({sql}), {rates_cte}, "
        f"v AS (SELECT a.k, a.currency, r.rate, {conversions} FROM a LEFT JOIN r ON r.currency = a.currency), "
        f"c AS MATERIALIZED (SELECT v.*, {' + '.join(f'v.{c}' for c in cols)} AS total FROM v), "
        f"t AS MATERIALIZED (SELECT c.k, SUM(c.total) AS total FROM c GROUP BY c.k), "
        f"n AS (SELECT COUNT(*) AS row_count FROM t), "
        f"s AS (SELECT {sums}, SUM(c.total) AS total, {disputed} FROM c), "
        f"cur AS (SELECT ARRAY_AGG(x.currency) AS seen, ARRAY_AGG(x.currency) FILTER (WHERE x.unrated) AS missing "
        f"FROM (SELECT c.currency, BOOL_OR(c.rate IS NULL AND c.currency <> %s) AS unrated FROM c "
        f"GROUP BY c.currency) x), "
        f"top AS (SELECT t.k, t.total FROM t ORDER BY t.total DESC FETCH FIRST %s ROWS WITH TIES), "
        f"p AS (SELECT top.k, top.total, CONCAT(lc.number, ' ', lc.name) AS label FROM top "
        f"JOIN {customers} lc ON lc.id = top.k ORDER BY top.total DESC, "
        f"CONCAT(lc.number, ' ', lc.name) COLLATE \"C\", CAST(top.k AS TEXT) COLLATE \"C\" "
        f"LIMIT %s OFFSET %s), "
        f"m AS (SELECT c.k, {sums}, {disputed} FROM c WHERE c.k IN (SELECT p.k FROM p) GROUP BY c.k) "
        f"SELECT p.k, p.label, {', '.join(f'm.{c}' for c in cols)}, p.total, m.disputed, n.row_count, "
        f"{', '.join(f's.{c}' for c in cols)}, s.total, s.disputed, cur.seen, cur.missing "
        f"FROM s CROSS JOIN n CROSS JOIN cur LEFT JOIN (p JOIN m ON m.k = p.k) ON TRUE {order}")
    return statement, [*params, *rate_params, *([company_currency] * (width + 1)), company_currency,
                       offset + limit, limit, offset]
