"""The pure pieces of the API layer: exact amounts, versions, error fields."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from ardesk.apikit.errors import field_of, status_for
from ardesk.apikit.fields import MoneyIn, display_money
from ardesk.apikit.versions import parse_if_match
from ardesk.errors import DomainError


class Body(BaseModel):
    amount: MoneyIn


@given(st.decimals(min_value=Decimal("-999999999999999.999"), max_value=Decimal("999999999999999.999"), places=3))
def test_every_amount_within_15_digits_and_3_places_round_trips_exactly(amount):
    # when
    as_text = Body(amount=str(amount)).amount
    as_number = Body(amount=amount).amount
    # then
    assert as_text == as_number == amount


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_never_taken(value):
    with pytest.raises(ValidationError):
        Body(amount=value)


@given(st.integers(min_value=10**15, max_value=10**40))
def test_more_than_15_integer_digits_are_refused(value):
    with pytest.raises(ValidationError):
        Body(amount=str(value))


@pytest.mark.parametrize("text", ["1.2345", "1e3", " ", "", "0x10", "1,50", "Infinity", "--1"])
def test_text_that_is_not_a_plain_decimal_is_refused(text):
    with pytest.raises(ValidationError):
        Body(amount=text)


def test_trailing_zeros_beyond_three_places_are_still_exact():
    assert Body(amount="1.50000").amount == Decimal("1.5")


@pytest.mark.parametrize(("value", "currency", "shown"), [
    (Decimal("1234.500"), "EUR", "1234.50"), (Decimal("1200.000"), "JPY", "1200"),
    (Decimal("1.500"), "KWD", "1.500"), (Decimal("-70.000"), "EUR", "-70.00"), (Decimal("0E-3"), "EUR", "0.00"),
])
def test_money_is_displayed_in_the_minor_unit(value, currency, shown):
    assert display_money(value, currency) == shown


@pytest.mark.parametrize(("header", "version"), [(None, None), ('"3"', 3), ("3", 3), ('W/"12"', 12), (' "7" ', 7)])
def test_if_match_forms(header, version):
    assert parse_if_match(header) == version


@pytest.mark.parametrize("header", ["*", '"1", "2"', "abc", '"-1"', "1234567890"])
def test_if_match_that_is_not_one_version_is_refused(header):
    with pytest.raises(DomainError) as raised:
        parse_if_match(header)
    assert raised.value.field == "If-Match"


@pytest.mark.parametrize(("loc", "field"), [
    (("body", "payload", "lines", 0, "quantity"), "lines.0.quantity"), (("query", "limit"), "limit"),
    (("path", "invoice_id"), "invoice_id"), (("body", "payload"), None), ((), None),
])
def test_error_locations_become_client_field_names(loc, field):
    assert field_of(loc) == field


@pytest.mark.parametrize(("code", "status"), [("not_found", 404), ("permission_denied", 403), ("conflict", 409),
                                              ("stale_version", 409), ("idempotency_mismatch", 409),
                                              ("invalid_amount", 422), ("over_application", 400),
                                              ("a_code_added_later", 400)])
def test_domain_codes_map_to_one_status_each(code, status):
    assert status_for(code) == status
