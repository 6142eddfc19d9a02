"""The arithmetic of the dispute reports, by example and by property."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.insights.dispute_stats import (
    Raised,
    add_months,
    age_bands,
    band_for,
    before_after,
    months_between,
    pareto,
    percentile,
    raised_window,
    recurrences,
    to_company,
)

D = Decimal
days_lists = st.lists(st.integers(min_value=0, max_value=3650), min_size=1, max_size=60)


def test_percentile_interpolates_as_postgresql_does():
    assert percentile([10, 20, 35], "0.9") == D(32)  # position 1.8: 20 + 0.8 × 15
    assert percentile([5], "0.9") == D(5)
    assert percentile([], "0.5") is None
    assert percentile([1, 2, 3, 4], "0.5") == D("2.5")
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1], "1.5")


@given(values=days_lists, q=st.decimals(min_value=0, max_value=1, places=3))
def test_percentile_lies_between_its_neighbours(values: list[int], q: Decimal):
    result = percentile(values, q)
    assert result is not None
    ordered = sorted(values)
    assert ordered[0] <= result <= ordered[-1]
    # at most (1 − q) of the values lie above it, and no fewer than q below (with interpolation: rank bound)
    position = q * (len(ordered) - 1)
    assert ordered[int(position)] <= result <= ordered[min(int(position) + 1, len(ordered) - 1)]
    assert percentile(values, 0) == ordered[0] and percentile(values, 1) == ordered[-1]


@given(values=days_lists, a=st.decimals(min_value=0, max_value=1, places=2),
       b=st.decimals(min_value=0, max_value=1, places=2))
def test_percentile_is_monotone_in_the_fraction(values: list[int], a: Decimal, b: Decimal):
    low, high = sorted((a, b))
    assert percentile(values, low) <= percentile(values, high)  # type: ignore[operator]


@given(age=st.integers(min_value=0, max_value=5000), offset=st.integers(min_value=-3000, max_value=3000))
def test_age_bands_partition_the_days_and_windows_agree(age: int, offset: int):
    bands = age_bands()
    band = band_for(age, bands)
    assert sum(1 for b in bands if b.low <= age and (b.high is None or age <= b.high)) == 1
    as_of = date(2026, 6, 15) + timedelta(days=offset)
    raised = as_of - timedelta(days=age)
    earliest, latest = raised_window(band, as_of)
    assert (earliest is None or earliest <= raised) and raised <= latest


amounts = st.decimals(min_value=0, max_value=10**7, places=2)


@given(items=st.lists(st.tuples(st.integers(min_value=1, max_value=100), amounts), max_size=30))
def test_pareto_shares_climb_to_one(items: list[tuple[int, Decimal]]):
    rows = pareto((str(i), f"cause {i}", n, a) for i, (n, a) in enumerate(items))
    assert [r.amount for r in rows] == sorted((r.amount for r in rows), reverse=True)
    shares = [r.cumulative_share for r in rows]
    assert shares == sorted(shares)
    if rows and sum(a for _, a in items) > 0:
        assert shares[-1] == D(1) and rows[0].vital_few
    if rows:
        assert rows[-1].cumulative_count_share == D(1)
    # the vital few are a prefix
    flags = [r.vital_few for r in rows]
    assert flags == sorted(flags, reverse=True)


def test_pareto_by_hand():
    rows = pareto([("a", "A", 1, D("100")), ("b", "B", 2, D("700")), ("c", "C", 1, D("200"))])
    assert [r.key for r in rows] == ["b", "c", "a"]
    assert [r.cumulative_share for r in rows] == [D("0.7"), D("0.9"), D("1")]
    assert [r.vital_few for r in rows] == [True, True, False]  # B reaches 70 %, C crosses 80 %


disputes = st.lists(st.tuples(st.integers(1, 3), st.one_of(st.none(), st.integers(1, 3)),
                              st.integers(0, 400)), max_size=40)


@given(rows=disputes)
def test_recurrences_match_the_definition(rows: list[tuple[int, int | None, int]]):
    start = date(2025, 1, 1)
    items = [Raised(i, c, r, start + timedelta(days=d)) for i, (c, r, d) in enumerate(rows)]
    expected = {x.id for x in items if x.reason is not None and any(
        y.customer == x.customer and y.reason == x.reason and (y.raised_on, y.id) < (x.raised_on, x.id)
        and (x.raised_on - y.raised_on).days <= 90 for y in items)}
    assert recurrences(items) == expected


def test_recurrences_by_hand():
    day = date(2026, 1, 1)
    found = recurrences([Raised(1, 7, 1, day), Raised(2, 7, 1, day + timedelta(days=90)),
                         Raised(3, 7, 1, day + timedelta(days=181)), Raised(4, 7, 2, day), Raised(5, 8, 1, day)])
    assert found == {2}  # 90 days later recurs; 91 days after that does not; other reasons and customers do not


def test_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)
    assert months_between(date(2025, 11, 20), date(2026, 2, 1)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_before_and_after_a_corrective_action():
    effective = date(2026, 3, 15)
    # windows of one month from the 15th: Dec 15–Jan 14, Jan 15–Feb 14, Feb 15–Mar 14 | Mar 15–Apr 14, …
    raised = [date(2026, 1, 20), date(2026, 2, 1), date(2026, 2, 20), date(2026, 3, 14),  # before: 0, 2, 2
              date(2026, 3, 15), date(2026, 5, 30)]  # after: 1, 0, 1
    result = before_after(raised, effective_from=effective, months=3, as_of=date(2026, 7, 1))
    assert result.before == (0, 2, 2) and result.after == (1, 0, 1) and result.fell is True
    assert result.before_per_month == D("1.33") and result.after_per_month == D("0.67")
    early = before_after(raised, effective_from=effective, months=3, as_of=date(2026, 5, 1))
    assert early.after == (1,) and not early.complete and early.fell is None


@given(days=st.lists(st.integers(-200, 200), max_size=50), months=st.integers(1, 6))
def test_before_after_counts_each_date_in_its_window_once(days: list[int], months: int):
    effective = date(2026, 3, 15)
    raised = [effective + timedelta(days=d) for d in days]
    result = before_after(raised, effective_from=effective, months=months, as_of=date(2030, 1, 1))
    inside = [d for d in raised if add_months(effective, -months) <= d < add_months(effective, months)]
    assert sum(result.before) + sum(result.after) == len(inside)
    assert sum(result.before) == sum(1 for d in inside if d < effective)


@given(cells=st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["EUR", "USD", "JPY"]), amounts),
                      max_size=20))
def test_converted_rows_add_up_to_the_converted_cells(cells: list[tuple[str, str, Decimal]]):
    rates = {"USD": D("0.913"), "JPY": D("0.0061")}
    merged = to_company(((k, c, (a,)) for k, c, a in cells), rates, "EUR", D("0.01"))
    cents = sum(((a * rates.get(c, D(1))).quantize(D("0.01"), ROUND_HALF_UP) for _, c, a in cells), D(0))
    assert sum((v[0] for v in merged.values()), D(0)) == cents
