"""The SQL behind the dispute reports: PostgreSQL aggregates (GROUP BY, percentile_cont), Python finishes.

Every statement reads the disputes of the user's customers raised in the period and groups them by a key and
currency; insights.dispute_stats converts each cell at the as-of FX rate and does the arithmetic that is
not a sum. "Resolved" means resolved on or before the as-of date (`resolved_at` before the midnight after it,
in TIME_ZONE); status, owner, outcome and root cause are today's values, so a past as-of date reproduces the
money and the counts of resolutions but not a status history, which ardesk does not keep.

SQLite (the embedded default) stores decimals as floating point: there amounts are summed as integer
thousandths (aging_sql.exact) and percentiles are computed in Python from the fetched days.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.disputes.models import Dispute, DisputeItem, ItemSkuShare, ReasonCode, RootCause
from ardesk.identity.models import User
from ardesk.identity.scoping import customer_filter
from ardesk.insights.aging_sql import exact
from ardesk.insights.queries import REPORT_SETTINGS
from ardesk.ledger.models import Invoice

ZERO = Decimal(0)
Params = list[Any]


@dataclass(frozen=True)
class Frame:
    """The disputes a statement reads, as SQL over `d` (the dispute table): the raise window and the scope."""

    raised_from: date
    raised_to: date
    scope: str  # SQL on d.customer_id, "1 = 1" for every customer
    scope_params: tuple[Any, ...]
    resolved_before: datetime  # resolved on or before as_of ⇔ resolved_at < this
    as_of: date
    vendor: str

    resolved = "d.resolved_at < %s"  # takes resolved_before
    unresolved = "(d.resolved_at IS NULL OR d.resolved_at >= %s)"  # takes resolved_before

    @property
    def where(self) -> str:
        return f"d.raised_on >= %s AND d.raised_on <= %s AND {self.scope}"

    @property
    def params(self) -> tuple[Any, ...]:
        return (self.raised_from, self.raised_to, *self.scope_params)

    def since(self, first: date) -> Frame:
        return replace(self, raised_from=first)


def local_midnight_after(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


def frame(*, user: Any | None, raised_from: date, raised_to: date, as_of: date) -> Frame | None:
    """Disputes raised in the period, of the user's customers (every customer for `user=None`, the command line);
    None when the user's scope is empty."""
    scope, params = "1 = 1", ()
    if user is not None:
        condition = customer_filter(user)
        if condition.children:
            try:
                sql, params = Customer.objects.filter(condition).values("pk").query.sql_with_params()
            except EmptyResultSet:
                return None
            scope = f"d.customer_id IN ({sql})"
    return Frame(raised_from, raised_to, scope, tuple(params), local_midnight_after(as_of), as_of, connection.vendor)


@contextmanager
def report_cursor() -> Iterator[Any]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, value in REPORT_SETTINGS:
                cursor.execute(f"SET LOCAL {name} = {value}")
        yield cursor


def money(vendor: str, value: Any) -> Decimal:
    """An amount as a statement returns it: numeric on PostgreSQL, integer thousandths on SQLite."""
    if value is None:
        return ZERO
    return Decimal(round(value)).scaleb(-3) if vendor == "sqlite" else Decimal(value)


def local_date(vendor: str, column: str) -> str:
    """The calendar day of a timestamp in TIME_ZONE (SQLite keeps UTC: there it is the UTC day)."""
    if vendor == "postgresql":
        return f"CAST(timezone('{settings.TIME_ZONE}', {column}) AS date)"
    return f"date({column})"


def month_of(vendor: str, date_sql: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {date_sql}) AS date)"
    return f"strftime('%%Y-%%m-01', {date_sql})"


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- one row per key and currency: count, amount, open, resolved, accepted, recovered -------------------------

class Cell(NamedTuple):
    """A NamedTuple, not a dataclass: a report by customer builds one per customer and currency (thousands)."""

    key: str
    label: str
    currency: str
    disputes: int
    amount: Decimal
    open: int
    resolved: int
    accepted: Decimal
    recovered: Decimal  # disputed − accepted, of the disputes resolved by as_of


DISPUTES = Dispute._meta.db_table


def dispute_cells(f: Frame, key_sql: str, *, key_params: Sequence[Any] = (), label_sql: str = "",
                  label_join: str = "", where: str = "", params: Sequence[Any] = ()) -> list[Cell]:
    """Group the frame's disputes by `key_sql` (over `d`, with `key_params`) and currency, narrowed by `where`."""
    v = f.vendor
    r = f.resolved
    inner = (f"SELECT {key_sql} AS k, d.currency AS cur, COUNT(*) AS n, SUM({exact(v, 'd.amount')}) AS a, "
             f"SUM(CASE WHEN {r} THEN 0 ELSE 1 END) AS o, SUM(CASE WHEN {r} THEN 1 ELSE 0 END) AS s, "
             f"SUM(CASE WHEN {r} THEN {exact(v, 'd.accepted_amount')} ELSE 0 END) AS x, "
             f"SUM(CASE WHEN {r} THEN {exact(v, 'd.amount')} - {exact(v, 'd.accepted_amount')} ELSE 0 END) AS y "
             f"FROM {DISPUTES} d WHERE {f.where}{' AND ' + where if where else ''} GROUP BY {key_sql}, d.currency")
    resolved = [f.resolved_before] * 4
    sql = f"SELECT g.*{', ' + label_sql if label_sql else ''} FROM ({inner}) g {label_join}"
    # In the text: the key, the resolved sums, the frame, `where`, the key again (GROUP BY).
    return _cells(sql, [*key_params, *resolved, *f.params, *params, *key_params], v)


def _cells(sql: str, params: Params, vendor: str) -> list[Cell]:
    with report_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if vendor == "postgresql":  # numeric arrives as Decimal, counts as int: only NULLs need mending
        return [Cell("" if k is None else str(k), "" if not label or label[0] is None else str(label[0]), cur,
                     int(n), ZERO if a is None else a, o or 0, s or 0, ZERO if x is None else x,
                     ZERO if y is None else y)
                for k, cur, n, a, o, s, x, y, *label in rows]
    return [Cell("" if k is None else str(k), str(label[0]) if label and label[0] is not None else "", cur,
                 int(n), money(vendor, a), int(o or 0), int(s or 0), money(vendor, x), money(vendor, y))
            for k, cur, n, a, o, s, x, y, *label in rows]


ITEMS, INVOICES, SHARES = DisputeItem._meta.db_table, Invoice._meta.db_table, ItemSkuShare._meta.db_table


def _frame_items(f: Frame, extra_key: str, where: str) -> str:
    """The frame's dispute items, read once (a CTE `fi`): amounts as stored, the dispute's currency, `e` (the
    extra key), `r` (resolved by as_of) and `multi` (the dispute has several items: only then can two of its
    rows share a key, so only those disputes need de-duplicating; every item of a dispute is in the frame, so a
    window over the frame counts them). Takes the resolved flag, the frame, `where`."""
    return (f"SELECT it.id, it.dispute_id, it.invoice_id, it.amount, it.accepted_amount, "
            f"d.currency AS cur, {extra_key or 'NULL'} AS e, CASE WHEN {f.resolved} THEN 1 ELSE 0 END AS r, "
            f"CASE WHEN COUNT(*) OVER (PARTITION BY it.dispute_id) > 1 THEN 1 ELSE 0 END AS multi "
            f"FROM {ITEMS} it JOIN {DISPUTES} d ON d.id = it.dispute_id "
            f"WHERE {f.where}{' AND ' + where if where else ''}")


def _rep_rows(v: str) -> str:
    """One row per frame item, keyed by the sales rep of its invoice (dispute_id, cur, r, multi, e, k = rep,
    a = amount, x = accepted, c = counts the dispute: 1 for a one-item dispute, the others are counted apart)."""
    return (f"SELECT fi.dispute_id, fi.cur, fi.r, fi.multi, fi.e, i.sales_rep AS k, {exact(v, 'fi.amount')} AS a, "
            f"{exact(v, 'fi.accepted_amount')} AS x, 1 - fi.multi AS c "
            f"FROM fi JOIN {INVOICES} i ON i.id = fi.invoice_id")


def _rep_keys() -> str:
    return (f"SELECT fi.dispute_id, fi.cur, fi.r, fi.e, i.sales_rep AS k "
            f"FROM fi JOIN {INVOICES} i ON i.id = fi.invoice_id WHERE fi.multi = 1")


def item_cells(f: Frame, by: str, *, extra_key: str = "", where: str = "") -> list[Cell]:
    """Item money grouped by SKU (`by="sku"`) or by the sales rep of the item's invoice (`by="sales_rep"`),
    optionally also by a dispute column (`extra_key`, e.g. "d.root_cause_id"; then the key is "extra:key"),
    narrowed by `where` (SQL over `d`, no parameters). A dispute over several SKUs or reps counts once in each
    of their rows.
    """
    if by == "sku":
        return _sku_cells(f, extra_key, where)
    return _rep_cells(f, extra_key, where)


def _sku_cells(f: Frame, extra_key: str, where: str) -> list[Cell]:
    """By SKU, from the stored split (ItemSkuShare: one row per item and SKU, `first` once per dispute and SKU):
    each row's money is the item's times the SKU's weight."""
    v, r = f.vendor, f.resolved
    if v == "sqlite":
        a, x = ("CAST(ROUND(it.amount * 1000 * s.weight) AS INTEGER)",
                "CAST(ROUND(it.accepted_amount * 1000 * s.weight) AS INTEGER)")
    else:
        a, x = "it.amount * s.weight", "it.accepted_amount * s.weight"
    one = "CASE WHEN s.first THEN 1 ELSE 0 END"
    key = ((f"{extra_key} || ':' || s.sku" if v == "sqlite" else f"CONCAT({extra_key}, ':', s.sku)")
           if extra_key else "s.sku")
    sql = (f"SELECT {key} AS k, d.currency, SUM({one}), SUM({a}), SUM(CASE WHEN {r} THEN 0 ELSE {one} END), "
           f"SUM(CASE WHEN {r} THEN {one} ELSE 0 END), SUM(CASE WHEN {r} THEN {x} ELSE 0 END), "
           f"SUM(CASE WHEN {r} THEN {a} - {x} ELSE 0 END) "
           f"FROM {SHARES} s JOIN {ITEMS} it ON it.id = s.item_id JOIN {DISPUTES} d ON d.id = s.dispute_id "
           f"WHERE {f.where}{' AND ' + where if where else ''} GROUP BY {key}, d.currency")
    return _cells(sql, [*[f.resolved_before] * 4, *f.params], v)


def _rep_cells(f: Frame, extra_key: str, where: str) -> list[Cell]:
    """By sales rep, set-based in one statement: the money is summed straight from the item rows (a sum does not
    care which dispute a row belongs to); the disputes are counted from the rows' `c` flags, and those with
    several items (rare) from their distinct (key, dispute) pairs, so no step groups every dispute."""
    v = f.vendor
    concat = "p.e || ':' || p.k" if v == "sqlite" else "CONCAT(p.e, ':', p.k)"
    k = concat if extra_key else "p.k"
    once = ("SELECT g.k, g.cur, SUM(g.c) AS n, SUM(g.a) AS a, SUM(CASE WHEN g.r = 0 THEN g.c ELSE 0 END) AS o, "
            "SUM(CASE WHEN g.r = 1 THEN g.c ELSE 0 END) AS s, SUM(CASE WHEN g.r = 1 THEN g.x ELSE 0 END) AS x, "
            "SUM(CASE WHEN g.r = 1 THEN g.a ELSE 0 END) - SUM(CASE WHEN g.r = 1 THEN g.x ELSE 0 END) AS y "
            f"FROM (SELECT {k} AS k, p.cur, p.r, p.c, p.a, p.x FROM ({_rep_rows(v)}) p) g GROUP BY g.k, g.cur")
    several = ("SELECT u.k, u.cur, COUNT(*), 0, SUM(1 - u.r), SUM(u.r), 0, 0 "
               f"FROM (SELECT DISTINCT {k} AS k, p.dispute_id, p.cur, p.r FROM ({_rep_keys()}) p) u "
               "GROUP BY u.k, u.cur")
    # `fi` is computed once (MATERIALIZED: it is read by both branches).
    sql = (f"WITH fi AS MATERIALIZED ({_frame_items(f, extra_key, where)}) "
           f"SELECT z.k, z.cur, SUM(z.n), SUM(z.a), SUM(z.o), SUM(z.s), SUM(z.x), SUM(z.y) "
           f"FROM ({once} UNION ALL {several}) z GROUP BY z.k, z.cur")
    return _cells(sql, [f.resolved_before, *f.params], v)


# --- labels of small catalogues -------------------------------------------------------------------------------

def reason_labels() -> dict[str, str]:
    return {str(pk): label for pk, label in ReasonCode.objects.values_list("pk", "label")}


def root_cause_labels() -> dict[str, str]:
    return {str(pk): label for pk, label in RootCause.objects.values_list("pk", "label")}


def user_labels(keys: Sequence[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k]
    labels = {}
    for pk, username, first, last in User.objects.filter(pk__in=ids).values_list(
            "pk", "username", "first_name", "last_name"):
        full = f"{first or ''} {last or ''}".strip()
        labels[str(pk)] = f"{full} ({username})" if full else username
    return labels


def customer_label_join() -> tuple[str, str]:
    """Customers are many: their labels are joined to the grouped rows `g` instead of fetched by id."""
    return "lc.number || ' ' || lc.name", f"LEFT JOIN {Customer._meta.db_table} lc ON lc.id = g.k"


# --- cycle time -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DaysStats:
    key: str  # the outcome, "" for every outcome together
    count: int
    average: Decimal | None
    p90: Decimal | None


def cycle_days(f: Frame) -> list[DaysStats] | list[tuple[str, int]]:
    """Days from raise to resolution of the frame's disputes resolved by as_of.

    On PostgreSQL: average and 90th percentile (percentile_cont) per outcome and overall, in one statement.
    Elsewhere: (outcome, days) pairs, for dispute_stats to compute the same figures.
    """
    days = f"{local_date(f.vendor, 'd.resolved_at')} - d.raised_on"
    where = f"{f.where} AND d.resolved_at < %s"
    params = [*f.params, f.resolved_before]
    with report_cursor() as cursor:
        if f.vendor == "postgresql":
            cursor.execute(
                f"SELECT d.outcome, COUNT(*), AVG({days}), percentile_cont(0.9) WITHIN GROUP (ORDER BY {days}) "
                f"FROM {DISPUTES} d WHERE {where} GROUP BY GROUPING SETS ((d.outcome), ())", params)
            return [DaysStats("" if outcome is None else outcome, int(n), Decimal(avg) if avg is not None else None,
                              Decimal(str(p90)) if p90 is not None else None)
                    for outcome, n, avg, p90 in cursor.fetchall()]
        cursor.execute(f"SELECT d.outcome, d.raised_on, d.resolved_at FROM {DISPUTES} d WHERE {where}", params)
        pairs = []
        for outcome, raised, resolved in cursor.fetchall():
            resolved_at = resolved if isinstance(resolved, datetime) else datetime.fromisoformat(str(resolved))
            if timezone.is_naive(resolved_at):
                resolved_at = timezone.make_aware(resolved_at, UTC)
            pairs.append((str(outcome), (timezone.localtime(resolved_at).date() - as_date(raised)).days))
        return pairs


# --- SLA ------------------------------------------------------------------------------------------------------

def sla_rows(f: Frame) -> list[tuple[str, int, int, int, int]]:
    """Per reason code: disputes, SLA breached (resolved after its SLA day, or still open after it on as_of),
    open, open past SLA."""
    resolved_day = local_date(f.vendor, "d.resolved_at")
    late_open = f"{f.unresolved} AND d.sla_due < %s"
    sql = (f"SELECT d.reason_code_id, COUNT(*), "
           f"SUM(CASE WHEN ({f.resolved} AND {resolved_day} > d.sla_due) OR ({late_open}) THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN {f.unresolved} THEN 1 ELSE 0 END), SUM(CASE WHEN {late_open} THEN 1 ELSE 0 END) "
           f"FROM {DISPUTES} d WHERE {f.where} GROUP BY d.reason_code_id")
    rb, day = f.resolved_before, f.as_of
    with report_cursor() as cursor:
        cursor.execute(sql, [rb, rb, day, rb, rb, day, *f.params])
        return [("" if k is None else str(k), int(n), int(b or 0), int(o or 0), int(ob or 0))
                for k, n, b, o, ob in cursor.fetchall()]


# --- recurrences ----------------------------------------------------------------------------------------------

def recurring_groups(f: Frame, look_back_from: date, days: int) -> list[tuple[int, int, str, int, int, date, date,
                                                                           Decimal]]:
    """(customer, reason, currency, disputes, recurrences, first, last, amount) per customer and reason code with
    at least one recurrence in the period: a dispute raised at most `days` days after the previous one of the
    same customer and reason (LAG over raise date and id; disputes from `look_back_from` count as previous).
    The same rule as dispute_stats.recurrences, which the tests hold it to."""
    v = f.vendor
    wide = f.since(look_back_from)
    gap = ("julianday(d.raised_on) - julianday(LAG(d.raised_on) OVER w)" if v == "sqlite"
           else "d.raised_on - LAG(d.raised_on) OVER w")
    inner = (f"SELECT d.customer_id, d.reason_code_id, d.currency, d.raised_on, {exact(v, 'd.amount')} AS a, "
             f"CASE WHEN {gap} <= %s THEN 1 ELSE 0 END AS again FROM {DISPUTES} d "
             f"WHERE {wide.where} AND d.reason_code_id IS NOT NULL "
             f"WINDOW w AS (PARTITION BY d.customer_id, d.reason_code_id ORDER BY d.raised_on, d.id)")
    # The disputes before the period only serve as LAG's "previous": the groups keep the period's rows alone.
    sql = (f"SELECT x.customer_id, x.reason_code_id, x.currency, COUNT(*), SUM(x.again), MIN(x.raised_on), "
           f"MAX(x.raised_on), SUM(x.a) FROM ({inner}) x WHERE x.raised_on >= %s "
           f"GROUP BY x.customer_id, x.reason_code_id, x.currency HAVING SUM(x.again) > 0")
    params = [days, *wide.params, f.raised_from]
    with report_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(int(c), int(r), cur, int(n), int(k), as_date(lo), as_date(hi), money(v, a))
            for c, r, cur, n, k, lo, hi, a in rows]


def customer_names(ids: Sequence[int]) -> dict[int, str]:
    return {pk: f"{number} {name}" for pk, number, name in
            Customer.objects.filter(pk__in=list(ids)).values_list("pk", "number", "name")}


# --- month by month -------------------------------------------------------------------------------------------

def monthly(f: Frame) -> tuple[list[tuple[date, str, int, Decimal]], list[tuple[date, str, int, Decimal, Decimal]]]:
    """Raised per month and currency (count, amount) in the period; resolved per month and currency (count,
    disputed, accepted) among the scope's disputes resolved from the period's first day to as_of."""
    v = f.vendor
    raised_month = month_of(v, "d.raised_on")
    resolved_month = month_of(v, local_date(v, "d.resolved_at"))
    raised_sql = (f"SELECT {raised_month}, d.currency, COUNT(*), SUM({exact(v, 'd.amount')}) FROM {DISPUTES} d "
                  f"WHERE {f.where} GROUP BY {raised_month}, d.currency")
    # Resolved in the months shown, whenever raised: the period's raise window is replaced by the resolution one.
    first = local_midnight_after(f.raised_from - timedelta(days=1))
    resolved_sql = (f"SELECT {resolved_month}, d.currency, COUNT(*), SUM({exact(v, 'd.amount')}), "
                    f"SUM({exact(v, 'd.accepted_amount')}) FROM {DISPUTES} d "
                    f"WHERE d.resolved_at >= %s AND d.resolved_at < %s AND {f.scope} "
                    f"GROUP BY {resolved_month}, d.currency")
    with report_cursor() as cursor:
        cursor.execute(raised_sql, list(f.params))
        raised = [(as_date(m), cur, int(n), money(v, a)) for m, cur, n, a in cursor.fetchall()]
        cursor.execute(resolved_sql, [first, f.resolved_before, *f.scope_params])
        resolved = [(as_date(m), cur, int(n), money(v, a), money(v, x)) for m, cur, n, a, x in cursor.fetchall()]
    return raised, resolved
