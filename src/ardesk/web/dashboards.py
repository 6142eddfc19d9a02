"""Reads for the home pages: each role's figures over the customers it may see, per currency.

Everything is grouped in the database: a manager's scope can hold tens of thousands of accounts with
money open, too many to carry into Python one by one. A manager's totals are the collectors' lines
added up here, so their invoices are read once for both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Sum

from ardesk.customers.models import Customer
from ardesk.customers.queries import (
    CurrencyFigures,
    figure_annotations,
    figures_from,
    in_company_currency,
    open_invoices,
)
from ardesk.identity.models import User
from ardesk.identity.scoping import customer_filter, visible_customers


def portfolio_totals(user: Any, *, as_of: date) -> list[CurrencyFigures]:
    """Figures of every customer the user may see, per currency (grouped in the database)."""
    rows = (open_invoices().filter(customer_filter(user, prefix="customer__"))
            .values("currency").annotate(**figure_annotations(as_of)).order_by("currency"))
    return [figures_from(row) for row in rows]


def add_up(groups: Iterable[Iterable[CurrencyFigures]]) -> list[CurrencyFigures]:
    """Figures of several accounts or groups added up per currency, without asking the database again."""
    totals: dict[str, CurrencyFigures] = {}
    for figures in groups:
        for f in figures:
            t = totals.setdefault(f.currency, CurrencyFigures(currency=f.currency))
            t.open += f.open
            t.overdue += f.overdue
            t.disputed += f.disputed
            t.collectible += f.collectible
            t.open_items += f.open_items
            if f.oldest_due is not None and (t.oldest_due is None or f.oldest_due < t.oldest_due):
                t.oldest_due = f.oldest_due
    return [totals[c] for c in sorted(totals)]


@dataclass(frozen=True)
class OverdueAccount:
    customer_id: int
    number: str
    name: str
    currency: str
    overdue: Decimal
    oldest_due: date


def top_overdue_accounts(user: Any, *, as_of: date, limit: int = 10) -> list[OverdueAccount]:
    """The accounts with the most overdue money, largest first, ranked in the company currency at each
    currency's latest rate (a currency without a rate ranks by its raw amount)."""
    # Group by the invoice's own columns only; the few winners' names are read afterwards.
    rows = list(open_invoices().filter(customer_filter(user, prefix="customer__"), due_date__lt=as_of)
                .values("customer_id", "currency")
                .annotate(overdue=Sum("open_amount"), oldest_due=Min("due_date"))
                .annotate(rank=in_company_currency(Sum("open_amount"), currency_field="currency", as_of=as_of))
                .order_by("-rank", "customer_id")[:limit])
    names = {pk: (number, name) for pk, number, name in
             Customer.objects.filter(pk__in=[r["customer_id"] for r in rows]).values_list("pk", "number", "name")}
    return [OverdueAccount(r["customer_id"], *names[r["customer_id"]], r["currency"], r["overdue"], r["oldest_due"])
            for r in rows if r["customer_id"] in names]


@dataclass
class CollectorFigures:
    collector_id: int | None
    label: str
    customers: int = 0
    figures: list[CurrencyFigures] = field(default_factory=list)


def by_collector(user: Any, *, as_of: date) -> list[CollectorFigures]:
    """For a manager: per collector in scope, how many customers and their open figures per currency."""
    counts = visible_customers(user).values("collector_id").annotate(n=Count("pk")).order_by()
    users = {u.pk: u for u in User.objects.filter(pk__in=[c["collector_id"] for c in counts if c["collector_id"]])}
    grouped: dict[int | None, list[CurrencyFigures]] = defaultdict(list)
    for figures in (open_invoices().filter(customer_filter(user, prefix="customer__"))
                    .values("customer__collector_id", "currency").annotate(**figure_annotations(as_of))
                    .order_by("currency")):
        grouped[figures["customer__collector_id"]].append(figures_from(figures))
    result = []
    for row in counts:
        collector = users.get(row["collector_id"])
        label = (collector.get_full_name() or collector.username) if collector else "Unassigned"
        result.append(CollectorFigures(row["collector_id"], label, customers=row["n"],
                                       figures=grouped.get(row["collector_id"], [])))
    return sorted(result, key=lambda c: (c.collector_id is None, c.label.lower()))
