"""Reads for the aging report and its drill-down, shared by the command, the page and the API.

`user=None` is the command line, which sees every customer; pages and the API pass the signed-in user and
see only the customers of their scope (identity.scoping).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.identity.scoping import customer_filter
from ardesk.insights import aging_sql
from ardesk.insights.aging import Bucket, bucket_for, buckets, days_past_due
from ardesk.insights.report import (
    NO_VALUE_LABELS,
    TOTAL,
    AgingReport,
    Amounts,
    Grouping,
    GroupSums,
    InvalidReportInput,
    Row,
    Source,
    build_report,
)
from ardesk.ledger.models import FxRate, Invoice
from ardesk.ledger.queries import NoFxRate, fx_rate
from ardesk.money import quantum

ZERO = Decimal(0)
MAX_PAGE = 500
# PostgreSQL settings for the one statement of a report (SET LOCAL, so they end with its transaction):
# memory to aggregate 100,000 groups in RAM, and no JIT, whose compiling costs more than it saves on a
# statement that runs once.
REPORT_SETTINGS: tuple[tuple[str, str], ...] = (("work_mem", "'64MB'"), ("jit", "off"))


def report_buckets() -> list[Bucket]:
    """The buckets of settings.ARDESK_AGING_BUCKETS (days past due where each bucket ends)."""
    return buckets(settings.ARDESK_AGING_BUCKETS)


def source_for(as_of: date, *, today: date | None = None, from_entries: bool = False) -> Source:
    """Today and later read the cached open amounts; a past date is rebuilt from dated entries:
    rolled back from the caches by default, or from the entries alone when asked (`from_entries`)."""
    if as_of >= (today or timezone.localdate()):
        return Source.CACHE
    return Source.ENTRIES if from_entries else Source.ROLLBACK


@contextmanager
def _report_cursor() -> Iterator[Any]:
    """A cursor for one report statement, with REPORT_SETTINGS on PostgreSQL."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, value in REPORT_SETTINGS:
                cursor.execute(f"SET LOCAL {name} = {value}")
        yield cursor


def _converter(vendor: str) -> Callable[[Sequence[Any]], list[Decimal]]:
    """How amounts come back: thousandths as integers from SQLite, numeric from PostgreSQL (every amount
    column is numeric there, see aging_sql). Chosen once per statement: `connection.vendor` is slow to ask."""
    if vendor == "sqlite":
        return lambda values: [Decimal(int(v or 0)).scaleb(-3) for v in values]
    return list


def narrowing(*, user: Any | None, where: Mapping[Grouping, str] | None) -> aging_sql.Narrowing | None:
    """The user's scope and the filters as SQL; None when nothing can match (an empty scope)."""
    conditions: list[str] = []
    params: list[object] = []
    on_customer = False
    dims = aging_sql.dimensions()
    for grouping, value in sorted((where or {}).items()):
        dim = dims[grouping]
        on_customer = on_customer or dim.on_customer
        if dim.is_id:
            if value == "":
                conditions.append(f"{dim.key} IS NULL")
                continue
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise InvalidReportInput(f"{grouping.value}: {value!r} is not an id", field=grouping.value) from None
            conditions.append(f"{dim.key} = %s")
            params.append(number)
        else:
            conditions.append(f"{dim.key} = %s")
            params.append(value.upper() if grouping is Grouping.CURRENCY else value)
    if user is not None:
        scope = customer_filter(user)
        if scope.children:
            try:
                sql, scope_params = Customer.objects.filter(scope).values("pk").query.sql_with_params()
            except EmptyResultSet:
                return None
            conditions.append(f"s.customer_id IN ({sql})")
            params.extend(scope_params)
    return aging_sql.Narrowing(tuple(conditions), tuple(params), on_customer)


def _label(grouping: Grouping, key: object, columns: Sequence[object]) -> str:
    if grouping is Grouping.CUSTOMER:
        number, name = columns
        return f"{number} {name}"
    if key is None or key == "":
        return NO_VALUE_LABELS[grouping]
    if grouping is Grouping.COLLECTOR:
        username, first, last = columns
        full = f"{first or ''} {last or ''}".strip()
        return f"{full} ({username})" if full else str(username)
    if grouping is Grouping.TEAM:
        return str(columns[0])
    return str(key)


def group_sums(*, as_of: date, by: Grouping, user: Any | None, where: Mapping[Grouping, str] | None = None,
               source: Source, bucket_list: list[Bucket]) -> list[GroupSums]:
    """Open money per group and currency as of `as_of`, in that currency: the report's one query."""
    narrowed = narrowing(user=user, where=where)
    if narrowed is None:
        return []
    dim = aging_sql.dimensions()[by]
    sql, params = aging_sql.aging_statement(
        connection.vendor, as_of=as_of, kind=source, dimension=dim, bucket_list=bucket_list, narrowing=narrowed,
        use_filter=connection.features.supports_aggregate_filter_clause)
    width = len(bucket_list)
    amounts = _converter(connection.vendor)
    result: list[GroupSums] = []
    with _report_cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            key = row[0]
            values = amounts(row[2:4 + width])
            result.append(GroupSums("" if key is None else str(key), _label(by, key, row[4 + width:]), row[1],
                                    tuple(values[:width]), values[width], values[width + 1]))
    return result


def aging_report(*, as_of: date, by: Grouping, user: Any | None, where: Mapping[Grouping, str] | None = None,
                 today: date | None = None, source: Source | None = None) -> AgingReport:
    """The aging as it stood on `as_of`, in the company currency at the as-of FX rates.

    Raises ledger.queries.NoFxRate (naming the currency) when a currency in the report has no rate on or
    before `as_of`. `source` defaults to `source_for(as_of)`; tests force each one to compare them.
    """
    kind = source or source_for(as_of, today=today)
    bucket_list = report_buckets()
    company = settings.ARDESK_COMPANY_CURRENCY
    sums = group_sums(as_of=as_of, by=by, user=user, where=where, source=kind, bucket_list=bucket_list)
    rates = {cur: fx_rate(cur, as_of, company) for cur in sorted({s.currency for s in sums})}
    return build_report(sums=sums, rates=rates, company_currency=company, bucket_list=bucket_list, as_of=as_of,
                        by=by, source=kind, where={g.value: v for g, v in (where or {}).items()})


def pages_in_sql(by: Grouping) -> bool:
    """Whether `aging_page` reads one page in SQL: by customer on PostgreSQL, where the report is big.
    Other groupings have a few rows; SQLite (the demo) builds the report in Python and slices it."""
    return by is Grouping.CUSTOMER and connection.vendor == "postgresql"


def _latest_rates(as_of: date, company: str) -> list[tuple[str, Decimal]]:
    """Every currency's latest rate on or before `as_of` (the rates `fx_rate` would pick)."""
    latest = (FxRate.objects.filter(rate_date__lte=as_of).exclude(currency=company)
              .order_by("currency", "-rate_date").distinct("currency").values_list("currency", "rate"))
    return [(currency, rate) for currency, rate in latest]


def aging_page(*, as_of: date, by: Grouping, user: Any | None, where: Mapping[Grouping, str] | None = None,
               limit: int, offset: int, today: date | None = None,
               source: Source | None = None) -> tuple[AgingReport, int]:
    """One page of the aging report and its number of rows; the report's totals are the whole report's.

    By customer on PostgreSQL the page is converted, sorted and cut in SQL (aging_sql.customer_page_statement);
    otherwise the whole report is built and sliced. Both give the rows `aging_report` gives, in its order.
    """
    if not pages_in_sql(by):
        whole = aging_report(as_of=as_of, by=by, user=user, where=where, today=today, source=source)
        return replace(whole, rows=whole.rows[offset:offset + limit]), len(whole.rows)
    kind = source or source_for(as_of, today=today)
    bucket_list = report_buckets()
    width = len(bucket_list)
    company = settings.ARDESK_COMPANY_CURRENCY
    empty = AgingReport(as_of=as_of, by=by, currency=company, buckets=tuple(bucket_list), rows=(),
                        totals=Amounts.of([ZERO] * width, ZERO), rates={}, source=kind,
                        where={g.value: v for g, v in (where or {}).items()})
    narrowed = narrowing(user=user, where=where)
    if narrowed is None:
        return empty, 0
    unlabelled = replace(aging_sql.dimensions()[by], label_join="", label_columns=())  # the page names its rows
    aging = aging_sql.aging_statement(connection.vendor, as_of=as_of, kind=kind, dimension=unlabelled,
                                      bucket_list=bucket_list, narrowing=narrowed)
    rates = _latest_rates(as_of, company)
    places = -quantum(company).as_tuple().exponent  # type: ignore[operator]

    def fetch(start: int) -> list[tuple[Any, ...]]:
        sql, params = aging_sql.customer_page_statement(aging, width=width, company_currency=company, places=places,
                                                        rates=rates, limit=limit, offset=start)
        with _report_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    found = fetch(max(0, offset))
    count = int(found[0][4 + width])
    if found[0][0] is None and count and offset > 0:
        found = fetch((count - 1) // limit * limit)  # a page past the end shows the last page
    if not count:
        return empty, 0
    tail = found[0][4 + width:]
    sums, seen, missing = tail[1:width + 3], tail[width + 3] or [], tail[width + 4] or []
    if missing:
        raise NoFxRate(sorted(missing)[0], as_of)
    rows = tuple(Row(str(r[0]), r[1], Amounts(tuple(r[2:2 + width]), r[3 + width], r[2 + width]))
                 for r in found if r[0] is not None)
    totals = Amounts(tuple(sums[:width]), sums[width + 1], sums[width])
    used = dict(rates)
    return replace(empty, rows=rows, totals=totals,
                   rates={cur: used[cur] for cur in sorted(seen) if cur != company}), count


@dataclass(frozen=True)
class DrillInvoice:
    invoice: Invoice
    open_amount: Decimal  # as of the report's date, in the invoice's currency
    disputed_amount: Decimal
    days_past_due: int
    bucket: Bucket


@dataclass(frozen=True)
class CurrencySum:
    currency: str
    count: int
    open_amount: Decimal
    disputed_amount: Decimal


@dataclass(frozen=True)
class DrillPage:
    invoices: list[DrillInvoice]
    count: int
    sums: list[CurrencySum]  # the whole cell, per invoice currency (not only this page)


def find_bucket(key: str, bucket_list: list[Bucket]) -> Bucket | None:
    """The bucket with this key; None for the whole row (`total`). Unknown keys name the field."""
    if key == TOTAL:
        return None
    for bucket in bucket_list:
        if bucket.key == key:
            return bucket
    expected = ", ".join([*(b.key for b in bucket_list), TOTAL])
    raise InvalidReportInput(f"bucket: unknown value {key!r}; expected one of {expected}", field="bucket")


def aging_invoices(*, as_of: date, user: Any | None, where: Mapping[Grouping, str], bucket: str,
                   limit: int = 50, offset: int = 0, today: date | None = None,
                   source: Source | None = None) -> DrillPage:
    """The invoices behind one cell of the report: `where` names the group, `bucket` a bucket key or `total`.

    Uses the report's own source and windows, so the invoices of a cell add up to the cell.
    """
    bucket_list = report_buckets()
    chosen = find_bucket(bucket, bucket_list)
    narrowed = narrowing(user=user, where=where)
    if narrowed is None:
        return DrillPage([], 0, [])
    kind = source or source_for(as_of, today=today)
    limit = max(1, min(limit, MAX_PAGE))
    (page_sql, page_params), (sum_sql, sum_params) = aging_sql.drill_statements(
        connection.vendor, as_of=as_of, kind=kind, bucket=chosen, narrowing=narrowed,
        limit=limit, offset=max(0, offset))
    amounts = _converter(connection.vendor)
    with _report_cursor() as cursor:
        cursor.execute(page_sql, page_params)
        page = [(pk, *amounts((open_, disputed))) for pk, open_, disputed in cursor.fetchall()]
        cursor.execute(sum_sql, sum_params)
        sums = [CurrencySum(cur, int(n), *amounts((o, d))) for cur, n, o, d in cursor.fetchall()]
    found = Invoice.objects.select_related("customer").in_bulk([pk for pk, _, _ in page])
    limits = settings.ARDESK_AGING_BUCKETS
    invoices = []
    for pk, open_, disputed in page:
        invoice = found[pk]
        days = days_past_due(invoice.due_date, as_of)
        invoices.append(DrillInvoice(invoice, open_, disputed, days, bucket_for(days, limits)))
    return DrillPage(invoices, sum(s.count for s in sums), sums)
