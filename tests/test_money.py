"""Money helpers: what a clerk relies on when an amount is typed, imported or split."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.errors import ErrorCode
from ardesk.money import (
    MAX_AMOUNT,
    InvalidAmount,
    UnknownCurrency,
    check_amount,
    check_currency,
    convert,
    minor_units,
    quantum,
    round_money,
    split_pro_rata,
)

# JPY has no minor unit, KWD and BHD three, the rest two.
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY", "KWD", "BHD"]
currencies = st.sampled_from(CURRENCIES)


def amounts_at(currency: str, *, min_units: int = 1, max_units: int = 10**12) -> st.SearchStrategy[Decimal]:
    """Amounts exactly at the currency's minor unit."""
    return st.integers(min_units, max_units).map(lambda units: Decimal(units).scaleb(-minor_units(currency)))


@pytest.mark.parametrize(("currency", "places"), [("EUR", 2), ("JPY", 0), ("KWD", 3), ("BHD", 3), ("usd", 2)])
def test_minor_units_follow_iso_4217(currency: str, places: int) -> None:
    assert minor_units(currency) == places


def test_check_currency_upper_cases_known_codes_and_refuses_the_rest() -> None:
    assert check_currency(" eur ") == "EUR"
    for bad in ["EURO", "XYZ", "", None, 978]:
        with pytest.raises(UnknownCurrency) as caught:
            check_currency(bad)
        assert caught.value.code == ErrorCode.UNKNOWN_CURRENCY
        assert caught.value.field == "currency"


@given(value=st.floats(allow_nan=True, allow_infinity=True), currency=currencies)
def test_check_amount_refuses_every_float(value: float, currency: str) -> None:
    # when / then: even 10.0 is refused, a float has already lost the cent somewhere
    with pytest.raises(InvalidAmount) as caught:
        check_amount(value, currency, field="total")
    assert caught.value.field == "total"
    assert caught.value.code == ErrorCode.INVALID_AMOUNT


@given(currency=currencies, units=st.integers(1, 10**12), extra=st.integers(1, 9))
def test_check_amount_refuses_digits_below_the_minor_unit(currency: str, units: int, extra: int) -> None:
    # given: a valid amount with one more, non-zero, digit than the currency has
    places = minor_units(currency)
    too_fine = Decimal(units * 10 + extra).scaleb(-(places + 1))
    # when / then
    with pytest.raises(InvalidAmount, match="decimal place"):
        check_amount(too_fine, currency)
    with pytest.raises(InvalidAmount):
        check_amount(str(too_fine), currency)


@given(data=st.data(), currency=currencies)
def test_check_amount_keeps_a_valid_amount_and_states_it_at_the_minor_unit(data: st.DataObject,
                                                                          currency: str) -> None:
    amount = data.draw(amounts_at(currency))
    for given_as in (amount, str(amount), f"  {amount}  "):
        booked = check_amount(given_as, currency)
        assert booked == amount
        assert booked.as_tuple().exponent == -minor_units(currency)


def test_check_amount_accepts_trailing_zeros_below_the_minor_unit() -> None:
    # An ERP export writes "1500.00" for yen: the value is exact, so it is taken.
    assert check_amount("1500.00", "JPY") == Decimal(1500)
    assert str(check_amount("7.5000", "EUR")) == "7.50"


@pytest.mark.parametrize("value", [Decimal(0), Decimal("-0.01"), "-5", 0])
def test_check_amount_refuses_zero_and_negative_unless_told(value: object) -> None:
    with pytest.raises(InvalidAmount, match="greater than zero"):
        check_amount(value, "EUR")
    assert check_amount(value, "EUR", positive=False) == Decimal(str(value))


@pytest.mark.parametrize("value", [True, "NaN", "Infinity", Decimal("-Infinity"), "12,50", "", [], MAX_AMOUNT + 1])
def test_check_amount_refuses_what_is_not_a_finite_bookable_number(value: object) -> None:
    with pytest.raises(InvalidAmount):
        check_amount(value, "EUR")


@given(currency=currencies,
       value=st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False, places=6))
def test_round_money_is_idempotent_and_moves_at_most_half_a_minor_unit(currency: str, value: Decimal) -> None:
    once = round_money(value, currency)
    assert round_money(once, currency) == once
    assert once.as_tuple().exponent == -minor_units(currency)
    assert abs(once - value) <= quantum(currency) / 2


def test_round_money_rounds_half_up() -> None:
    assert round_money(Decimal("0.005"), "EUR") == Decimal("0.01")
    assert round_money(Decimal("-0.005"), "EUR") == Decimal("-0.01")
    assert round_money(Decimal("2.5"), "JPY") == Decimal(3)


@given(data=st.data(), currency=currencies,
       weights=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=2), min_size=1, max_size=30))
def test_split_pro_rata_adds_up_to_the_total(data: st.DataObject, currency: str, weights: list[Decimal]) -> None:
    # given: a total at the currency's minor unit
    total = data.draw(amounts_at(currency, min_units=0))
    # when
    parts = split_pro_rata(total, weights, currency)
    # then: the parts add up exactly, none is negative, and each is at the minor unit
    q = quantum(currency)
    assert len(parts) == len(weights)
    assert sum(parts, Decimal(0)) == total
    assert min(parts) >= 0
    assert all(part == part.quantize(q) for part in parts)
    # every share but the last is its exact proportion rounded down by less than one minor unit
    whole = sum(weights, Decimal(0))
    for part, weight in zip(parts[:-1], weights[:-1], strict=True):
        assert Decimal(0) <= total * weight / whole - part < q


def test_split_pro_rata_refuses_weights_that_add_up_to_nothing() -> None:
    assert split_pro_rata(Decimal("10.00"), [], "EUR") == []
    with pytest.raises(InvalidAmount):
        split_pro_rata(Decimal("10.00"), [Decimal(0), Decimal(0)], "EUR")


def test_split_pro_rata_gives_the_rounding_to_the_last_share() -> None:
    assert split_pro_rata(Decimal("100.00"), [Decimal(1)] * 3, "EUR") == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert split_pro_rata(Decimal(100), [Decimal(1)] * 3, "JPY") == [Decimal(33), Decimal(33), Decimal(34)]


def test_convert_rounds_into_the_target_currency() -> None:
    assert convert(Decimal("1000"), Decimal("0.0061234"), "EUR") == Decimal("6.12")
    assert convert(Decimal("10.00"), Decimal("163.457"), "JPY") == Decimal(1635)
