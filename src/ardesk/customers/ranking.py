"""The customer list in order: by number or name, or ranked by open or overdue money.

Ranking by money must add up open invoices for every matching customer before it can cut a page, so
it has two strategies: few matching customers are probed one by one (index lookups); many are ranked
through one GROUP BY over the open invoices, in SQL the ORM cannot write (a grouped derived table).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ardesk.customers.models import Customer
from ardesk.customers.queries import (
    SORT_KEYS,
    ZERO,
    CustomerQuery,
    company_rates,
    in_company_currency,
    open_invoices,
    search_customers,
)
from ardesk.ledger.models import Invoice
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS

_MONEY = DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)


# Up to this many matching customers, sorting by money probes each one's open invoices (index lookups);
# beyond it, one pass aggregates every open invoice and joins the result (cheaper than 10,000s of probes).
MONEY_SORT_PROBE_LIMIT = 2000
# Up to this many, the one-pass aggregate reads only the matching customers' invoices (the first pages).
AGGREGATE_NARROWING_LIMIT = 20_000


def list_customers(user: Any, query: CustomerQuery, *, as_of: date) -> tuple[int, QuerySet[Any] | AggregatedOrder]:
    """How many customers match the query, and all of them in list order (slice it for a page)."""
    matching = search_customers(user, query, as_of=as_of)
    count = matching.count()
    ranked_scope = None
    if query.overdue_only and query.sort == "-overdue":
        # Whoever has overdue money passes "overdue only": ranking need not test it a second time.
        ranked_scope = search_customers(user, replace(query, overdue_only=False), as_of=as_of)
    return count, order_customers(matching, query.sort, as_of=as_of, count=count, ranked_scope=ranked_scope)


def order_customers(qs: QuerySet[Customer], sort: str, *, as_of: date, count: int,
                    ranked_scope: QuerySet[Customer] | None = None) -> QuerySet[Any] | AggregatedOrder:
    """The matching customers in list order, sliceable for the paginator (`count` is their number).

    Money sorts rank by open (or overdue) money over all currencies, converted to the company
    currency, then by number; customers with nothing open rank as zero. `ranked_scope` may loosen
    the filters for the customers that have money in the sorted figure, when they pass them anyway.
    """
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}")
    qs = qs.select_related("collector")
    if key in {"number", "name"}:
        return qs.order_by(f"-{key}" if descending else key, "number")
    if count <= MONEY_SORT_PROBE_LIMIT:
        per_customer = (open_invoices().filter(customer=OuterRef("pk"), **_overdue_filter(key, as_of))
                        .order_by().values("customer")
                        .annotate(total=Sum(in_company_currency(F("open_amount"), currency_field="currency",
                                                                as_of=as_of)))
                        .values("total"))
        total = Coalesce(Subquery(per_customer, output_field=_MONEY), Value(ZERO), output_field=_MONEY)
        return qs.annotate(sort_total=total).order_by("-sort_total" if descending else "sort_total", "number")
    return AggregatedOrder(qs, key=key, descending=descending, as_of=as_of, count=count,
                            ranked_scope=ranked_scope)


def _overdue_filter(key: str, as_of: date) -> dict[str, date]:
    return {"due_date__lt": as_of} if key == "overdue" else {}


class AggregatedOrder(Sequence[Customer]):
    """Customers ranked by money through one GROUP BY over open invoices, LEFT JOINed to the customers.

    The ORM cannot join a grouped derived table, so the statement is written here; the matching
    customers come in as the ORM's own compiled subquery, so every filter and the scope stay in force.
    """

    def __init__(self, matching: QuerySet[Customer], *, key: str, descending: bool, as_of: date,
                 count: int, ranked_scope: QuerySet[Customer] | None = None) -> None:
        self.matching, self.key, self.descending, self.as_of = matching, key, descending, as_of
        self.matched = count
        self.ranked_scope = matching if ranked_scope is None else ranked_scope
        self._rate_pairs: list[tuple[str, Decimal]] | None = None

    def __len__(self) -> int:
        return self.matched

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("only plain slices of the customer list are supported")
        offset = index.start or 0
        limit = max((index.stop if index.stop is not None else offset + 50) - offset, 0)
        ids = self._ids(offset, limit)
        found = self.matching.select_related("collector").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    @staticmethod
    def _in(customers: QuerySet[Customer]) -> tuple[str, list[Any]]:
        """`IN (…)` for these customers, or nothing when there is no WHERE (every customer is in)."""
        if not customers.query.where:
            return "", []
        sub_sql, sub_params = customers.order_by().values("pk").query.sql_with_params()
        return f"IN ({sub_sql})", list(sub_params)

    def _ids(self, offset: int, limit: int) -> list[int]:
        if self.descending:
            match, match_params = self._in(self.ranked_scope)
            # The first pages hold only customers with money open: rank the totals alone, no join.
            # Few matching customers: narrow the aggregate itself (then its rows all match); many: filter
            # its rows afterwards. Either way the matching subquery runs once.
            narrow = bool(match) and self.matched <= AGGREGATE_NARROWING_LIMIT
            totals, totals_params = self._totals_sql(match if narrow else "", match_params if narrow else [])
            where, where_params = ("", []) if narrow or not match else (f"WHERE t.customer_id {match}", match_params)
            ids = self._fetch(f"SELECT t.customer_id FROM ({totals}) t {where}"
                              " ORDER BY t.total DESC, t.customer_id ASC LIMIT %s OFFSET %s",
                              [*totals_params, *where_params, limit, offset])
            if len(ids) == limit:
                return ids
        # Past them (or ascending), customers with nothing open join in, ranked as zero and by number.
        match, match_params = self._in(self.matching)
        totals, totals_params = self._totals_sql("", [])
        direction = "DESC" if self.descending else "ASC"
        customers = connection.ops.quote_name(Customer._meta.db_table)
        return self._fetch(
            f"SELECT c.id FROM {customers} c LEFT JOIN ({totals}) t ON t.customer_id = c.id"
            f" {f'WHERE c.id {match}' if match else ''}"
            f" ORDER BY COALESCE(t.total, 0) {direction},"
            " CASE WHEN t.total IS NULL THEN NULL ELSE c.id END ASC, c.number ASC LIMIT %s OFFSET %s",
            [*totals_params, *match_params, limit, offset])

    def _totals_sql(self, narrow: str, narrow_params: list[Any]) -> tuple[str, list[Any]]:
        """(customer_id, total) of every customer with money open (`narrow`: only those matching), in
        the company currency.

        Sums per customer and currency first (exact sums over the open-invoice index), then converts
        the group totals in floating point, which is cheap and fit for ranking only: every amount
        shown comes from figures_by_customer, in Decimal.
        """
        invoices = connection.ops.quote_name(Invoice._meta.db_table)
        params: list[Any] = []
        if self._rate_pairs is None:
            self._rate_pairs = sorted(company_rates(self.as_of).items())
        rates = self._rate_pairs
        rate = "1"
        if rates:
            when = " ".join("WHEN %s THEN CAST(%s AS FLOAT)" for _ in rates)
            rate = f"CASE g.currency {when} ELSE CAST(1 AS FLOAT) END"
            params.extend(value for pair in rates for value in pair)
        overdue = ""
        if self.key == "overdue":
            overdue = "AND i.due_date < %s"
            params.append(self.as_of)
        if narrow:
            narrow = f"AND i.customer_id {narrow}"
            params.extend(narrow_params)
        sql = (
            f"SELECT g.customer_id, SUM(CAST(g.amount AS FLOAT) * {rate}) AS total FROM ("
            f" SELECT i.customer_id, i.currency, SUM(i.open_amount) AS amount FROM {invoices} i"
            f" WHERE i.open_amount > 0 {overdue} {narrow} GROUP BY i.customer_id, i.currency"
            f") g GROUP BY g.customer_id"
        )
        return sql, params

    @staticmethod
    def _fetch(sql: str, params: list[Any]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]


