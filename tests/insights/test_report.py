"""The pure parts: bucket windows, input parsing, and turning per-currency sums into a report that adds up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.insights.aging import bucket_for, buckets, days_past_due, due_window
from ardesk.insights.report import (
    Format,
    Grouping,
    GroupSums,
    InvalidReportInput,
    Source,
    build_report,
    parse_as_of,
    parse_choice,
)

TODAY = date(2026, 11, 26)
D = Decimal

limits_st = st.lists(st.integers(1, 400), min_size=1, max_size=6, unique=True).map(sorted)


@given(limits=limits_st, offset=st.integers(-1000, 1000))
def test_due_windows_put_every_due_date_in_exactly_the_bucket_of_its_age(limits, offset):
    # given any buckets and any due date
    due = TODAY + timedelta(days=offset)
    # when each bucket's window on the as-of date is asked whether it holds that due date
    holding = [b for b in buckets(limits) if (lambda w: (w[0] is None or w[0] <= due) and
                                             (w[1] is None or due <= w[1]))(due_window(b, TODAY))]
    # then exactly one does, and it is the bucket of the invoice's days past due
    assert holding == [bucket_for(days_past_due(due, TODAY), limits)]


def test_the_default_buckets_are_those_of_the_issue():
    assert [b.label for b in buckets()] == ["Current", "1–30", "31–60", "61–90", "91–120", "Over 120"]


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "26-11-2026", "yesterday", "2026-1-5", "20261126",
                                  "2026-11-26T00:00", "0001-01-01"])
def test_a_malformed_as_of_date_names_the_field(text):
    with pytest.raises(InvalidReportInput) as caught:
        parse_as_of(text, today=TODAY)
    assert caught.value.field == "as_of"
    assert "YYYY-MM-DD" in caught.value.message or "before 1900-01-01" in caught.value.message


def test_no_as_of_date_means_today():
    assert parse_as_of(None, today=TODAY) == TODAY
    assert parse_as_of("  ", today=TODAY) == TODAY
    assert parse_as_of(" 2025-12-31 ", today=TODAY) == date(2025, 12, 31)


def test_an_unknown_choice_names_the_field_and_the_choices():
    assert parse_choice(Grouping, "Collector", field="by", default=Grouping.CUSTOMER) is Grouping.COLLECTOR
    assert parse_choice(Format, None, field="format", default=Format.TABLE) is Format.TABLE
    with pytest.raises(InvalidReportInput) as caught:
        parse_choice(Grouping, "region", field="by", default=Grouping.CUSTOMER)
    assert caught.value.field == "by"
    assert "customer, collector, team, segment, country, currency" in caught.value.message
    with pytest.raises(InvalidReportInput):
        parse_choice(Format, "xlsx", field="format", default=Format.JSON, allowed=[Format.JSON, Format.CSV])


def _report(sums: list[GroupSums], rates: dict[str, Decimal], by: Grouping = Grouping.CUSTOMER):
    return build_report(sums=sums, rates=rates, company_currency="EUR", bucket_list=buckets(), as_of=TODAY, by=by,
                        source=Source.CACHE)


def _sums(key: str, currency: str, *amounts: str, disputed: str = "0") -> GroupSums:
    values = tuple(D(a) for a in amounts)
    return GroupSums(key, f"label {key}", currency, values, sum(values, D(0)), D(disputed))


def test_each_cell_converts_at_its_rate_and_a_group_merges_its_currencies():
    # given one customer owing in EUR and in USD, another only in USD
    sums = [_sums("1", "EUR", "10.00", "0", "0", "0", "0", "5.00"),
            _sums("1", "USD", "0", "0.50", "0", "0", "0", "100.00", disputed="20.00"),
            _sums("2", "USD", "1000.00", "0", "0", "0", "0", "0")]
    # when
    report = _report(sums, {"USD": D("0.9137")})
    # then
    first = next(r for r in report.rows if r.key == "1")
    assert first.amounts.buckets == (D("10.00"), D("0.46"), D(0), D(0), D(0), D("96.37"))
    assert first.amounts.total == D("106.83")
    assert (first.amounts.disputed, first.amounts.collectible) == (D("18.27"), D("88.56"))
    assert [r.key for r in report.rows] == ["2", "1"]  # 913.70 before 106.83
    assert report.totals.total == D("1020.53")
    assert report.rates == {"USD": D("0.9137")}


def test_by_currency_rows_keep_their_original_amounts():
    report = _report([_sums("USD", "USD", "0", "0", "0", "0", "0", "100.00"),
                      _sums("JPY", "JPY", "1200", "0", "0", "0", "0", "0")],
                     {"USD": D("0.9"), "JPY": D("0.0061")}, by=Grouping.CURRENCY)
    rows = {r.key: r for r in report.rows}
    assert rows["JPY"].original is not None and rows["JPY"].original.total == D(1200)
    assert rows["JPY"].amounts.total == D("7.32")
    assert rows["USD"].original is not None and rows["USD"].original.buckets[-1] == D("100.00")


def test_a_rounded_dispute_never_exceeds_the_rounded_open_money():
    # given two buckets that each round down to nothing, and their whole amount in dispute (rounds up)
    report = _report([_sums("1", "USD", "0.004", "0.004", "0", "0", "0", "0", disputed="0.008")], {"USD": D(1)})
    row = report.rows[0]
    assert (row.amounts.total, row.amounts.disputed, row.amounts.collectible) == (0, 0, 0)


money_st = st.decimals(min_value=0, max_value=10**9, places=2)
rate_st = st.decimals(min_value=D("0.0001"), max_value=1000, places=4)


@given(cells=st.lists(st.tuples(st.integers(0, 20), st.sampled_from(["EUR", "USD", "GBP"]),
                                st.lists(money_st, min_size=6, max_size=6)), max_size=30),
       usd=rate_st, gbp=rate_st)
def test_rows_add_up_to_the_total_and_buckets_to_each_row(cells, usd, gbp):
    # given sums per group and currency (one per pair, as the query returns them)
    unique = {(k, c): amounts for k, c, amounts in cells}
    sums = [_sums(str(k), c, *map(str, amounts)) for (k, c), amounts in unique.items()]
    # when
    report = _report(sums, {"USD": usd, "GBP": gbp})
    # then every row's buckets make its total, and the rows make the report's buckets and total
    for row in report.rows:
        assert sum(row.amounts.buckets, D(0)) == row.amounts.total
    for i in range(6):
        assert report.totals.buckets[i] == sum((r.amounts.buckets[i] for r in report.rows), D(0))
    assert report.totals.total == sum(report.totals.buckets, D(0))
    # and the company currency's own money is untouched by conversion
    eur = sum((sum(s.buckets, D(0)) for s in sums if s.currency == "EUR"), D(0))
    foreign = sum(((sum(s.buckets, D(0)) * (usd if s.currency == "USD" else gbp)) for s in sums
                   if s.currency != "EUR"), D(0))
    assert abs(report.totals.total - eur - foreign) <= D("0.005") * 6 * len(sums)
    assert [r.amounts.total for r in report.rows] == sorted((r.amounts.total for r in report.rows), reverse=True)
