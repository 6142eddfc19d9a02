"""Raising disputes and deductions over the API, the queue, one dispute, and the refusals of bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.audit.services import SYSTEM
from ardesk.disputes.models import Dispute
from ardesk.ledger import services as ledger
from tests.api.conftest import error_of
from tests.api.dispute_support import *  # noqa: F403  (the fixtures)
from tests.api.dispute_support import book, raised
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_raising_a_dispute_on_an_invoice_segregates_the_money(api_as, analyst, invoice):
    # given an analyst's client and an invoice of 500
    api = api_as(analyst)
    # when they dispute 120 of it with a reason and an owner
    response = api.post("/disputes", {
        "kind": "invoice", "items": [{"invoice_id": invoice.pk, "amount": "120.00"}],
        "description": "price differs from the contract", "reason_code": "pricing", "owner_id": analyst.pk,
        "priority": "high"})
    # then the dispute is open for 120 and the invoice's collectible amount dropped at once
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["outstanding_amount"]) == ("new", "120.00", "120.00")
    assert (body["reason_code"], body["owner_id"], body["priority"], body["channel"]) == (
        "pricing", analyst.pk, "high", "api")
    assert body["items"][0]["invoice_number"] == "N-INV-1" and body["department"] == "sales"
    assert body["sla_state"] in {"on_track", "due_soon"} and body["sla_breached"] is False
    invoice_body = api.get(f"/invoices/{invoice.pk}").json()
    assert (invoice_body["disputed_amount"], invoice_body["collectible_amount"]) == ("120.00", "380.00")


def test_a_dispute_on_lines_takes_the_money_behind_the_quantity_short(api_as, analyst, lined_invoice):
    api = api_as(analyst)
    response = api.post("/disputes", {"kind": "lines", "reason_code": "quantity_short", "items": [
        {"invoice_id": lined_invoice.pk, "line_no": 1, "disputed_quantity": "2"}]})
    assert response.status_code == 201, response.content
    item = response.json()["items"][0]
    assert (item["line_no"], item["disputed_quantity"], item["amount"]) == (1, "2.0000", "25.00")


def test_a_line_the_invoice_does_not_have_is_refused_naming_it(api_as, analyst, lined_invoice):
    response = api_as(analyst).post("/disputes", {"kind": "lines", "items": [
        {"invoice_id": lined_invoice.pk, "line_no": 9, "disputed_quantity": "1"}]})
    assert response.status_code == 422
    assert error_of(response)["field"] == "items.0.line_no"


def test_an_account_dispute_without_items_covers_every_collectible_invoice(api_as, analyst, customer, invoice):
    book(customer, "N-INV-2", "80.00")
    response = api_as(analyst).post("/disputes", {"kind": "account", "customer_id": customer.pk})
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "580.00" and len(response.json()["items"]) == 2


def test_the_suggester_names_a_reason_with_its_confidence_and_source(api_as, analyst):
    response = api_as(analyst).post("/disputes/suggest-reason", {"text": "we were billed twice, duplicate invoice"})
    assert response.status_code == 200
    body = response.json()
    assert body["reason_code"] == "duplicate_billing" and body["source"] == "keywords"
    assert 0 < body["confidence"] <= 1


def test_text_that_points_nowhere_gets_no_suggestion(api_as, analyst):
    body = api_as(analyst).post("/disputes/suggest-reason", {"text": "zzz qqq"}).json()
    assert body == {"reason_code": None, "label": None, "department": None, "confidence": None, "source": ""}


def test_a_deduction_from_a_short_payment_is_raised_once(api_as, clerk, invoice):
    # given a payment 40 short of the invoice
    payment = ledger.record_payment(customer=invoice.customer, number="PAY-9", received_on=invoice.issue_date,
                                    currency="EUR", amount=D("460.00"), by=SYSTEM)
    api = api_as(clerk)
    body = {"payment_id": payment.pk, "invoice_id": invoice.pk, "amount": "40.00", "description": "short paid"}
    # when cash application reports the short part twice
    first, second = api.post("/disputes/deductions", body), api.post("/disputes/deductions", body)
    # then one deduction holds the 40
    assert first.status_code == second.status_code == 201, first.content
    assert first.json()["id"] == second.json()["id"] and first.json()["kind"] == "deduction"
    assert first.json()["payment_id"] == payment.pk and Dispute.objects.count() == 1


# --- bad input ----------------------------------------------------------------------------------


def test_a_dispute_above_the_collectible_amount_is_refused_naming_the_amount(api_as, analyst, invoice):
    response = api_as(analyst).post("/disputes", {"kind": "invoice",
                                                  "items": [{"invoice_id": invoice.pk, "amount": "500.01"}]})
    assert response.status_code == 422
    body = error_of(response)
    assert body["code"] == "invalid_amount" and body["field"] == "amount" and "500.00" in body["message"]
    assert Dispute.objects.count() == 0


def test_a_paid_invoice_cannot_be_disputed(api_as, analyst, invoice):
    payment = ledger.record_payment(customer=invoice.customer, number="PAY-1", received_on=invoice.issue_date,
                                    currency="EUR", amount=D("500.00"), by=SYSTEM)
    ledger.apply_payment(payment=payment, invoice=invoice, amount=D("500.00"), by=SYSTEM)
    response = api_as(analyst).post("/disputes", {"kind": "invoice", "items": [{"invoice_id": invoice.pk}]})
    assert response.status_code == 400
    assert error_of(response)["field"] == "invoice" and "is paid" in error_of(response)["message"]


def test_another_customers_invoice_is_refused(api_as, analyst, customer, north):
    other = book(type(customer).objects.create(number="N-200", name="Other North", currency="EUR", team=north),
                 "N-INV-OTHER")
    response = api_as(analyst).post("/disputes", {"kind": "invoice", "customer_id": customer.pk,
                                                  "items": [{"invoice_id": other.pk, "amount": "10.00"}]})
    assert response.status_code == 422
    assert "belongs to another customer" in error_of(response)["message"]


def test_an_invoice_outside_the_scope_is_not_found(api_as, analyst, stranger):
    hidden = book(stranger, "S-INV-1")
    response = api_as(analyst).post("/disputes", {"kind": "invoice", "items": [{"invoice_id": hidden.pk}]})
    assert response.status_code == 404 and error_of(response)["field"] == "items.0.invoice_id"


def test_a_likely_duplicate_is_a_conflict_until_confirmed(api_as, analyst, invoice):
    api = api_as(analyst)
    first = raised(api, invoice, "50.00")
    response = api.post("/disputes", {"kind": "invoice", "items": [{"invoice_id": invoice.pk, "amount": "20.00"}]})
    assert response.status_code == 409
    assert error_of(response)["field"] == "confirm_duplicate" and first["number"] in error_of(response)["message"]
    confirmed = raised(api, invoice, "20.00", allow_duplicate=True)
    assert confirmed["id"] != first["id"]


def test_a_collector_may_raise_but_an_auditor_may_not(api_as, customer, invoice):
    collector = UserFactory(username="colin", role="collector")
    customer.collector = collector
    customer.save()
    assert api_as(collector).post("/disputes", {"kind": "invoice", "items": [
        {"invoice_id": invoice.pk, "amount": "1.00"}]}).status_code == 201
    auditor = UserFactory(username="aude", role="auditor")
    response = api_as(auditor).post("/disputes", {"kind": "invoice", "items": [{"invoice_id": invoice.pk}]})
    assert response.status_code == 403


# --- reading ------------------------------------------------------------------------------------


def test_the_queue_filters_like_the_page_and_walks_every_row_once(api_as, analyst, approver, customer):
    # given seven disputes on seven invoices, two of them owned by the analyst
    api = api_as(analyst)
    ids = []
    for n in range(7):
        extra = {"owner_id": analyst.pk} if n < 2 else {}
        ids.append(raised(api, book(customer, f"N-Q-{n}", "100.00"), f"{10 + n}.00", **extra)["id"])
    # when the queue is walked three at a time, by amount
    seen, cursor = [], None
    while True:
        params = {"limit": 3, "sort": "-amount", **({"cursor": cursor} if cursor else {})}
        page = api.get("/disputes", params).json()
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # then every dispute comes once, largest first; and the owner filter works as on the page
    assert seen == list(reversed(ids))
    mine = api.get("/disputes", {"owner": "me"}).json()["items"]
    assert sorted(row["id"] for row in mine) == sorted(ids[:2])
    assert api.get("/disputes/summary", {"owner": "me"}).json() == {
        "count": 2, "outstanding": {"EUR": "21.00"}, "sla_breached": 0}


def test_a_bad_queue_filter_is_refused_naming_the_parameter(api_as, analyst):
    response = api_as(analyst).get("/disputes", {"sla": "late"})
    assert response.status_code == 422 and error_of(response)["field"] == "sla"


def test_a_cursor_from_another_sort_is_refused(api_as, analyst, customer):
    api = api_as(analyst)
    for n in range(3):
        raised(api, book(customer, f"N-C-{n}", "100.00"), "10.00")
    cursor = api.get("/disputes", {"limit": 1}).json()["next_cursor"]
    response = api.get("/disputes", {"limit": 1, "sort": "age", "cursor": cursor})
    assert response.status_code == 422 and error_of(response)["field"] == "cursor"


def test_a_dispute_outside_the_scope_looks_missing(api_as, analyst, approver, stranger):
    # given a dispute on a customer of another team
    admin = UserFactory(username="ada", role="admin")
    hidden = raised(api_as(admin), book(stranger, "S-INV-2"), "10.00")
    # when the North analyst asks for it, its timeline, or tries to work it
    api = api_as(analyst)
    # then each answer is the 404 of a missing dispute
    assert api.get(f"/disputes/{hidden['id']}").status_code == 404
    assert api.get(f"/disputes/{hidden['id']}/timeline").status_code == 404
    assert api.post(f"/disputes/{hidden['id']}/status", {"to": "in_review"}).status_code == 404
    assert hidden["id"] not in [row["id"] for row in api.get("/disputes").json()["items"]]


def test_the_dispute_carries_its_version_as_etag(api_as, analyst, invoice):
    api = api_as(analyst)
    created = raised(api, invoice)
    response = api.get(f"/disputes/{created['id']}")
    assert response["ETag"] == f'"{created["version"]}"'
    assert response.json()["suggested_reason"] == "pricing" and response.json()["suggestion_source"] == "keywords"
