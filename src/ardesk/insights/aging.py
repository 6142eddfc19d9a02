"""Aging buckets by days past due. Pure: the report, the account page and worklists share it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_LIMITS = (30, 60, 90, 120)


@dataclass(frozen=True)
class Bucket:
    key: str  # stable, for CSV columns, JSON keys and query strings
    label: str  # for people
    low: int | None  # days past due, inclusive; None for "current"
    high: int | None  # inclusive; None for the last, open-ended bucket


def buckets(limits: Sequence[int] = DEFAULT_LIMITS) -> list[Bucket]:
    """current, then one bucket per limit, then everything beyond the last limit."""
    if not limits or list(limits) != sorted(set(limits)) or limits[0] < 1:
        raise ValueError(f"aging limits must be increasing positive days, got {list(limits)}")
    result = [Bucket("current", "Current", None, 0)]
    low = 1
    for high in limits:
        result.append(Bucket(f"d{low}_{high}", f"{low}–{high}", low, high))
        low = high + 1
    result.append(Bucket(f"over_{limits[-1]}", f"Over {limits[-1]}", low, None))
    return result


def days_past_due(due_date: date, as_of: date) -> int:
    return (as_of - due_date).days


def bucket_for(days: int, limits: Sequence[int] = DEFAULT_LIMITS) -> Bucket:
    for bucket in buckets(limits):
        if bucket.high is None or days <= bucket.high:
            return bucket
    raise AssertionError("unreachable: the last bucket is open-ended")


def due_window(bucket: Bucket, as_of: date) -> tuple[date | None, date | None]:
    """The due dates (earliest, latest; inclusive, None when open-ended) that fall in `bucket` on `as_of`.

    Reports compare due dates with these instead of computing days in SQL: the comparison is the same on
    SQLite and PostgreSQL and can use an index on the due date.
    """
    earliest = None if bucket.high is None else as_of - timedelta(days=bucket.high)
    latest = None if bucket.low is None else as_of - timedelta(days=bucket.low)
    return earliest, latest
