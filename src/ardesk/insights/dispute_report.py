"""The dispute reports as plain data: which reports there are, their columns, and the table each one yields.

Pure (no Django): the page, the API, the command and the file formats share one `DisputeTable` shape, so
every report is written out the same way whatever it measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ardesk.insights.dispute_stats import add_months, month_start
from ardesk.insights.report import InvalidReportInput, parse_as_of, parse_choice


class ReportKind(StrEnum):
    BY_REASON = "by_reason"
    BY_ROOT_CAUSE = "by_root_cause"
    BY_STATUS = "by_status"
    BY_AGE = "by_age"
    BY_OWNER = "by_owner"
    BY_CUSTOMER = "by_customer"
    BY_SKU = "by_sku"
    BY_SALES_REP = "by_sales_rep"
    CYCLE_TIME = "cycle_time"
    SLA = "sla"
    PARETO = "pareto"
    RECURRING = "recurring"
    TRENDS = "trends"


REPORT_TITLES: dict[ReportKind, str] = {
    ReportKind.BY_REASON: "Disputes by reason",
    ReportKind.BY_ROOT_CAUSE: "Disputes by root cause",
    ReportKind.BY_STATUS: "Disputes by status",
    ReportKind.BY_AGE: "Open disputes by age",
    ReportKind.BY_OWNER: "Disputes by owner",
    ReportKind.BY_CUSTOMER: "Disputes by customer",
    ReportKind.BY_SKU: "Disputed money by SKU",
    ReportKind.BY_SALES_REP: "Disputed money by sales rep",
    ReportKind.CYCLE_TIME: "Cycle time and money recovered by outcome",
    ReportKind.SLA: "SLA breach rate by reason",
    ReportKind.PARETO: "Pareto of root causes",
    ReportKind.RECURRING: "Recurring disputes (same customer and reason within 90 days)",
    ReportKind.TRENDS: "Month by month",
}


class Kind(StrEnum):
    """How a column's values are written: text as is, money at the company currency's minor unit, shares as
    fractions (0.1234), days to one decimal."""

    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    SHARE = "share"
    DAYS = "days"
    DATE = "date"
    FLAG = "flag"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind


def _c(key: str, label: str, kind: Kind) -> Column:
    return Column(key, label, kind)


KEY, LABEL = _c("key", "Key", Kind.TEXT), _c("label", "", Kind.TEXT)
BREAKDOWN_COLUMNS = (
    _c("disputes", "Disputes", Kind.COUNT), _c("amount", "Disputed", Kind.MONEY),
    _c("share", "Share of disputed", Kind.SHARE), _c("open", "Open", Kind.COUNT),
    _c("resolved", "Resolved", Kind.COUNT), _c("accepted", "Accepted", Kind.MONEY),
    _c("recovered", "Recovered", Kind.MONEY),
)
CYCLE_COLUMNS = (
    _c("resolved", "Resolved", Kind.COUNT), _c("average_days", "Average days", Kind.DAYS),
    _c("p90_days", "90th percentile days", Kind.DAYS), _c("amount", "Disputed", Kind.MONEY),
    _c("accepted", "Accepted", Kind.MONEY), _c("recovered", "Recovered", Kind.MONEY),
    _c("recovery_rate", "Recovered share", Kind.SHARE),
)
SLA_COLUMNS = (
    _c("disputes", "Disputes", Kind.COUNT), _c("breached", "SLA breached", Kind.COUNT),
    _c("breach_rate", "Breach rate", Kind.SHARE), _c("open", "Open", Kind.COUNT),
    _c("open_breached", "Open past SLA", Kind.COUNT),
)
PARETO_COLUMNS = (
    _c("disputes", "Disputes", Kind.COUNT), _c("amount", "Disputed", Kind.MONEY),
    _c("share", "Share of disputed", Kind.SHARE), _c("cumulative_share", "Cumulative share", Kind.SHARE),
    _c("cumulative_count_share", "Cumulative share of disputes", Kind.SHARE),
    _c("vital_few", "Within the first 80 %", Kind.FLAG),
)
RECURRING_COLUMNS = (
    _c("reason", "Reason", Kind.TEXT), _c("disputes", "Disputes", Kind.COUNT),
    _c("recurrences", "Recurrences", Kind.COUNT), _c("first_raised", "First raised", Kind.DATE),
    _c("last_raised", "Last raised", Kind.DATE), _c("amount", "Disputed", Kind.MONEY),
)
TREND_COLUMNS = (
    _c("raised", "Raised", Kind.COUNT), _c("raised_amount", "Raised amount", Kind.MONEY),
    _c("resolved", "Resolved", Kind.COUNT), _c("resolved_amount", "Resolved amount", Kind.MONEY),
    _c("accepted", "Accepted", Kind.MONEY), _c("recovered", "Recovered", Kind.MONEY),
)

GROUP_LABELS: dict[ReportKind, str] = {
    ReportKind.BY_REASON: "Reason", ReportKind.BY_ROOT_CAUSE: "Root cause", ReportKind.BY_STATUS: "Status",
    ReportKind.BY_AGE: "Age", ReportKind.BY_OWNER: "Owner", ReportKind.BY_CUSTOMER: "Customer",
    ReportKind.BY_SKU: "SKU", ReportKind.BY_SALES_REP: "Sales rep", ReportKind.CYCLE_TIME: "Outcome",
    ReportKind.SLA: "Reason", ReportKind.PARETO: "Root cause", ReportKind.RECURRING: "Customer",
    ReportKind.TRENDS: "Month",
}
TOTAL_LABEL = "Total"


def columns_for(kind: ReportKind) -> tuple[Column, ...]:
    body = {ReportKind.CYCLE_TIME: CYCLE_COLUMNS, ReportKind.SLA: SLA_COLUMNS, ReportKind.PARETO: PARETO_COLUMNS,
            ReportKind.RECURRING: RECURRING_COLUMNS, ReportKind.TRENDS: TREND_COLUMNS}.get(kind, BREAKDOWN_COLUMNS)
    return (KEY, Column("label", GROUP_LABELS[kind], Kind.TEXT), *body)


@dataclass(frozen=True)
class Period:
    """The disputes a report counts: raised from `raised_from` to `raised_to` (inclusive), seen as of `as_of`."""

    as_of: date
    raised_from: date
    raised_to: date

    def __post_init__(self) -> None:
        if self.raised_from > self.raised_to:
            raise InvalidReportInput(f"raised_from: {self.raised_from} is after raised_to {self.raised_to}",
                                     field="raised_from")
        if self.raised_to > self.as_of:
            raise InvalidReportInput(f"raised_to: {self.raised_to} is after as_of {self.as_of}", field="raised_to")


@dataclass(frozen=True)
class DisputeTable:
    kind: ReportKind
    period: Period
    currency: str  # the company currency every amount is converted to
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]  # one value per column
    totals: tuple[Any, ...] | None  # one value per column (key None, label "Total"), or None
    rates: dict[str, Decimal] = field(default_factory=dict)  # units of company currency per unit, at as_of
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        p = self.period
        return (f"{REPORT_TITLES[self.kind]}: raised {p.raised_from.isoformat()} to {p.raised_to.isoformat()}, "
                f"as of {p.as_of.isoformat()}, amounts in {self.currency}")

    def column_index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def values(self, key: str) -> list[Any]:
        """One column of every row, for tests and charts."""
        index = self.column_index(key)
        return [row[index] for row in self.rows]

    def row(self, key: str) -> dict[str, Any]:
        """The row with this key as {column: value}; KeyError when there is none."""
        for values in self.rows:
            if str(values[0]) == key:
                return {c.key: v for c, v in zip(self.columns, values, strict=True)}
        raise KeyError(key)

    @property
    def total(self) -> dict[str, Any]:
        return {c.key: v for c, v in zip(self.columns, self.totals or (), strict=False)}

    @property
    def all_notes(self) -> list[str]:
        notes = list(self.notes)
        if self.rates:
            listed = ", ".join(f"{cur} {rate.normalize():f}" for cur, rate in sorted(self.rates.items()))
            notes.append(f"FX: units of {self.currency} per unit, latest rate on or before "
                         f"{self.period.as_of}: {listed}")
        return notes


def default_period(as_of: date, raised_from: date | None = None, raised_to: date | None = None) -> Period:
    """The twelve calendar months up to the as-of date unless told otherwise."""
    return Period(as_of, raised_from or add_months(month_start(as_of), -11), raised_to or as_of)


def parse_period(as_of: str | None, raised_from: str | None, raised_to: str | None, *, today: date) -> Period:
    """The period from query text: each an ISO date or empty (as_of today, the twelve months up to it)."""
    day = parse_as_of(as_of, today=today)
    first = _optional_date(raised_from, "raised_from", today)
    last = _optional_date(raised_to, "raised_to", today)
    return default_period(day, first, last)


def _optional_date(text: str | None, name: str, today: date) -> date | None:
    if text is None or not str(text).strip():
        return None
    try:
        return parse_as_of(text, today=today)
    except InvalidReportInput as exc:
        raise InvalidReportInput(exc.message.replace("as_of", name, 1), field=name) from None


def parse_kind(text: str | None) -> ReportKind:
    return parse_choice(ReportKind, text, field="report", default=ReportKind.BY_REASON)
