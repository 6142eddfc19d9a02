"""Reads for the prevention view: what each root cause cost, who is behind it, whether its fixes worked.

Cost is the money given up on the cause's disputes: their accepted amounts (credit memos, write-offs and the
reductions of re-bills that resolutions booked), in the company currency at the as-of rate. A write-off booked
by a resolution is part of the accepted amount, so nothing is counted twice. Root causes are recorded when a
dispute is closed, so only closed disputes count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ardesk.disputes.models import CorrectiveAction, Dispute, RootCause, SalesNote
from ardesk.identity.scoping import customer_filter
from ardesk.insights import dispute_queries as q
from ardesk.insights import dispute_stats as stats
from ardesk.insights.dispute_report import Period
from ardesk.insights.dispute_tables import Converter

ZERO = Decimal(0)
TOP_CAUSES = 5
TOP_BEHIND = 3
DEFAULT_MONTHS = 3


@dataclass(frozen=True)
class Behind:
    key: str
    label: str
    disputes: int
    cost: Decimal


@dataclass(frozen=True)
class CauseCost:
    root_cause: RootCause
    disputes: int
    amount: Decimal  # disputed
    cost: Decimal  # accepted: what the company gave up
    customers: list[Behind]
    skus: list[Behind]
    sales_reps: list[Behind]


def _top(cells: list[q.Cell], money: Converter, label: Any) -> dict[str, list[Behind]]:
    """Per root cause (the part of the key before ':'), its TOP_BEHIND largest by cost."""
    amounts = money.merge((c.key, c.currency, (c.accepted,)) for c in cells)
    counts: dict[str, int] = defaultdict(int)
    for c in cells:
        counts[c.key] += c.disputes
    per_cause: dict[str, list[Behind]] = defaultdict(list)
    for key, (cost,) in amounts.items():
        cause, _, rest = key.partition(":")
        per_cause[cause].append(Behind(rest, label(rest), counts[key], cost))
    return {cause: sorted(rows, key=lambda b: (-b.cost, -b.disputes, b.label))[:TOP_BEHIND]
            for cause, rows in per_cause.items()}


def _with_cause(cells: list[q.Cell]) -> list[q.Cell]:
    """Item cells keyed "cause:…" of closed disputes only (no cause: an empty or ":…" key)."""
    return [c for c in cells if c.key and not c.key.startswith(":")]


def root_cause_costs(*, period: Period, user: Any | None, limit: int = TOP_CAUSES) -> tuple[list[CauseCost],
                                                                                            dict[str, Decimal]]:
    """The root causes that cost most in the period, with the customers, SKUs and sales reps behind each.
    Returns them and the FX rates used."""
    money = Converter(period.as_of)
    f = q.frame(user=user, raised_from=period.raised_from, raised_to=period.raised_to, as_of=period.as_of)
    if f is None:
        return [], {}
    closed = "d.root_cause_id IS NOT NULL"
    cells = q.dispute_cells(f, "d.root_cause_id", where=closed)
    totals = money.merge((c.key, c.currency, (c.amount, c.accepted)) for c in cells)
    counts: dict[str, int] = defaultdict(int)
    for c in cells:
        counts[c.key] += c.disputes
    ranked = sorted(totals, key=lambda k: (-totals[k][1], -totals[k][0], k))[:limit]
    if not ranked:
        return [], dict(money.rates)
    # Who is behind the ranked causes only: their ids are integers from the statement above.
    shown = f"d.root_cause_id IN ({', '.join(str(int(k)) for k in ranked)})"
    customer_key = "d.root_cause_id || ':' || d.customer_id"
    by_customer = q.dispute_cells(f, customer_key, where=shown)
    names = q.customer_names(sorted({int(c.key.partition(":")[2]) for c in by_customer}))
    customers = _top(by_customer, money, lambda k: names.get(int(k), k))
    skus = _top(_with_cause(q.item_cells(f, "sku", extra_key="d.root_cause_id", where=shown)), money,
                lambda k: k or "(no SKU)")
    reps = _top(_with_cause(q.item_cells(f, "sales_rep", extra_key="d.root_cause_id", where=shown)), money,
                lambda k: k or "(no sales rep)")
    causes = RootCause.objects.in_bulk([int(k) for k in ranked])
    result = [CauseCost(causes[int(k)], counts[k], totals[k][0], totals[k][1], customers.get(k, []),
                        skus.get(k, []), reps.get(k, [])) for k in ranked]
    return result, dict(money.rates)


@dataclass(frozen=True)
class ActionEffect:
    action: CorrectiveAction
    effect: stats.BeforeAfter


def corrective_actions(*, user: Any | None, as_of: date, months: int = DEFAULT_MONTHS,
                       root_cause: RootCause | None = None) -> list[ActionEffect]:
    """Every corrective action (newest effective first) with the disputes of its cause per month in the
    `months` months before and after it took effect, among the customers the user may see."""
    actions = CorrectiveAction.objects.select_related("root_cause", "owner").order_by("-effective_from", "-pk")
    if root_cause is not None:
        actions = actions.filter(root_cause=root_cause)
    disputes = Dispute.objects.all() if user is None else Dispute.objects.filter(
        customer_filter(user, prefix="customer__"))
    result = []
    for action in actions:
        first = stats.add_months(action.effective_from, -months)
        last = stats.add_months(action.effective_from, months)
        raised = disputes.filter(root_cause_id=action.root_cause_id, raised_on__gte=first,
                                 raised_on__lt=last).values_list("raised_on", flat=True)
        result.append(ActionEffect(action, stats.before_after(raised, effective_from=action.effective_from,
                                                              months=months, as_of=as_of)))
    return result


def sales_notes(user: Any | None, *, dispute: Dispute | None = None, limit: int = 100) -> QuerySet[SalesNote]:
    """Notes handed to sales, newest first, on disputes of customers the user may see."""
    notes = SalesNote.objects.select_related("dispute", "dispute__customer", "created_by")
    if user is not None:
        notes = notes.filter(customer_filter(user, prefix="dispute__customer__"))
    if dispute is not None:
        notes = notes.filter(dispute=dispute)
    return notes.order_by("-created_at", "-pk")[:limit]
