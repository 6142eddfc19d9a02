"""Bad input is refused before anything is written, with a 4xx that names the field; never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.ledger.models import Invoice, Payment
from tests.api.conftest import error_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api_as, admin_user):
    return api_as(admin_user)


def payment(customer: int, **changes: object) -> dict[str, object]:
    return {"customer_id": customer, "number": "P-1", "received_on": "2026-11-02", "amount": "10.00", **changes}


def nothing_written() -> bool:
    """No ledger row and no audit event besides the test's own token."""
    return (not Payment.objects.exists() and not Invoice.objects.exists()
            and not AuditEvent.objects.exclude(verb__startswith="api_token.").exists())


@pytest.mark.parametrize(("changes", "field"), [
    ({"amount": True}, "amount"),
    ({"amount": [1]}, "amount"),
    ({"amount": "ten"}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": "1e400"}, "amount"),
    ({"number": 123}, "number"),
    ({"received_on": 20261102}, "received_on"),
    ({"received_on": "2026-13-02"}, "received_on"),
    ({"customer_id": "abc"}, "customer_id"),
    ({"customer_id": 2**70}, "customer_id"),
    ({"method": "barter"}, "method"),
    ({"number": "x" * 61}, "number"),
])
def test_wrong_types_are_422_naming_the_field(admin_api, changes, field):
    # given
    customer = CustomerFactory()
    # when
    response = admin_api.post("/payments", payment(customer.pk, **changes))
    # then
    assert response.status_code == 422, response.content
    assert error_of(response)["field"] == field
    assert nothing_written()


def test_an_extra_field_is_422_naming_it(admin_api):
    # given
    customer = CustomerFactory()
    # when
    response = admin_api.post("/payments", payment(customer.pk, is_admin=True))
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "is_admin"
    assert nothing_written()


@pytest.mark.parametrize("amount", ["123456789012345678901234567890", 123456789012345678901234567890,
                                    "1234567890123456.00"])
def test_a_thirty_digit_amount_is_422_naming_the_field(admin_api, amount):
    # given
    customer = CustomerFactory()
    # when
    response = admin_api.post("/payments", payment(customer.pk, amount=amount))
    # then
    assert response.status_code == 422
    body = error_of(response)
    assert (body["code"], body["field"]) == ("invalid_amount", "amount")
    assert nothing_written()


@pytest.mark.parametrize(("raw_amount", "currency"), [("10.123", "EUR"), ("10.1234", "EUR"), ("10.5", "JPY"),
                                                      ("0.0001", "KWD")])
def test_a_json_number_finer_than_the_minor_unit_is_refused(admin_api, raw_amount, currency):
    # given: the amount sent as a bare JSON number, as many clients do
    customer = CustomerFactory(currency=currency)
    raw = f'{{"customer_id": {customer.pk}, "number": "P-1", "received_on": "2026-11-02", "amount": {raw_amount}}}'
    # when
    response = admin_api.post("/payments", raw=raw)
    # then
    assert response.status_code == 422, response.content
    body = error_of(response)
    assert (body["code"], body["field"]) == ("invalid_amount", "amount")
    assert nothing_written()


def test_a_json_number_within_the_minor_unit_is_taken_exactly(admin_api):
    # given: 0.1 + 0.2 is not 0.3 in binary floating point; here it must be
    customer = CustomerFactory()
    raw = f'{{"customer_id": {customer.pk}, "number": "P-1", "received_on": "2026-11-02", "amount": 0.30}}'
    # when
    response = admin_api.post("/payments", raw=raw)
    # then
    assert response.status_code == 201
    assert response.json()["amount"] == "0.30"
    assert Payment.objects.get().amount == Decimal("0.30")


@pytest.mark.parametrize("currency", ["XYZ", "EURO", "eu", ""])
def test_an_unknown_currency_is_422_naming_the_field(admin_api, currency):
    # given
    customer = CustomerFactory()
    # when
    response = admin_api.post("/payments", payment(customer.pk, currency=currency))
    # then
    assert response.status_code == 422
    body = error_of(response)
    assert (body["code"], body["field"]) == ("unknown_currency", "currency")
    assert nothing_written()


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_a_payment_must_be_positive(admin_api, amount):
    # given
    customer = CustomerFactory()
    # when
    response = admin_api.post("/payments", payment(customer.pk, amount=amount))
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "amount"
    assert nothing_written()


def test_a_bad_invoice_line_is_named_by_its_position(admin_api):
    # given
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "number": "INV-1", "issue_date": "2026-11-01",
            "lines": [{"quantity": "1", "unit_price": "10"}, {"quantity": "one", "unit_price": "10"}]}
    # when
    response = admin_api.post("/invoices", body)
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "lines.1.quantity"
    assert nothing_written()


def test_a_line_whose_amount_overflows_is_refused(admin_api):
    # given
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "number": "INV-1", "issue_date": "2026-11-01",
            "lines": [{"quantity": "99999999999999", "unit_price": "99999999999999"}]}
    # when
    response = admin_api.post("/invoices", body)
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "lines.0"
    assert nothing_written()


@pytest.mark.parametrize("raw", ["{not json", "", "[1, 2]", '"text"', '{"amount": NaN}'])
def test_a_body_that_is_not_a_json_object_is_refused(admin_api, raw):
    # when
    response = admin_api.post("/payments", raw=raw)
    # then
    assert response.status_code in {400, 422}
    error_of(response)
    assert nothing_written()


def test_the_due_date_cannot_precede_the_issue_date(admin_api):
    # given
    customer = CustomerFactory()
    body = {"customer_id": customer.pk, "number": "INV-1", "issue_date": "2026-11-01", "due_date": "2026-10-01",
            "amount": "10.00"}
    # when
    response = admin_api.post("/invoices", body)
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "due_date"
    assert nothing_written()


@pytest.mark.parametrize("path", ["/payments/0", "/payments/99999999999999999999999", "/payments/abc",
                                  "/invoices/-1", "/nowhere", "/payments/1/unknown"])
def test_odd_paths_are_a_404_or_422_in_the_error_shape(admin_api, path):
    # when
    response = admin_api.get(path)
    # then
    assert response.status_code in {404, 422}
    error_of(response)


def test_a_method_a_route_does_not_have_is_405_in_the_error_shape(admin_api):
    # when
    response = admin_api.send("DELETE", "/payments")
    # then
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(("params", "field"), [({"limit": "0"}, "limit"), ({"limit": "many"}, "limit"),
                                              ({"status": "late"}, "status"), ({"due_before": "soon"}, "due_before"),
                                              ({"currency": "ZZZ"}, "currency")])
def test_bad_filters_are_422_naming_the_parameter(admin_api, params, field):
    # when
    response = admin_api.get("/invoices", params)
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == field


@pytest.mark.parametrize("key", [None, "big-1"])
def test_a_body_larger_than_the_server_reads_is_413(admin_api, settings, key):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    customer = CustomerFactory()
    headers = {"Idempotency-Key": key} if key else {}
    # when
    response = admin_api.post("/payments", payment(customer.pk, bank_reference="x" * 2000), headers=headers)
    # then
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    assert nothing_written()


def test_another_api_version_is_a_json_404(admin_api):
    # when
    response = admin_api.client.get("/api/v2/payments")
    # then
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
