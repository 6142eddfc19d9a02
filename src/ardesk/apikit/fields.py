"""Types for API bodies and queries: exact money, ISO currencies and dates, bounded ids.

JSON numbers reach these validators as Decimal (see parser.JsonParser), so `12.5` and `"12.5"`
are the same exact amount; a Python float (only possible from a non-JSON caller) is refused.
Checks that depend on the document's currency (JPY has no cents) are made again by the services
through ardesk.money.check_amount, which names the field at fault.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import BeforeValidator, Field, WithJsonSchema, field_serializer
from pydantic_core import PydanticCustomError

from ardesk.imports.parsing import known_time_zones
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS, UnknownCurrency, check_currency, round_money

MAX_ID = 2**63 - 1
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _exact_decimal(*, places: int, integer_digits: int, what: str) -> Callable[[Any], Decimal]:
    def parse(value: Any) -> Decimal:
        if isinstance(value, (bool, float)):
            raise PydanticCustomError(
                "not_exact", f"{what} must be exact: send it as a string such as \"1234.50\", not a float")
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, Decimal):
            number = value
        elif isinstance(value, str) and _NUMBER.match(value.strip()):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:  # pragma: no cover - the pattern already filters
                raise PydanticCustomError("not_a_number", f"{what} is not a number") from None
        else:
            raise PydanticCustomError("not_a_number", f"{what} must be a decimal number such as \"1234.50\"")
        if not number.is_finite():
            raise PydanticCustomError("not_a_number", f"{what} must be a finite number")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places and number != number.quantize(Decimal(1).scaleb(-places)):
            raise PydanticCustomError("too_many_decimals", f"{what} has more than {places} decimal places")
        if number.adjusted() + 1 > integer_digits:
            raise PydanticCustomError("too_large", f"{what} has more than {integer_digits} digits before the point")
        return number

    return parse


_MONEY_PATTERN = rf"^[+-]?[0-9]{{1,{MAX_DIGITS - DECIMAL_PLACES}}}(\.[0-9]{{1,{DECIMAL_PLACES}}})?$"
MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_exact_decimal(places=DECIMAL_PLACES, integer_digits=MAX_DIGITS - DECIMAL_PLACES,
                                   what="an amount")),
    WithJsonSchema({"type": "string", "pattern": _MONEY_PATTERN, "examples": ["1234.50"],
                    "description": "An exact amount as a string (a JSON number is accepted too), "
                                   "within the currency's minor unit and at most 15 digits before the point."}),
]
QuantityIn = Annotated[
    Decimal,
    BeforeValidator(_exact_decimal(places=4, integer_digits=14, what="a quantity or unit price")),
    WithJsonSchema({"type": "string", "pattern": r"^[+-]?[0-9]{1,14}(\.[0-9]{1,4})?$", "examples": ["2.5"],
                    "description": "An exact decimal with at most 4 places and 14 digits before the point."}),
]
MoneyOut = Annotated[Decimal, WithJsonSchema({"type": "string", "examples": ["1234.50"],
                                              "description": "Shown in the currency's minor unit."})]


def _currency(value: Any) -> str:
    try:
        return check_currency(value)
    except UnknownCurrency:
        raise PydanticCustomError("unknown_currency", "unknown currency: expected an ISO 4217 code such as EUR") \
            from None


Currency = Annotated[str, BeforeValidator(_currency),
                     WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{3}$", "examples": ["EUR"]})]


def _iso_date(value: Any) -> Any:
    # pydantic would read a bare number as seconds since 1970; a date here is always ISO text.
    if isinstance(value, date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise PydanticCustomError("date_format", "a date must be written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _email(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("email", "an e-mail address must be text")
    try:
        validate_email(value.strip())
    except DjangoValidationError:
        raise PydanticCustomError("email", "not a valid e-mail address") from None
    return value.strip()


Email = Annotated[str, BeforeValidator(_email), Field(max_length=254),
                  WithJsonSchema({"type": "string", "format": "email", "maxLength": 254})]


def _time_zone(value: Any) -> str:
    # Looked up in the list of known names, never handed to ZoneInfo: any text a client sends would
    # otherwise become a path in the time-zone database (a 300-character name fails with an OSError).
    if not isinstance(value, str) or value not in known_time_zones():
        raise PydanticCustomError("time_zone", "unknown time zone: expected an IANA name such as Europe/Berlin")
    return value


TimeZone = Annotated[str, BeforeValidator(_time_zone),
                     WithJsonSchema({"type": "string", "examples": ["Europe/Berlin"], "maxLength": 64})]

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Text40 = Annotated[str, Field(max_length=40)]
Text60 = Annotated[str, Field(max_length=60)]
Text100 = Annotated[str, Field(max_length=100)]
Text140 = Annotated[str, Field(max_length=140)]
Text200 = Annotated[str, Field(max_length=200)]
Text300 = Annotated[str, Field(max_length=300)]
Reason = Annotated[str, Field(min_length=1, max_length=300)]


def display_money(value: Decimal, currency: str) -> str:
    """An amount as the API shows it: a string in the currency's minor unit ("1234.50", "1200" for JPY)."""
    try:
        return format(round_money(value, currency), "f")
    except UnknownCurrency:
        return format(value, "f")


class MoneyRow(Schema):
    """A row in one currency. Its Decimal fields are all money, shown in that currency's minor unit."""

    currency: str

    @field_serializer("*", mode="wrap")
    def _money(self, value: Any, handler: Any) -> Any:
        if isinstance(value, Decimal):
            return display_money(value, self.currency)
        return handler(value)
