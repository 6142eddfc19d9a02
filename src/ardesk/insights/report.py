"""The aging report as plain data: sums from the query in, converted rows and totals out.

Pure (no Django): the command, the page and the API share it, and tests feed it directly.

The query hands back one `GroupSums` per group and currency, in that currency. Each cell (a bucket, the
disputed amount) is converted to the company currency at the as-of rate and rounded to the company
currency's minor unit; every total is then the sum of rounded cells. So a row's buckets add up to its
total and the rows add up to the report's total, to the cent, whatever the rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple, TypeVar

from ardesk.errors import DomainError, ErrorCode
from ardesk.insights.aging import Bucket
from ardesk.money import quantum

ZERO = Decimal(0)
TOTAL = "total"  # the pseudo-bucket of a whole row, for drill-down
EARLIEST = date(1900, 1, 1)  # bucket windows reach back from the as-of date: keep them inside the calendar


class Grouping(StrEnum):
    CUSTOMER = "customer"
    COLLECTOR = "collector"
    TEAM = "team"
    SEGMENT = "segment"
    COUNTRY = "country"
    CURRENCY = "currency"


GROUPING_LABELS: dict[Grouping, str] = {
    Grouping.CUSTOMER: "Customer",
    Grouping.COLLECTOR: "Collector",
    Grouping.TEAM: "Team",
    Grouping.SEGMENT: "Segment",
    Grouping.COUNTRY: "Country",
    Grouping.CURRENCY: "Currency",
}

# What a group without a value is called (a customer with no collector, no segment, …).
NO_VALUE_LABELS: dict[Grouping, str] = {
    Grouping.COLLECTOR: "(no collector)",
    Grouping.TEAM: "(no team)",
    Grouping.SEGMENT: "(no segment)",
    Grouping.COUNTRY: "(no country)",
}


class Source(StrEnum):
    """Where the open amounts of a report come from (insights.aging_sql explains each)."""

    CACHE = "cache"  # today's cached open amounts
    ROLLBACK = "rollback"  # a past date: the cached open amounts with later entries added back
    ENTRIES = "entries"  # a past date: invoice amounts less the entries dated on or before it


SOURCE_LABELS: dict[Source, str] = {
    Source.CACHE: "cached open amounts",
    Source.ROLLBACK: "rebuilt from dated entries: cached open amounts with later entries added back",
    Source.ENTRIES: "rebuilt from dated entries: invoice amounts less the entries up to the date",
}


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class InvalidReportInput(DomainError):
    code = ErrorCode.INVALID


E = TypeVar("E", bound=StrEnum)


def parse_as_of(text: str | None, *, today: date) -> date:
    """An ISO date (YYYY-MM-DD); nothing at all means today."""
    if text is None or not str(text).strip():
        return today
    raw = str(text).strip()
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        parsed = date.fromisoformat(raw)
    except ValueError:
        raise InvalidReportInput(f"as_of: {raw!r} is not a date; expected YYYY-MM-DD, e.g. {today.isoformat()}",
                                 field="as_of") from None
    if parsed < EARLIEST:
        raise InvalidReportInput(f"as_of: {raw} is before {EARLIEST.isoformat()}", field="as_of")
    return parsed


def parse_choice(kind: type[E], text: str | None, *, field: str, default: E,
                 allowed: Sequence[E] | None = None) -> E:
    """One of an enumeration's values, by name; an unknown one names the field and lists the choices."""
    choices = list(allowed) if allowed is not None else list(kind)
    if text is None or not str(text).strip():
        return default
    raw = str(text).strip().lower()
    for choice in choices:
        if choice.value == raw:
            return choice
    expected = ", ".join(c.value for c in choices)
    raise InvalidReportInput(f"{field}: unknown value {text!r}; expected one of {expected}", field=field)


# GroupSums, Amounts and Row are named tuples: a report by customer holds 100,000 of each, and a tuple is
# built several times faster than a frozen dataclass.


class GroupSums(NamedTuple):
    """One group in one currency, as the query returns it: open amounts in that currency."""

    key: str
    label: str
    currency: str
    buckets: tuple[Decimal, ...]
    total: Decimal  # summed independently of the buckets by the query: a check that they partition it
    disputed: Decimal


class Amounts(NamedTuple):
    """Open money of a row split by bucket; `disputed` is the part of the open money under dispute.
    `total` is the sum of the buckets: build with `Amounts.of` unless you have just summed them."""

    buckets: tuple[Decimal, ...]
    disputed: Decimal
    total: Decimal

    @classmethod
    def of(cls, buckets: Sequence[Decimal], disputed: Decimal) -> Amounts:
        return cls(tuple(buckets), disputed, sum(buckets, ZERO))

    @property
    def collectible(self) -> Decimal:
        """What a collector may chase: the open amount less the disputed money."""
        return self.total - self.disputed

    def by_key(self, bucket_list: Sequence[Bucket]) -> dict[str, Decimal]:
        return {b.key: amount for b, amount in zip(bucket_list, self.buckets, strict=True)}


class Row(NamedTuple):
    key: str  # the group's stable key: a customer/collector/team id, a segment, a country, a currency
    label: str
    amounts: Amounts  # in the company currency
    original: Amounts | None = None  # in the group's own currency, when grouped by currency


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    by: Grouping
    currency: str  # the company currency every amount is converted to
    buckets: tuple[Bucket, ...]
    rows: tuple[Row, ...]
    totals: Amounts
    rates: dict[str, Decimal]  # units of company currency per unit, latest on or before as_of
    source: Source  # where the open amounts come from: today's caches, or rebuilt for a past date
    where: dict[str, str] = field(default_factory=dict)  # filters the report was narrowed by

    @property
    def rebuilt(self) -> bool:
        return self.source is not Source.CACHE

    @property
    def disputed_known(self) -> bool:
        """False for a past date: disputed amounts have no dated history yet, so they show as 0."""
        return self.source is Source.CACHE

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.rates:
            listed = ", ".join(f"{cur} {rate.normalize():f}" for cur, rate in sorted(self.rates.items()))
            notes.append(f"FX: units of {self.currency} per unit, latest rate on or before {self.as_of}: {listed}")
        if not self.disputed_known:
            notes.append("Disputed is 0 for a past date: disputed amounts have no dated history yet.")
        return notes


def _sort_largest_first(rows: list[Row]) -> None:
    """Largest total first, then by label and key. Three stable sorts on C-level keys: a report by customer
    sorts 100,000 rows, and a Python key function per row costs more than the sorting."""
    rows.sort(key=attrgetter("key"))
    rows.sort(key=attrgetter("label"))
    rows.sort(key=attrgetter("amounts.total"), reverse=True)


def build_report(
    *,
    sums: Iterable[GroupSums],
    rates: Mapping[str, Decimal],
    company_currency: str,
    bucket_list: Sequence[Bucket],
    as_of: date,
    by: Grouping,
    source: Source,
    where: Mapping[str, str] | None = None,
) -> AgingReport:
    """Convert each cell at its currency's rate, merge a group's currencies, and sort rows by total (largest first).

    `rates` must hold every currency in `sums`; the company currency converts at 1.
    """
    q = quantum(company_currency)
    width = len(bucket_list)
    merged: dict[str, tuple[str, tuple[Decimal, ...], Decimal, Decimal]] = {}
    originals: dict[str, Amounts] = {}
    seen: set[str] = set()
    for cell in sums:
        currency = cell.currency
        seen.add(currency)
        if currency == company_currency:
            # Booked at the company currency's minor unit already: nothing to round, and the query's total
            # is the sum of the buckets (the partition the tests prove).
            converted, disputed, total = cell.buckets, cell.disputed, cell.total
        else:
            rate = rates[currency]
            converted = tuple([(b * rate).quantize(q, rounding=ROUND_HALF_UP) if b else ZERO for b in cell.buckets])
            total = sum(converted, ZERO)
            disputed = (cell.disputed * rate).quantize(q, rounding=ROUND_HALF_UP) if cell.disputed else ZERO
            # Rounding each cell on its own may push the disputed part a cent past the open total.
            disputed = min(disputed, total)
        entry = merged.get(cell.key)
        if entry is None:
            merged[cell.key] = (cell.label, converted, disputed, total)
        else:
            added = tuple([a + b for a, b in zip(entry[1], converted, strict=True)])
            merged[cell.key] = (entry[0], added, entry[2] + disputed, entry[3] + total)
        if by is Grouping.CURRENCY:
            originals[cell.key] = Amounts.of(cell.buckets, cell.disputed)
    rows = [Row(key, label, Amounts(buckets, disputed, total), originals.get(key))
            for key, (label, buckets, disputed, total) in merged.items()]
    _sort_largest_first(rows)
    columns = list(zip(*(row.amounts.buckets for row in rows), strict=True)) or [()] * width
    totals = Amounts.of([sum(column, ZERO) for column in columns], sum((r.amounts.disputed for r in rows), ZERO))
    used = {cur: rates[cur] for cur in sorted(seen) if cur != company_currency}
    return AgingReport(
        as_of=as_of, by=by, currency=company_currency, buckets=tuple(bucket_list), rows=tuple(rows),
        totals=totals, rates=used,
        source=source, where=dict(where or {}),
    )
