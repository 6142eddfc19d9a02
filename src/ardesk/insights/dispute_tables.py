"""Each dispute report built: the query's sums in, a DisputeTable in the company currency out.

The command, the page and the API call `dispute_report`; `user=None` is the command line (every customer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from ardesk.disputes.workflow import Outcome, Status
from ardesk.insights import dispute_queries as q
from ardesk.insights import dispute_stats as stats
from ardesk.insights.dispute_report import (
    TOTAL_LABEL,
    DisputeTable,
    Period,
    ReportKind,
    columns_for,
)
from ardesk.ledger.queries import fx_rate
from ardesk.money import quantum

ZERO = Decimal(0)
NONE_LABELS: dict[ReportKind, str] = {
    ReportKind.BY_REASON: "(no reason code)", ReportKind.SLA: "(no reason code)",
    ReportKind.BY_ROOT_CAUSE: "(no root cause yet)", ReportKind.BY_OWNER: "(unassigned)",
    ReportKind.BY_SKU: "(no SKU)", ReportKind.BY_SALES_REP: "(no sales rep)",
}
PAST_NOTE = ("Status, owner, outcome and root cause are today's; the as-of date decides which disputes count "
             "as resolved (resolved on or before it).")
ITEM_NOTE = ("A dispute over several {0}s counts once in each row; its money is split by item. A dispute on a whole "
             "invoice is shared among the invoice's lines in proportion to their gross amounts.")


class Converter:
    """Rates at the as-of date, fetched once per currency; the rates used go into the report's notes."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.company = settings.ARDESK_COMPANY_CURRENCY
        self.quantum = quantum(self.company)
        self.rates: dict[str, Decimal] = {}

    def merge(self, cells: Iterable[tuple[str, str, Sequence[Decimal]]]) -> dict[str, list[Decimal]]:
        listed = list(cells)
        for currency in sorted({cur for _, cur, _ in listed} - {self.company} - set(self.rates)):
            self.rates[currency] = fx_rate(currency, self.as_of, self.company)
        return stats.to_company(listed, self.rates, self.company, self.quantum)


def _table(kind: ReportKind, period: Period, money: Converter, rows: list[tuple[Any, ...]],
           totals: tuple[Any, ...] | None, notes: Sequence[str] = ()) -> DisputeTable:
    return DisputeTable(kind, period, money.company, columns_for(kind), tuple(rows), totals, dict(money.rates),
                        tuple(notes))


def _breakdown(kind: ReportKind, period: Period, money: Converter, cells: list[q.Cell],
               label: Callable[[str, str], str], order: Callable[[str], Any] | None = None,
               notes: Sequence[str] = ()) -> DisputeTable:
    """Rows of count, disputed, share, open, resolved, accepted, recovered; largest disputed first unless
    `order` gives the natural order (statuses, age bands)."""
    amounts = money.merge((c.key, c.currency, (c.amount, c.accepted, c.recovered)) for c in cells)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    labels: dict[str, str] = {}
    for c in cells:
        total = counts[c.key]
        total[0], total[1], total[2] = total[0] + c.disputes, total[1] + c.open, total[2] + c.resolved
        labels[c.key] = label(c.key, c.label)
    whole = sum((a[0] for a in amounts.values()), ZERO)
    rows = [(key, labels[key], n, amounts[key][0], stats.share(amounts[key][0], whole), o, s,
             amounts[key][1], amounts[key][2]) for key, (n, o, s) in counts.items()]
    if order is None:
        rows.sort(key=lambda r: (-r[3], -r[2], r[1], r[0]))
    else:
        rows.sort(key=lambda r: order(r[0]))
    totals = (None, TOTAL_LABEL, sum(r[2] for r in rows), whole, stats.share(whole, whole), sum(r[5] for r in rows),
              sum(r[6] for r in rows), sum((r[7] for r in rows), ZERO), sum((r[8] for r in rows), ZERO))
    return _table(kind, period, money, rows, totals, [*notes, PAST_NOTE])


def _labels_from(found: dict[str, str], none: str) -> Callable[[str, str], str]:
    return lambda key, joined: found.get(key, key) if key else none


def _age(f: q.Frame, period: Period, money: Converter) -> DisputeTable:
    bands = stats.age_bands()
    whens: list[str] = []
    params: list[Any] = []
    for index, band in enumerate(bands[:-1]):
        earliest, _ = stats.raised_window(band, period.as_of)
        whens.append(f"WHEN d.raised_on >= %s THEN {index}")
        params.append(earliest)
    key = f"CASE {' '.join(whens)} ELSE {len(bands) - 1} END"
    cells = q.dispute_cells(f, key, key_params=params, where=f.unresolved, params=[f.resolved_before])
    by_index = {str(i): b.label for i, b in enumerate(bands)}
    return _breakdown(ReportKind.BY_AGE, period, money, cells, lambda k, _: by_index.get(k, k), order=int,
                      notes=["Open disputes only (not resolved on the as-of date), by days since raised."])


def _cycle_time(f: q.Frame, period: Period, money: Converter) -> DisputeTable:
    cells = q.dispute_cells(f, "d.outcome", where=f.resolved, params=[f.resolved_before])
    amounts = money.merge((c.key, c.currency, (c.amount, c.accepted, c.recovered)) for c in cells)
    found = q.cycle_days(f)
    days: dict[str, tuple[int, Decimal | None, Decimal | None]] = {}
    if found and isinstance(found[0], q.DaysStats):
        for item in found:
            assert isinstance(item, q.DaysStats)
            days[item.key] = (item.count, item.average, item.p90)
    else:
        per: dict[str, list[int]] = defaultdict(list)
        for outcome, n in found:  # type: ignore[misc]
            per[outcome].append(n)
            per[""].append(n)
        days = {k: (len(v), stats.average(v), stats.percentile(v, "0.9")) for k, v in per.items()}
    rows: list[tuple[Any, ...]] = []
    sums = [ZERO, ZERO, ZERO]
    for outcome in Outcome:
        if outcome.value not in amounts:
            continue
        n, avg, p90 = days.get(outcome.value, (0, None, None))
        a, x, y = amounts[outcome.value]
        sums = [sums[0] + a, sums[1] + x, sums[2] + y]
        rows.append((outcome.value, outcome.label, n, avg, p90, a, x, y, stats.share(y, a)))
    n, avg, p90 = days.get("", (0, None, None))
    a, x, y = sums
    totals = (None, TOTAL_LABEL, n, avg, p90, a, x, y, stats.share(y, a))
    return _table(ReportKind.CYCLE_TIME, period, money, rows, totals, [
        "Disputes resolved on or before the as-of date; days from raised to resolved. Recovered is what the "
        "customer ends up paying: disputed − accepted.", PAST_NOTE])


def _sla(f: q.Frame, period: Period, money: Converter) -> DisputeTable:
    labels = q.reason_labels()
    rows = [(k, labels.get(k, k) if k else NONE_LABELS[ReportKind.SLA], n, b, stats.share(b, n), o, ob)
            for k, n, b, o, ob in q.sla_rows(f)]
    rows.sort(key=lambda r: (-r[4], -r[2], r[1]))
    n, b = sum(r[2] for r in rows), sum(r[3] for r in rows)
    totals = (None, TOTAL_LABEL, n, b, stats.share(b, n), sum(r[5] for r in rows), sum(r[6] for r in rows))
    return _table(ReportKind.SLA, period, money, rows, totals, [
        "Breached: resolved after its SLA day, or still open after it on the as-of date."])


def _pareto(f: q.Frame, period: Period, money: Converter) -> DisputeTable:
    cells = q.dispute_cells(f, "d.root_cause_id", where="d.root_cause_id IS NOT NULL")
    amounts = money.merge((c.key, c.currency, (c.amount,)) for c in cells)
    counts: dict[str, int] = defaultdict(int)
    for c in cells:
        counts[c.key] += c.disputes
    labels = q.root_cause_labels()
    found = stats.pareto((k, labels.get(k, k), counts[k], amounts[k][0]) for k in counts)
    rows = [tuple(r) for r in found]
    whole = sum((r.amount for r in found), ZERO)
    totals = (None, TOTAL_LABEL, sum(counts.values()), whole, stats.share(whole, whole), None, None, None)
    return _table(ReportKind.PARETO, period, money, rows, totals, [
        "Closed disputes only: the root cause is recorded when a dispute is closed."])


def _recurring(f: q.Frame, period: Period, money: Converter) -> DisputeTable:
    look_back = period.raised_from - timedelta(days=stats.RECURRENCE_DAYS)
    found = q.recurring_groups(f, look_back, stats.RECURRENCE_DAYS)
    amounts = money.merge((f"{c}:{r}", cur, (a,)) for c, r, cur, *_, a in found)
    merged: dict[str, list[Any]] = {}
    for c, r, _, n, k, first, last, _ in found:
        key = f"{c}:{r}"
        if key in merged:  # the same customer and reason in another currency
            row = merged[key]
            merged[key] = [c, r, row[2] + n, row[3] + k, min(row[4], first), max(row[5], last)]
        else:
            merged[key] = [c, r, n, k, first, last]
    customers = q.customer_names(sorted({row[0] for row in merged.values()}))
    reasons = q.reason_labels()
    rows = [(key, customers.get(c, str(c)), reasons.get(str(r), str(r)), n, k, first, last, amounts[key][0])
            for key, (c, r, n, k, first, last) in merged.items()]
    rows.sort(key=lambda row: (-row[4], -row[7], row[1], row[2]))
    totals = (None, TOTAL_LABEL, None, sum(r[3] for r in rows), sum(r[4] for r in rows), None, None,
              sum((r[7] for r in rows), ZERO))
    return _table(ReportKind.RECURRING, period, money, rows, totals, [
        f"A dispute recurs when the same customer raised one with the same reason at most "
        f"{stats.RECURRENCE_DAYS} days before (also before the period). Key: customer id:reason code id."])


def _trends(f: q.Frame, period: Period, money: Converter) -> DisputeTable:
    raised, resolved = q.monthly(f)
    months = stats.months_between(period.raised_from, period.raised_to)
    key = date.isoformat
    raised_money = money.merge((key(m), cur, (a,)) for m, cur, _, a in raised)
    resolved_money = money.merge((key(m), cur, (a, x, a - x)) for m, cur, _, a, x in resolved)
    raised_n: dict[str, int] = defaultdict(int)
    resolved_n: dict[str, int] = defaultdict(int)
    for m, _, n, _ in raised:
        raised_n[key(m)] += n
    for m, _, n, _, _ in resolved:
        resolved_n[key(m)] += n
    rows = []
    for month in months:
        k = key(month)
        ra = raised_money.get(k, [ZERO])[0]
        sa, sx, sy = resolved_money.get(k, [ZERO, ZERO, ZERO])
        rows.append((k[:7], month.strftime("%B %Y"), raised_n[k], ra, resolved_n[k], sa, sx, sy))
    totals = (None, TOTAL_LABEL, *(sum((r[i] for r in rows), ZERO if i in (3, 5, 6, 7) else 0) for i in range(2, 8)))
    return _table(ReportKind.TRENDS, period, money, rows, totals, [
        "Raised: disputes raised in the month. Resolved: disputes resolved in the month (up to the as-of date), "
        "whenever raised."])


def _by_dimension(kind: ReportKind, f: q.Frame, period: Period, money: Converter) -> DisputeTable:
    none = NONE_LABELS.get(kind, "(none)")
    if kind is ReportKind.BY_REASON:
        return _breakdown(kind, period, money, q.dispute_cells(f, "d.reason_code_id"),
                          _labels_from(q.reason_labels(), none))
    if kind is ReportKind.BY_ROOT_CAUSE:
        return _breakdown(kind, period, money, q.dispute_cells(f, "d.root_cause_id"),
                          _labels_from(q.root_cause_labels(), none))
    if kind is ReportKind.BY_STATUS:
        positions = {s.value: i for i, s in enumerate(Status)}
        return _breakdown(kind, period, money, q.dispute_cells(f, "d.status"),
                          lambda k, _: Status(k).label if k in positions else k,
                          order=lambda k: positions.get(k, len(positions)))
    if kind is ReportKind.BY_OWNER:
        cells = q.dispute_cells(f, "d.owner_id")
        return _breakdown(kind, period, money, cells, _labels_from(q.user_labels([c.key for c in cells]), none))
    if kind is ReportKind.BY_CUSTOMER:
        label_sql, join = q.customer_label_join()
        return _breakdown(kind, period, money, q.dispute_cells(f, "d.customer_id", label_sql=label_sql,
                                                               label_join=join), lambda k, joined: joined or k)
    by = "sku" if kind is ReportKind.BY_SKU else "sales_rep"
    return _breakdown(kind, period, money, q.item_cells(f, by), lambda k, _: k or none,
                      notes=[ITEM_NOTE.format("SKU" if by == "sku" else "sales rep")])


BUILDERS: dict[ReportKind, Callable[[q.Frame, Period, Converter], DisputeTable]] = {
    ReportKind.BY_AGE: _age, ReportKind.CYCLE_TIME: _cycle_time, ReportKind.SLA: _sla,
    ReportKind.PARETO: _pareto, ReportKind.RECURRING: _recurring, ReportKind.TRENDS: _trends,
}


def dispute_report(kind: ReportKind, *, period: Period, user: Any | None) -> DisputeTable:
    """One report over the disputes raised in the period that the user may see, in the company currency."""
    money = Converter(period.as_of)
    f = q.frame(user=user, raised_from=period.raised_from, raised_to=period.raised_to, as_of=period.as_of)
    if f is None:  # nothing in scope: the same report, empty
        f = q.frame(user=None, raised_from=period.raised_from, raised_to=period.raised_to, as_of=period.as_of)
        assert f is not None
        f = q.Frame(f.raised_from, f.raised_to, "1 = 0", (), f.resolved_before, f.as_of, f.vendor)
    builder = BUILDERS.get(kind)
    return builder(f, period, money) if builder else _by_dimension(kind, f, period, money)
