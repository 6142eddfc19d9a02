"""Reading one cell: the forms people and spreadsheets write, and the ones we refuse."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.errors import DomainError
from ardesk.imports import parsing as p
from ardesk.money import check_amount

JAN_31 = date(2026, 1, 31)


@pytest.mark.parametrize("cell", [
    "2026-01-31", "2026-1-31", "2026-01-31 00:00:00", "2026-01-31T00:00", "20260131", "2026/01/31", "31.01.2026",
    "31/01/2026", "01/31/2026", "31-01-2026", "31-Jan-2026", "31 jan 2026", "46053", "46053.0",
    datetime(2026, 1, 31), JAN_31, 46053, 46053.0,
])
def test_dates_in_every_accepted_form_read_the_same(cell: object) -> None:
    assert p.a_date(cell) == JAN_31


@pytest.mark.parametrize(("cell", "reason"), [
    ("03/04/2026", "is ambiguous"),
    ("2026-02-30", "is not a real date"),
    ("2026-13-01", "is not a real date"),
    ("31/13/2026", "neither part is a month"),
    ("2024", "is not a date"),  # a bare year is never taken for an Excel serial number
    ("1890-01-01", "outside the years"),
    ("31-Foo-2026", "is not a month"),
    ("yesterday", "is not a date"),
    (datetime(2026, 1, 31, 13, 30), "has a time of day"),
    (46053.5, "time of day"),
    (True, "is not a date"),
])
def test_dates_that_cannot_be_read_say_why(cell: object, reason: str) -> None:
    with pytest.raises(p.FieldError) as refused:
        p.a_date(cell)
    assert reason in refused.value.reason


def test_an_ambiguous_date_names_both_readings_and_the_cure() -> None:
    with pytest.raises(p.FieldError) as refused:
        p.a_date("03/04/2026")
    assert "day 3 of month 4" in refused.value.reason and "YYYY-MM-DD" in refused.value.reason


@pytest.mark.parametrize("cell", ["1234.56", "1,234.56", "1.234,56", "1 234,56", "1\u00a0234,56", "1'234.56",
                                  "1234,56", "+1234.56", " 1234.56 ", 1234.56, Decimal("1234.56")])
def test_amounts_with_thousands_separators_and_decimal_commas(cell: object) -> None:
    assert p.money(cell, "EUR") == Decimal("1234.56")


@pytest.mark.parametrize(("cell", "reason"), [
    ("1,234", "is ambiguous"),
    ("12,34,567.00", "grouped by three"),
    ("1.234.567,8.9", "is not a number"),
    ("1e5", "is not a number"),
    ("NaN", "is not a number"),
    ("€12", "is not a number"),
    ("12.345", "minor unit of EUR"),
    ("0", "greater than zero"),
    ("-5", "greater than zero"),
    (0.1 + 0.2, "not exact"),
    ("1" * 16, "larger than"),
])
def test_amounts_that_cannot_be_booked_say_why(cell: object, reason: str) -> None:
    with pytest.raises(p.FieldError) as refused:
        p.money(cell, "EUR")
    assert reason in refused.value.reason


def test_amounts_follow_the_minor_unit_of_their_currency() -> None:
    assert p.money("1.234", "KWD") == Decimal("1.234")
    assert p.money("1200", "JPY") == Decimal("1200")
    with pytest.raises(p.FieldError, match="minor unit of JPY"):
        p.money("12.5", "JPY")


def test_zero_and_negative_amounts_where_allowed() -> None:
    assert p.money("0", "EUR", sign="not_negative") == 0
    assert p.money("-12.50", "EUR", sign="any") == Decimal("-12.50")
    with pytest.raises(p.FieldError, match="must not be negative"):
        p.money("-1", "EUR", sign="not_negative")


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2)


@given(amount=amounts)
def test_the_fast_path_agrees_with_check_amount(amount: Decimal) -> None:
    assert p.money(str(amount), "EUR") == check_amount(str(amount), "EUR")


@given(amount=amounts, style=st.sampled_from(["{:,.2f}", "de", "fr", "ch"]))
def test_every_written_form_of_an_amount_reads_back_exactly(amount: Decimal, style: str) -> None:
    english = f"{amount:,.2f}"
    written = {"{:,.2f}": english,
               "de": english.replace(",", "_").replace(".", ",").replace("_", "."),
               "fr": english.replace(",", " ").replace(".", ","),
               "ch": english.replace(",", "'")}[style]
    assert p.money(written, "EUR") == amount


@given(text=st.text(max_size=30))
def test_no_cell_text_raises_anything_but_a_field_error(text: str) -> None:
    for parse in (p.a_date, lambda t: p.money(t, "EUR"), p.flag, p.currency, p.country, p.email):
        try:
            parse(text)
        except p.FieldError:
            pass
        except DomainError as error:  # pragma: no cover - the failure this test exists to catch
            raise AssertionError(f"{parse} leaked {error!r}") from error


@pytest.mark.parametrize(("cell", "expected"), [("yes", True), ("TRUE", True), ("1", True), ("x", True),
                                                ("no", False), ("False", False), ("0", False), (True, True)])
def test_flags(cell: object, expected: bool) -> None:
    assert p.flag(cell) is expected


def test_codes_are_checked_and_normalised() -> None:
    assert p.currency(" eur ") == "EUR"
    assert p.country("de") == "DE"
    assert p.time_zone("Europe/Berlin") == "Europe/Berlin"
    assert p.email("Ann@Example.COM") == "ann@example.com"
    assert p.choice("Direct debit", {"direct_debit": "Direct debit", "wire": "Wire transfer"}) == "direct_debit"
    for parse, cell in ((p.currency, "EURO"), (p.country, "XX"), (p.time_zone, "Mars/Olympus"), (p.email, "ann@")):
        with pytest.raises(p.FieldError):
            parse(cell)


def test_text_longer_than_its_column_is_refused_with_its_length() -> None:
    with pytest.raises(p.FieldError, match="is 41 characters long; the limit is 40"):
        p.text("x" * 41, 40)


def test_a_nul_byte_is_named() -> None:
    with pytest.raises(p.FieldError, match="NUL byte"):
        p.text("ab\x00c", 40)


def test_quantities_and_rates_keep_their_precision() -> None:
    assert p.decimal("1,5", places=4, max_whole_digits=14) == Decimal("1.5")
    assert p.decimal("0.0000000001", places=10, max_whole_digits=10, positive=True) == Decimal("1E-10")
    with pytest.raises(p.FieldError, match="more than 4 decimal places"):
        p.decimal("1.00001", places=4, max_whole_digits=14)
    with pytest.raises(p.FieldError, match="greater than zero"):
        p.decimal("0", places=10, max_whole_digits=10, positive=True)
