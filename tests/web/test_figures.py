"""The pure figures behind the pages: search text, collectible, credit used, average days late."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ardesk.web.figures import (
    MAX_SEARCH_LENGTH,
    Settlement,
    average_days_late,
    clean_search_text,
    collectible,
    credit_used_percent,
)

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10) ** 9, places=2)


def test_search_text_keeps_quotes_and_wildcards_literally():
    # given / when
    cleaned = clean_search_text("  O'Brien  100%_x  ")
    # then
    assert cleaned.text == "O'Brien 100%_x"
    assert not cleaned.shortened


def test_search_text_drops_control_characters_postgres_would_refuse():
    assert clean_search_text("ab\x00cd\u200b\n").text == "ab cd"


def test_search_text_is_capped_and_says_so():
    cleaned = clean_search_text("x" * 500)
    assert len(cleaned.text) == MAX_SEARCH_LENGTH
    assert cleaned.shortened


@given(st.text(max_size=1000))
def test_search_text_is_always_short_and_free_of_nul(raw):
    cleaned = clean_search_text(raw)
    assert len(cleaned.text) <= MAX_SEARCH_LENGTH
    assert "\x00" not in cleaned.text
    assert cleaned.text == cleaned.text.strip()


@given(open_amount=amounts, disputed=amounts)
def test_collectible_is_never_negative_nor_more_than_open(open_amount, disputed):
    value = collectible(open_amount, disputed)
    assert Decimal(0) <= value <= open_amount


def test_credit_used_is_a_percentage_of_the_limit_or_none_without_limit():
    assert credit_used_percent(Decimal("250"), Decimal("1000")) == Decimal("25.0")
    assert credit_used_percent(Decimal("1"), Decimal("3")) == Decimal("33.3")
    assert credit_used_percent(Decimal("1500"), Decimal("1000")) == Decimal("150.0")
    assert credit_used_percent(Decimal("10"), Decimal("0")) is None


def test_average_days_late_is_weighted_by_amount_and_early_counts_as_zero():
    due = date(2026, 1, 31)
    settlements = [
        Settlement(paid_on=due + timedelta(days=10), due_on=due, amount=Decimal("300")),  # 10 days late
        Settlement(paid_on=due - timedelta(days=5), due_on=due, amount=Decimal("100")),  # early: 0
    ]
    # (300 × 10 + 100 × 0) / 400 = 7.5
    assert average_days_late(settlements) == Decimal("7.5")


def test_average_days_late_is_none_without_payments():
    assert average_days_late([]) is None


@given(st.lists(st.tuples(st.integers(-60, 400), amounts), min_size=1, max_size=30))
def test_average_days_late_lies_between_the_fewest_and_most_days_late(items):
    due = date(2026, 6, 30)
    settlements = [Settlement(due + timedelta(days=d), due, a) for d, a in items]
    result = average_days_late(settlements)
    lates = [max(d, 0) for d, _ in items]
    assert result is not None
    assert min(lates) - Decimal("0.05") <= result <= max(lates) + Decimal("0.05")
