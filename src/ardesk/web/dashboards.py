"""Reads for the home pages: each role's figures over the customers it may see, per currency.

A collector's or manager's home needs totals, the most overdue accounts and (for a manager) one line
per collector. All three come from one pass over the scope's open invoices, grouped per account and
currency (`account_figures`); the rest is added up here, so the database reads those invoices once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count

from ardesk.customers.models import Customer
from ardesk.customers.queries import CurrencyFigures, figure_annotations, figures_from, open_invoices
from ardesk.identity.models import User
from ardesk.identity.scoping import customer_filter, visible_customers
from ardesk.ledger.queries import latest_fx_rates


def portfolio_totals(user: Any, *, as_of: date) -> list[CurrencyFigures]:
    """Figures of every customer the user may see, per currency (grouped in the database)."""
    rows = (open_invoices().filter(customer_filter(user, prefix="customer__"))
            .values("currency").annotate(**figure_annotations(as_of)).order_by("currency"))
    return [figures_from(row) for row in rows]


@dataclass(frozen=True)
class AccountFigures:
    customer_id: int
    collector_id: int | None
    figures: CurrencyFigures


def account_figures(user: Any, *, as_of: date) -> list[AccountFigures]:
    """Open figures of each account in the user's scope that has money open, per currency."""
    rows = (open_invoices().filter(customer_filter(user, prefix="customer__"))
            .values("customer_id", "customer__collector_id", "currency")
            .annotate(**figure_annotations(as_of)).order_by())
    return [AccountFigures(r["customer_id"], r["customer__collector_id"], figures_from(r)) for r in rows]


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
    oldest_due: date | None


def top_overdue(accounts: list[AccountFigures], *, as_of: date, limit: int = 10) -> list[OverdueAccount]:
    """The accounts with the most overdue money, largest first, ranked in the company currency at each
    currency's latest rate (a currency without a rate ranks by its raw amount)."""
    company = settings.ARDESK_COMPANY_CURRENCY
    rates = {cur: rate for cur, rate in latest_fx_rates(as_of).items() if cur != company}
    overdue = [a for a in accounts if a.figures.overdue > 0]
    overdue.sort(key=lambda a: (-a.figures.overdue * rates.get(a.figures.currency, Decimal(1)), a.customer_id))
    winners = overdue[:limit]
    names = {pk: (number, name) for pk, number, name in Customer.objects.filter(
        pk__in=[a.customer_id for a in winners]).values_list("pk", "number", "name")}
    return [OverdueAccount(a.customer_id, *names[a.customer_id], a.figures.currency, a.figures.overdue,
                           a.figures.oldest_due) for a in winners if a.customer_id in names]


@dataclass
class CollectorFigures:
    collector_id: int | None
    label: str
    customers: int = 0
    figures: list[CurrencyFigures] = field(default_factory=list)


def by_collector(user: Any, accounts: list[AccountFigures]) -> list[CollectorFigures]:
    """For a manager: per collector in scope, how many customers and their open figures per currency."""
    counts = visible_customers(user).values("collector_id").annotate(n=Count("pk")).order_by()
    users = {u.pk: u for u in User.objects.filter(pk__in=[c["collector_id"] for c in counts if c["collector_id"]])}
    grouped: dict[int | None, list[CurrencyFigures]] = defaultdict(list)
    for account in accounts:
        grouped[account.collector_id].append(account.figures)
    result = []
    for row in counts:
        collector = users.get(row["collector_id"])
        label = (collector.get_full_name() or collector.username) if collector else "Unassigned"
        result.append(CollectorFigures(row["collector_id"], label, customers=row["n"],
                                       figures=add_up([grouped.get(row["collector_id"], [])])))
    return sorted(result, key=lambda c: (c.collector_id is None, c.label.lower()))
