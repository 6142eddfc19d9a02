"""Reading one cell: dates, amounts, numbers, flags and codes as ERPs and spreadsheets write them.

Pure: no Django import. A cell is a `str` from a CSV file, or whatever
openpyxl gives for an XLSX cell (str, int, float, bool, date, datetime, None).
Every parser returns a plain value or raises FieldError with a reason a
person can act on. The common, canonical forms take a fast path; anything
else goes through the full rules, and the tests prove both agree.

Dates accepted: ISO `2024-01-31` (optionally with a midnight time), `20240131`,
`2024/01/31`, day-first dotted `31.01.2024`, `31-Jan-2024`, Excel serial numbers
(`45322`, in XLSX cells or as text), and `31/01/2024` or `01/31/2024` only when
unambiguous (one part above 12, or both the same). Years 1900–2199.

Amounts accepted: `1234.56`, `1,234.56`, `1.234,56`, `1 234,56`, `1'234.56`,
`1234,56`. A lone `.` is always the decimal point; a lone `,` followed by
exactly three digits (`1,234`) is ambiguous and refused.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import list_currencies

from ardesk.errors import DomainError
from ardesk.money import MAX_AMOUNT, check_amount, check_currency, minor_units, to_decimal


class FieldError(ValueError):
    """A cell that cannot be read; `reason` says why in words a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text_of(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # an XLSX number in a text column: 1001.0 is the code "1001"
    return str(raw).strip()


def _check_nul(text: str) -> None:
    if "\x00" in text:
        raise FieldError("contains a NUL byte (\\x00); remove it from the file")


# --- text -------------------------------------------------------------------------------------------

def text(raw: object, max_length: int) -> str:
    value = _text_of(raw)
    _check_nul(value)
    if len(value) > max_length:
        raise FieldError(f"is {len(value):,} characters long; the limit is {max_length:,}")
    return value


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+", re.ASCII)


def email(raw: object) -> str:
    value = text(raw, 254).lower()
    if not _EMAIL.fullmatch(value):
        raise FieldError("is not an email address")
    return value


def choice(raw: object, choices: dict[str, str]) -> str:
    """One of `choices` (value → label), matched by value or label, ignoring case, spaces and dashes."""
    key = re.sub(r"[\s\-]+", "_", _text_of(raw).lower())
    for value, label in choices.items():
        if key == value or key == re.sub(r"[\s\-]+", "_", label.lower()):
            return value
    _check_nul(key)
    raise FieldError(f"is not one of {', '.join(choices)}")


_TRUE = frozenset({"1", "true", "yes", "y", "t", "x"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})


def flag(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    value = _text_of(raw).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    _check_nul(value)
    raise FieldError("is not a yes/no value: write true or false (also yes/no, 1/0)")


def integer(raw: object, low: int, high: int) -> int:
    if isinstance(raw, bool):
        raise FieldError("is not a whole number")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        number = raw
    else:
        value = _text_of(raw)
        if not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 12:
            _check_nul(value)
            raise FieldError("is not a whole number")
        number = int(value)
    if not low <= number <= high:
        raise FieldError(f"must be between {low:,} and {high:,}")
    return number


def currency(raw: object) -> str:
    value = _text_of(raw)
    try:
        return check_currency(value)
    except DomainError:
        _check_nul(value)
        raise FieldError("is not a known ISO 4217 currency code (such as EUR, USD, JPY)") from None


@functools.cache
def _countries() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2
                     and code.isalpha())


def country(raw: object) -> str:
    value = _text_of(raw).upper()
    if value not in _countries():
        _check_nul(value)
        raise FieldError("is not an ISO 3166 two-letter country code (such as DE, US)")
    return value


_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?")


def language(raw: object) -> str:
    value = _text_of(raw)
    if not _LANGUAGE.fullmatch(value):
        _check_nul(value)
        raise FieldError("is not a language code (such as en, de, pt-BR)")
    return value


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA names this Python knows; input is looked up here, never handed to ZoneInfo as a path."""
    return frozenset(zoneinfo.available_timezones())


def time_zone(raw: object) -> str:
    value = _text_of(raw)
    if value not in known_time_zones():
        _check_nul(value)
        raise FieldError("is not an IANA time zone (such as Europe/Berlin, UTC)")
    return value


# --- dates ------------------------------------------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 1900, 2199
_EXCEL_EPOCH = date(1899, 12, 30)  # right from serial 61 on (Excel counts a fictitious 1900-02-29 as 60)
# Serial numbers 10000 (1927-05-18) to 109574 (2199-12-31): a bare year such as 2024 is never taken for one.
_FIRST_SERIAL, _LAST_SERIAL = 10_000, 109_574
_MONTHS = {name: n for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MIDNIGHT = r"(?:[ T]00:00(?::00(?:\.0+)?)?)?"
_YMD = re.compile(r"(\d{4})([-/]?)(\d{1,2})\2(\d{1,2})" + _MIDNIGHT, re.ASCII)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _MIDNIGHT, re.ASCII)
_DAY_MONTH = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})" + _MIDNIGHT, re.ASCII)
_NAMED = re.compile(r"(\d{1,2})[- ]([A-Za-z]{3})[- ](\d{4})", re.ASCII)
_SERIAL = re.compile(r"(\d{5,6})(?:\.0+)?", re.ASCII)
DATE_FORMATS = "YYYY-MM-DD (also 20240131, 31.01.2024, 31-Jan-2024, an Excel serial date)"


def _in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise FieldError(f"is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return value


def _build(year: str, month: str, day: str) -> date:
    try:
        return _in_range(date(int(year), int(month), int(day)))
    except ValueError:
        raise FieldError(f"is not a real date (year {year}, month {month}, day {day})") from None


def from_excel_serial(serial: int) -> date:
    if not _FIRST_SERIAL <= serial <= _LAST_SERIAL:
        raise FieldError(f"is not a date: as an Excel serial number it falls outside 1927–{LAST_YEAR}")
    return _EXCEL_EPOCH + timedelta(days=serial)


def _date_from_text(value: str) -> date:
    if m := _YMD.fullmatch(value):
        if m.group(2) == "" and len(value) != 8:
            raise FieldError(f"is not a date: expected {DATE_FORMATS}")
        return _build(m.group(1), m.group(3), m.group(4))
    if m := _DOTTED.fullmatch(value):
        return _build(m.group(3), m.group(2), m.group(1))
    if m := _DAY_MONTH.fullmatch(value):
        first, second, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if first > 12 >= second or first == second:
            return _build(year, str(second), str(first))
        if second > 12 >= first:
            return _build(year, str(first), str(second))
        if first > 12 and second > 12:
            raise FieldError("is not a real date: neither part is a month")
        sep = m.group(2)
        raise FieldError(
            f"is ambiguous: {first}{sep}{second}{sep}{year} could be day {first} of month {second} or month "
            f"{first} day {second}; write it as YYYY-MM-DD")
    if m := _NAMED.fullmatch(value):
        month = _MONTHS.get(m.group(2).lower())
        if month is None:
            raise FieldError(f"is not a date: {m.group(2)!r} is not a month")
        return _build(m.group(3), str(month), m.group(1))
    if m := _SERIAL.fullmatch(value):
        return from_excel_serial(int(m.group(1)))
    _check_nul(value)
    raise FieldError(f"is not a date: expected {DATE_FORMATS}")


def a_date(raw: object) -> date:
    if type(raw) is str and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:  # the fast path: ISO dates, by far the most common
            value = date.fromisoformat(raw)
        except ValueError:
            pass
        else:
            return _in_range(value)
    if isinstance(raw, datetime):
        if raw.time() != time(0):
            raise FieldError(f"has a time of day ({raw.time()}); a date is expected")
        return _in_range(raw.date())
    if isinstance(raw, date):
        return _in_range(raw)
    if isinstance(raw, bool):
        raise FieldError(f"is not a date: expected {DATE_FORMATS}")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not raw.is_integer():
            raise FieldError("is an Excel date with a time of day; a date is expected")
        return from_excel_serial(int(raw))
    return _date_from_text(_text_of(raw))


# --- amounts and numbers --------------------------------------------------------------------------

_PLAIN = re.compile(r"-?\d{1,15}(?:\.\d{1,10})?", re.ASCII)
_GROUPED_INT = re.compile(r"\d{1,3}(?:(?P<sep>[ .,'])\d{3})(?:(?P=sep)\d{3})*", re.ASCII)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
# Excel keeps 15 significant digits: a float beyond that is not the number the user typed.
_EXCEL_DIGITS = 15


def _split_number(value: str) -> tuple[str, str, str]:
    """(sign, integer part with grouping, fraction) of a number written by a person."""
    sign = ""
    if value[:1] in "+-":
        sign, value = ("-" if value[0] == "-" else ""), value[1:].lstrip()
    dots, commas = value.count("."), value.count(",")
    if dots and commas:
        decimal_sep = "." if value.rfind(".") > value.rfind(",") else ","
    elif dots == 1:
        decimal_sep = "."  # a lone dot is the decimal point, as in every machine format
    elif commas == 1:
        whole, _, frac = value.partition(",")
        grouped = " " in whole or "'" in whole
        if len(frac) == 3 and not grouped and whole.isdigit() and whole != "0":
            raise FieldError(f"is ambiguous: {value} could be {whole}{frac} or {whole}.{frac}; "
                             f"write {whole}{frac} or {whole}.{frac}")
        decimal_sep = ","
    else:
        decimal_sep = ""  # several dots or several commas: thousands separators
    if decimal_sep and value.count(decimal_sep) != 1:
        raise FieldError("is not a number: the decimal separator appears more than once")
    whole, _, frac = value.rpartition(decimal_sep) if decimal_sep else (value, "", "")
    return sign, whole, frac


def number_text(raw: str) -> str:
    """A person's number as canonical text (`-1234.56`), or FieldError."""
    value = raw.translate(_SPACES).strip()
    if _PLAIN.fullmatch(value):
        return value
    if not value or not value.isascii():
        _check_nul(value)
        raise FieldError("is not a number")
    sign, whole, frac = _split_number(value)
    if whole and not whole.isdigit():
        if _GROUPED_INT.fullmatch(whole):
            whole = re.sub(r"[ .,']", "", whole)
        elif re.fullmatch(r"[\d .,']+", whole, re.ASCII):
            raise FieldError("is not a number: thousands must be grouped by three (1,234,567.89 or 1.234.567,89)")
        else:
            _check_nul(whole)
            raise FieldError("is not a number")
    if not (whole or frac) or (frac and not frac.isdigit()):
        raise FieldError("is not a number")
    return f"{sign}{whole or '0'}{'.' + frac if frac else ''}"


def _decimal_of(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise FieldError("is not a number")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        shortest = repr(raw)
        try:
            number = Decimal(shortest)
        except InvalidOperation:
            raise FieldError("is not a finite number") from None
        if not number.is_finite():
            raise FieldError("is not a finite number")
        if len(number.normalize().as_tuple().digits) > _EXCEL_DIGITS:
            raise FieldError(f"is a spreadsheet number ({shortest}) that is not exact; "
                             "round the cells or format the column as text")
        return number
    if isinstance(raw, Decimal):
        return raw
    return Decimal(number_text(_text_of(raw)))


_FAST_MONEY = {places: re.compile(r"\d{1,15}" + (rf"(?:\.\d{{1,{places}}})?" if places else ""), re.ASCII)
               for places in range(4)}
_DB_PLACES = 3


@functools.cache
def fast_money_pattern(currency_code: str) -> re.Pattern[str] | None:
    """The plain amounts of a currency that need no further check (digits, at most its minor unit)."""
    return _FAST_MONEY.get(minor_units(currency_code))


@functools.cache
def currency_codes() -> frozenset[str]:
    """Codes `check_currency` accepts as they are (upper case, no spaces)."""
    return frozenset(code for code in list_currencies() if len(code) == 3)


def money(raw: object, currency_code: str | None, *, sign: str = "positive") -> Decimal:
    """An amount checked against the currency's minor unit (ardesk.money.check_amount).

    `sign` is "positive" (> 0), "not_negative" (>= 0) or "any". Without a
    currency (not yet known, or itself invalid) the amount is only checked to
    be a number the database can hold (at most 3 decimals).
    """
    if type(raw) is str and currency_code is not None:
        fast = fast_money_pattern(currency_code)
        if fast is not None and fast.fullmatch(raw):  # the fast path: plain, within the minor unit
            value = Decimal(raw)
            if value or sign != "positive":
                return value
    number = _decimal_of(raw)
    try:
        if currency_code is None:
            value = to_decimal(number)
            if value != round(value, _DB_PLACES):
                raise FieldError(f"has more than {_DB_PLACES} decimal places")
        else:
            value = check_amount(number, currency_code, positive=sign == "positive")
    except DomainError as error:
        raise FieldError(error.message.partition(": ")[2] or error.message) from None
    if sign != "any" and value < 0:
        raise FieldError("must not be negative")
    if sign == "positive" and value == 0:
        raise FieldError("must be greater than zero")
    return value


def decimal(raw: object, *, places: int, max_whole_digits: int, positive: bool = False) -> Decimal:
    """A quantity, price or rate: at most `places` decimals and `max_whole_digits` digits before the point."""
    number = _decimal_of(raw)
    if not number.is_finite():
        raise FieldError("is not a finite number")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and number != round(number, places):
        raise FieldError(f"has more than {places} decimal places")
    if abs(number) >= Decimal(10) ** max_whole_digits:
        raise FieldError(f"is too large: at most {max_whole_digits} digits before the decimal point")
    if positive and number <= 0:
        raise FieldError("must be greater than zero")
    return number


def fits_money(value: Decimal) -> bool:
    return abs(value) <= MAX_AMOUNT
