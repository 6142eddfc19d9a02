"""Idempotency-Key: a retried POST gets the first answer and books nothing twice."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ardesk.api import api
from ardesk.apikit.idempotency import REPLAY_HEADER
from ardesk.apikit.models import IdempotencyRecord
from ardesk.audit.models import AuditEvent
from ardesk.identity.services import issue_token
from ardesk.ledger.models import Application, Payment
from tests.api.conftest import ApiClient, error_of
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db


def payment(customer_id: int, amount: str = "10.00") -> dict[str, object]:
    return {"customer_id": customer_id, "number": "P-1", "received_on": "2026-11-02", "amount": amount}


def test_the_same_key_and_body_returns_the_first_response_and_books_once(api_as, clerk):
    # given
    customer = CustomerFactory()
    client = api_as(clerk)
    key = {"Idempotency-Key": "pay-2026-11-02-001"}
    # when
    first = client.post("/payments", payment(customer.pk), headers=key)
    second = client.post("/payments", payment(customer.pk), headers=key)
    # then
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second[REPLAY_HEADER] == "true"
    assert Payment.objects.count() == 1


def test_key_order_and_spacing_of_the_json_do_not_matter(api_as, clerk):
    # given
    customer = CustomerFactory()
    client = api_as(clerk)
    key = {"Idempotency-Key": "k1"}
    compact = f'{{"customer_id":{customer.pk},"number":"P-1","received_on":"2026-11-02","amount":"10.00"}}'
    reordered = f'{{ "amount": "10.00", "received_on": "2026-11-02", "number": "P-1", "customer_id": {customer.pk} }}'
    # when
    first = client.post("/payments", raw=compact, headers=key)
    second = client.post("/payments", raw=reordered, headers=key)
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert Payment.objects.count() == 1


def test_the_same_key_with_another_body_is_409_and_writes_nothing(api_as, clerk):
    # given
    customer = CustomerFactory()
    client = api_as(clerk)
    key = {"Idempotency-Key": "k1"}
    client.post("/payments", payment(customer.pk), headers=key)
    # when
    response = client.post("/payments", payment(customer.pk, amount="11.00"), headers=key)
    # then
    assert response.status_code == 409
    body = error_of(response)
    assert (body["code"], body["field"]) == ("idempotency_mismatch", "Idempotency-Key")
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("10.000")]


def test_the_same_key_on_another_route_is_409(api_as, clerk):
    # given
    invoice = InvoiceFactory()
    cash = PaymentFactory(customer=invoice.customer)
    client = api_as(clerk)
    key = {"Idempotency-Key": "k1"}
    client.post("/payments", payment(invoice.customer_id), headers=key)
    # when
    response = client.post("/applications", {"invoice_id": invoice.pk, "payment_id": cash.pk, "amount": "1"},
                           headers=key)
    # then
    assert response.status_code == 409
    assert not Application.objects.exists()


def test_keys_belong_to_their_user(api_as, clerk):
    # given
    customer = CustomerFactory()
    other_clerk = UserFactory(username="cleo", role="cash_clerk")
    key = {"Idempotency-Key": "shared-name"}
    # when
    mine = api_as(clerk).post("/payments", payment(customer.pk), headers=key)
    theirs = api_as(other_clerk).post("/payments", {**payment(customer.pk), "number": "P-2"}, headers=key)
    # then
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert Payment.objects.count() == 2


def test_a_refusal_is_replayed_too(api_as, clerk):
    # given: the first answer was a refusal; the state changes; the retry still gets the first answer
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    cash = PaymentFactory(customer=invoice.customer, amount=Decimal("5.00"))
    client = api_as(clerk)
    key = {"Idempotency-Key": "apply-1"}
    body = {"invoice_id": invoice.pk, "payment_id": cash.pk, "amount": "8.00"}
    first = client.post("/applications", body, headers=key)
    Payment.objects.filter(pk=cash.pk).update(amount=Decimal("50.00"), unapplied_amount=Decimal("50.00"))
    # when
    second = client.post("/applications", body, headers=key)
    # then
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()
    assert not Application.objects.exists()


def test_without_a_key_each_post_stands_alone(api_as, clerk):
    # given
    customer = CustomerFactory()
    client = api_as(clerk)
    # when
    client.post("/payments", payment(customer.pk))
    second = client.post("/payments", payment(customer.pk))
    # then: the duplicate number is refused by the ledger itself
    assert second.status_code == 422
    assert error_of(second)["field"] == "number"
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["", " ", "ä", "x" * 256])
def test_a_malformed_key_is_refused(api_as, clerk, key):
    # given
    customer = CustomerFactory()
    # when
    response = api_as(clerk).post("/payments", payment(customer.pk), headers={"Idempotency-Key": key})
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "Idempotency-Key"
    assert not Payment.objects.exists()


def test_an_unauthenticated_post_with_a_key_stores_nothing(anonymous):
    # when
    response = anonymous.post("/payments", {"anything": 1}, headers={"Idempotency-Key": "k"})
    # then
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_every_post_route_is_guarded():
    # given: the operations behind every URL of the API
    operations = [op for router in api._get_bound_routers() for view in router.path_operations.values()
                  for op in view.operations if "POST" in op.methods]
    # then
    assert len(operations) >= 9
    unguarded = [op.path for op in operations if not getattr(op.run, "idempotent", False)]
    assert unguarded == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_book_once(clerk):
    # given
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race to lose")
    customer = CustomerFactory()
    _, secret = issue_token(user=clerk, name="race", scopes=["read", "write"], by=clerk)
    start = threading.Barrier(4)
    answers: list[tuple[int, dict[str, object], bool]] = []

    def send() -> None:
        try:
            start.wait()
            response = ApiClient(secret).post("/payments", payment(customer.pk), headers={"Idempotency-Key": "race"})
            answers.append((response.status_code, response.json(), response.has_header(REPLAY_HEADER)))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert [status for status, _, _ in answers] == [201] * 4
    assert len({str(body) for _, body, _ in answers}) == 1
    assert sorted(replayed for _, _, replayed in answers) == [False, True, True, True]
    assert Payment.objects.count() == 1


def test_old_keys_are_purged_and_then_run_afresh(api_as, clerk):
    # given
    customer = CustomerFactory()
    client = api_as(clerk)
    client.post("/payments", payment(customer.pk), headers={"Idempotency-Key": "old"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=31))  # a month passes
    out = io.StringIO()
    # when
    call_command("api", "purge-keys", "--days", "30", stdout=out)
    again = client.post("/payments", payment(customer.pk), headers={"Idempotency-Key": "old"})
    # then
    assert "forgot 1" in out.getvalue()
    assert again.status_code == 422  # ran again: the ledger refuses the duplicate number itself
    assert AuditEvent.objects.filter(verb="api.idempotency_keys_purged").exists()
