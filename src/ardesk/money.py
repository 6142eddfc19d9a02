"""Money helpers: the one place amounts are parsed, checked and rounded.

Money is `Decimal` in the document's currency. Amounts are rounded to the
currency's ISO 4217 minor unit (JPY 0, EUR 2, KWD 3) only where money is
booked. Floats are refused: a float has already lost the cent.
"""

from __future__ import annotations

import functools
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies

from ardesk.errors import DomainError, ErrorCode

# Database columns hold 18 digits, 3 of them after the point (enough for KWD).
MAX_DIGITS = 18
DECIMAL_PLACES = 3
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES) - 1
ZERO = Decimal(0)


class UnknownCurrency(DomainError):
    code = ErrorCode.UNKNOWN_CURRENCY

    def __init__(self, currency: object, *, field: str = "currency") -> None:
        super().__init__(f"unknown currency {currency!r}: expected an ISO 4217 code such as EUR", field=field)


class InvalidAmount(DomainError):
    code = ErrorCode.INVALID_AMOUNT


class CurrencyMismatch(DomainError):
    code = ErrorCode.CURRENCY_MISMATCH

    def __init__(self, left: str, right: str, *, field: str = "currency") -> None:
        super().__init__(f"cannot combine {left} with {right}", field=field)


@functools.cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(currency: object) -> str:
    """Return the upper-cased ISO 4217 code, or raise UnknownCurrency."""
    if not isinstance(currency, str) or len(currency.strip()) != 3:
        raise UnknownCurrency(currency)
    code = currency.strip().upper()
    if code not in _currencies():
        raise UnknownCurrency(currency)
    return code


@functools.cache
def minor_units(currency: str) -> int:
    """Digits after the point for a currency: 2 for EUR, 0 for JPY, 3 for KWD."""
    return int(get_currency_precision(check_currency(currency)))


def spreadsheet_format(currency: str) -> str:
    """An amount's number format in a workbook: thousands separated, the currency's decimals ("#,##0.00")."""
    places = minor_units(currency)
    return "#,##0" + ("." + "0" * places if places else "")


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Build a Decimal from a str, int or Decimal. Floats and non-finite values are refused."""
    if isinstance(value, (bool, float)):
        raise InvalidAmount(f"{field}: {value!r} is not an exact amount (floats are refused)", field=field)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidAmount(f"{field}: {value!r} is not a number", field=field) from None
    else:
        raise InvalidAmount(f"{field}: {value!r} is not a number", field=field)
    if not number.is_finite():
        raise InvalidAmount(f"{field}: {value!r} is not a finite number", field=field)
    if abs(number) > MAX_AMOUNT:
        raise InvalidAmount(f"{field}: {value!r} is larger than {MAX_AMOUNT}", field=field)
    return number


def check_amount(value: object, currency: str, *, field: str = "amount", positive: bool = True) -> Decimal:
    """An amount as it may be booked: exact, within the currency's minor unit, and (by default) > 0."""
    number = to_decimal(value, field=field)
    places = minor_units(currency)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and number != number.quantize(quantum(currency)):
        raise InvalidAmount(
            f"{field}: {number} has more than {places} decimal place(s), the minor unit of {currency}", field=field
        )
    if positive and number <= 0:
        raise InvalidAmount(f"{field}: {number} must be greater than zero", field=field)
    return number.quantize(quantum(currency))


def round_money(value: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit; used only where money is booked."""
    return value.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def split_pro_rata(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Split `total` in proportion to `weights`; the last share takes the rounding so the parts add up."""
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole <= 0:
        raise InvalidAmount("weights must add up to more than zero", field="weights")
    q = quantum(currency)
    parts = [(total * w / whole).quantize(q, rounding=ROUND_DOWN) for w in weights[:-1]]
    return [*parts, total - sum(parts, ZERO)]


def convert(amount: Decimal, rate: Decimal, to_currency: str) -> Decimal:
    """Convert with a rate given as units of `to_currency` per one unit of the amount's currency."""
    return round_money(amount * rate, to_currency)
