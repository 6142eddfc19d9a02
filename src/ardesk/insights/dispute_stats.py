"""The arithmetic of the dispute reports: percentiles, age bands, Pareto shares, recurrences, months, the
before/after test of a corrective action, and converting per-currency sums to the company currency.

Pure (no Django): insights.dispute_queries feeds it what PostgreSQL (or SQLite) aggregated, and the tests
drive it directly and with hypothesis.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

ZERO = Decimal(0)
ONE = Decimal(1)
DEFAULT_AGE_LIMITS = (30, 60, 90, 180)
RECURRENCE_DAYS = 90
SHARE_PLACES = Decimal("0.0001")


# --- percentiles -------------------------------------------------------------------------------------------

def percentile(values: Sequence[int | Decimal], fraction: Decimal | str) -> Decimal | None:
    """The continuous percentile, as PostgreSQL's `percentile_cont(fraction)` computes it: sort, then interpolate
    linearly between the two values around position fraction × (n − 1). None for no values."""
    q = Decimal(fraction)
    if not ZERO <= q <= ONE:
        raise ValueError(f"a percentile fraction lies between 0 and 1, got {fraction}")
    ordered = sorted(Decimal(v) for v in values)
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = int(position)  # floor: position is never negative
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def average(values: Sequence[int | Decimal]) -> Decimal | None:
    return sum((Decimal(v) for v in values), ZERO) / len(values) if values else None


# --- age bands ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: int  # days since raised, inclusive
    high: int | None  # inclusive; None for the last, open-ended band


def age_bands(limits: Sequence[int] = DEFAULT_AGE_LIMITS) -> list[Band]:
    """0–30, 31–60, … and over the last limit: a dispute raised today is 0 days old."""
    if not limits or list(limits) != sorted(set(limits)) or limits[0] < 0:
        raise ValueError(f"age limits must be increasing days, got {list(limits)}")
    bands, low = [], 0
    for high in limits:
        bands.append(Band(f"d{low}_{high}", f"{low}–{high} days", low, high))
        low = high + 1
    bands.append(Band(f"over_{limits[-1]}", f"Over {limits[-1]} days", low, None))
    return bands


def band_for(age_days: int, bands: Sequence[Band]) -> Band:
    for band in bands:
        if band.high is None or age_days <= band.high:
            return band
    raise AssertionError("unreachable: the last band is open-ended")


def raised_window(band: Band, as_of: date) -> tuple[date | None, date]:
    """The raise dates (earliest or None, latest; inclusive) of disputes in `band` on `as_of`: SQL compares
    dates with these instead of computing ages, the same on every engine."""
    earliest = None if band.high is None else as_of - timedelta(days=band.high)
    return earliest, as_of - timedelta(days=band.low)


# --- shares and Pareto -------------------------------------------------------------------------------------

def share(part: Decimal | int, whole: Decimal | int) -> Decimal:
    """part / whole to four places (0.1234 = 12.34 %); 0 when the whole is 0."""
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, ROUND_HALF_UP) if whole else ZERO


class ParetoRow(NamedTuple):
    key: str
    label: str
    disputes: int
    amount: Decimal
    amount_share: Decimal
    cumulative_share: Decimal  # of the amount, this row and every larger one
    cumulative_count_share: Decimal
    vital_few: bool  # among the causes that make up the first 80 % of the amount


def pareto(items: Iterable[tuple[str, str, int, Decimal]], threshold: Decimal = Decimal("0.8")) -> list[ParetoRow]:
    """Largest amount first (then most disputes, then label); cumulative shares of the amount and the count.

    Shares are computed from running sums, so the last row's cumulative share is exactly 1. A row is among
    the vital few while the amount before it is below the threshold (the row that crosses it is included).
    """
    rows = sorted(items, key=lambda r: (-r[3], -r[2], r[1], r[0]))
    total_amount = sum((r[3] for r in rows), ZERO)
    total_count = sum(r[2] for r in rows)
    result: list[ParetoRow] = []
    running_amount, running_count = ZERO, 0
    for key, label, count, amount in rows:
        before = running_amount
        running_amount += amount
        running_count += count
        vital = total_amount > 0 and before < threshold * total_amount
        result.append(ParetoRow(key, label, count, amount, share(amount, total_amount),
                                share(running_amount, total_amount), share(running_count, total_count), vital))
    return result


# --- recurrences -------------------------------------------------------------------------------------------

class Raised(NamedTuple):
    """One dispute as recurrence detection sees it."""

    id: int
    customer: int
    reason: int | None  # a dispute without a reason code never recurs
    raised_on: date


def recurrences(disputes: Iterable[Raised], days: int = RECURRENCE_DAYS) -> set[int]:
    """The disputes raised at most `days` days after an earlier one of the same customer and reason.

    "Earlier" orders by raise date, then id (two the same day: the second recurs). One pass over the disputes
    sorted by customer, reason and date: only the previous one of each pair can be the nearest.
    """
    found: set[int] = set()
    previous: Raised | None = None
    keyed = [d for d in disputes if d.reason is not None]
    for item in sorted(keyed, key=lambda d: (d.customer, d.reason, d.raised_on, d.id)):
        if (previous is not None and (previous.customer, previous.reason) == (item.customer, item.reason)
                and (item.raised_on - previous.raised_on).days <= days):
            found.add(item.id)
        previous = item
    return found


# --- months ------------------------------------------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s, both included; empty when first > last."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


# --- corrective actions: before and after ------------------------------------------------------------------

@dataclass(frozen=True)
class BeforeAfter:
    months: int
    before: tuple[int, ...]  # disputes per month, the N months before the action took effect (oldest first)
    after: tuple[int, ...]  # the months after it, as far as they have passed
    complete: bool  # False while the N months after have not all passed

    @property
    def before_per_month(self) -> Decimal:
        return (Decimal(sum(self.before)) / len(self.before)).quantize(Decimal("0.01")) if self.before else ZERO

    @property
    def after_per_month(self) -> Decimal:
        return (Decimal(sum(self.after)) / len(self.after)).quantize(Decimal("0.01")) if self.after else ZERO

    @property
    def fell(self) -> bool | None:
        """Whether disputes of the cause fell per month; None until the after window has passed."""
        if not self.complete:
            return None
        return sum(self.after) < sum(self.before)


def before_after(raised: Iterable[date], *, effective_from: date, months: int, as_of: date) -> BeforeAfter:
    """Count raise dates per month in the `months` months before `effective_from` and the `months` after it.

    A "month" here is a window of one calendar month measured from `effective_from` (15 March to 14 April),
    so an action taking effect mid-month is compared fairly. After-months that end after `as_of` are left out.
    """
    if months < 1:
        raise ValueError("compare at least one month")
    starts = [add_months(effective_from, k) for k in range(-months, months + 1)]
    counts = [0] * (2 * months)
    for day in raised:
        for k in range(2 * months):
            if starts[k] <= day < starts[k + 1]:
                counts[k] += 1
                break
    passed = sum(1 for k in range(months, 2 * months) if starts[k + 1] <= as_of + timedelta(days=1))
    return BeforeAfter(months, tuple(counts[:months]), tuple(counts[months:months + passed]), passed == months)


# --- currencies --------------------------------------------------------------------------------------------

def to_company(cells: Iterable[tuple[str, str, Sequence[Decimal]]], rates: Mapping[str, Decimal], company: str,
               quantum: Decimal) -> dict[str, list[Decimal]]:
    """Per-key sums in the company currency from (key, currency, amounts) cells.

    Each cell is converted at its currency's rate and rounded to the company currency's minor unit before it is
    added, as the aging does: the rows then add up to the total to the cent. `rates` holds every foreign currency.
    """
    merged: dict[str, list[Decimal]] = {}
    for key, currency, amounts in cells:
        rate = ONE if currency == company else rates[currency]
        converted = [(a * rate).quantize(quantum, ROUND_HALF_UP) for a in amounts]
        if key in merged:
            merged[key] = [x + y for x, y in zip(merged[key], converted, strict=True)]
        else:
            merged[key] = converted
    return merged
