"""Resolving over the API: the ledger consequence, approvals above the limit, closing, reopening."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ardesk.disputes.models import ApprovalRequest, Dispute
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.ledger.models import CreditMemo, Invoice, WriteOff
from ardesk.ledger.queries import cache_mismatches
from ardesk.ledger.services import LineInput
from tests.api.conftest import error_of
from tests.api.dispute_support import *  # noqa: F403  (the fixtures)
from tests.api.dispute_support import book, raised
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _in_review(api: Any, invoice: Invoice, amount: str = "100.00", **extra: Any) -> dict[str, Any]:
    dispute = raised(api, invoice, amount, reason_code="pricing", **extra)
    assert api.post(f"/disputes/{dispute['id']}/status", {"to": "in_review"}).status_code == 200
    return dispute


def test_a_dispute_from_capture_to_closed_books_its_credit_memo(api_as, analyst, invoice):
    # given an analyst and an invoice of 500
    api = api_as(analyst)
    # when a customer's price complaint is captured, worked, partly accepted and closed over the API
    dispute = raised(api, invoice, "100.00", description="the price is 10 % above the contract")
    path = f"/disputes/{dispute['id']}"
    assert api.post(f"{path}/reason-code", {"reason_code": "pricing"}).status_code == 200
    assert api.post(f"{path}/status", {"to": "in_review"}).status_code == 200
    assert api.post(f"{path}/offers", {"party": "company", "amount": "60.00"}).status_code == 201
    version = api.get(path).json()["version"]
    resolved = api.post(f"{path}/resolve", {"outcome": "partly_accepted", "accepted_amount": "60.00",
                                            "note": "agreed 60", "version": version})
    assert resolved.status_code == 200, resolved.content
    closed = api.post(f"{path}/close", {"root_cause": "pricing_error", "responsible_department": "sales"})
    # then the dispute is closed with its outcome, and the ledger shows a credit memo of 60 applied
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert (body["status"], body["outcome"], body["settlement"], body["root_cause"]) == (
        "closed", "partly_accepted", "credit_memo", "pricing_error")
    assert (body["accepted_amount"], body["outstanding_amount"]) == ("60.00", "40.00")
    settlement = body["settlements"][0]
    memo = CreditMemo.objects.get(pk=settlement["credit_memo_id"])
    assert memo.amount == D("60.00") and settlement["amount"] == "60.00"
    invoice_body = api.get(f"/invoices/{invoice.pk}").json()
    # 60 credited, the other 40 back to collectible
    assert (invoice_body["open_amount"], invoice_body["disputed_amount"], invoice_body["collectible_amount"]) == (
        "440.00", "0.00", "440.00")
    assert cache_mismatches() == [] and disputed_cache_mismatches() == []


def test_a_rejection_books_nothing_and_returns_the_money_to_collectible(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = _in_review(api, invoice)
    response = api.post(f"/disputes/{dispute['id']}/resolve", {"outcome": "rejected", "note": "price is right"})
    assert response.status_code == 200
    assert response.json()["dispute"]["settlements"] == [] and CreditMemo.objects.count() == 0
    assert Invoice.objects.get().disputed_amount == D("0")


def test_resolving_a_new_dispute_is_an_illegal_transition(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = raised(api, invoice, reason_code="pricing")
    response = api.post(f"/disputes/{dispute['id']}/resolve", {"outcome": "accepted"})
    assert response.status_code == 409 and error_of(response)["field"] == "status"
    assert CreditMemo.objects.count() == 0


def test_a_write_off_within_the_limit_is_booked(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = _in_review(api, invoice, "80.00")
    response = api.post(f"/disputes/{dispute['id']}/resolve", {"outcome": "accepted", "settlement": "write_off"})
    assert response.status_code == 200 and response.json()["pending"] is False
    assert WriteOff.objects.get().amount == D("80.00")


def test_a_write_off_over_the_limit_waits_for_another_approver(api_as, analyst, approver, invoice):
    # given an analyst whose limit is 100 and a dispute of 150 accepted as a write-off
    api = api_as(analyst)
    dispute = _in_review(api, invoice, "150.00")
    # when they resolve it
    response = api.post(f"/disputes/{dispute['id']}/resolve", {"outcome": "accepted", "settlement": "write_off",
                                                               "note": "goodwill"})
    # then nothing is booked: 202 with the approval request, which shows on the dispute and in the list
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["pending"] is True and body["approval"]["amount"] == "150.00"
    assert body["dispute"]["status"] == "in_review" and body["dispute"]["pending_approval"]["id"] == body[
        "approval"]["id"]
    assert WriteOff.objects.count() == 0
    approval_id = body["approval"]["id"]
    # and the requester cannot approve it
    own = api.post(f"/disputes/approvals/{approval_id}/decide", {"approve": True})
    assert own.status_code == 403 and error_of(own)["field"] == "approver"
    # but the manager sees it pending and approves it: the write-off is booked as asked
    manager = api_as(approver)
    assert [a["id"] for a in manager.get("/disputes/approvals").json()["items"]] == [approval_id]
    decided = manager.post(f"/disputes/approvals/{approval_id}/decide", {"approve": True, "note": "ok"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert WriteOff.objects.get().amount == D("150.00")
    assert Dispute.objects.get().status == "resolved" and manager.get("/disputes/approvals").json()["items"] == []


def test_an_approval_decided_twice_is_a_conflict(api_as, analyst, approver, invoice):
    api = api_as(analyst)
    dispute = _in_review(api, invoice, "150.00")
    approval_id = api.post(f"/disputes/{dispute['id']}/resolve", {
        "outcome": "accepted", "settlement": "write_off"}).json()["approval"]["id"]
    manager = api_as(approver)
    assert manager.post(f"/disputes/approvals/{approval_id}/decide", {"approve": False}).status_code == 200
    again = manager.post(f"/disputes/approvals/{approval_id}/decide", {"approve": True})
    assert again.status_code == 409 and WriteOff.objects.count() == 0
    assert ApprovalRequest.objects.get().status == "rejected"


def test_a_rebill_credits_the_invoice_and_books_the_corrected_one(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = _in_review(api, invoice, "100.00")
    response = api.post(f"/disputes/{dispute['id']}/resolve", {
        "outcome": "accepted", "settlement": "rebill",
        "rebill_lines": [{"sku": "A", "quantity": "4", "unit_price": "100.00"}]})
    assert response.status_code == 200, response.content
    settlement = response.json()["dispute"]["settlements"][0]
    new = api.get(f"/invoices/{settlement['new_invoice_id']}").json()
    assert new["amount"] == "400.00" and api.get(f"/invoices/{invoice.pk}").json()["open_amount"] == "0.00"


def test_partly_accepted_needs_an_amount_named_in_the_error(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = _in_review(api, invoice)
    response = api.post(f"/disputes/{dispute['id']}/resolve", {"outcome": "partly_accepted"})
    assert response.status_code == 422 and error_of(response)["field"] == "accepted_amount"


def test_closing_needs_a_known_root_cause_and_reopening_a_reason(api_as, analyst, invoice):
    api = api_as(analyst)
    dispute = _in_review(api, invoice)
    api.post(f"/disputes/{dispute['id']}/resolve", {"outcome": "rejected"})
    unknown = api.post(f"/disputes/{dispute['id']}/close", {"root_cause": "gremlins",
                                                            "responsible_department": "sales"})
    assert unknown.status_code == 404 and error_of(unknown)["field"] == "root_cause"
    no_reason = api.post(f"/disputes/{dispute['id']}/reopen", {"reason": ""})
    assert no_reason.status_code == 422 and error_of(no_reason)["field"] == "reason"
    reopened = api.post(f"/disputes/{dispute['id']}/reopen", {"reason": "customer sent the contract"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_review"
    assert Invoice.objects.get().disputed_amount == D("100.00")


def test_a_collector_may_not_resolve(api_as, analyst, customer, invoice):
    collector = UserFactory(username="colin", role="collector")
    customer.collector = collector
    customer.save()
    dispute = _in_review(api_as(analyst), invoice)
    assert api_as(collector).post(f"/disputes/{dispute['id']}/resolve", {"outcome": "rejected"}).status_code == 403


def test_the_accepted_part_is_booked_on_the_items_named(api_as, analyst, customer, invoice):
    # given an account dispute: 100 on one invoice, 50 on another
    api = api_as(analyst)
    other = book(customer, "N-INV-2")
    body = {"kind": "account", "reason_code": "pricing", "description": "two invoices at the wrong price",
            "items": [{"invoice_id": invoice.pk, "amount": "100.00"}, {"invoice_id": other.pk, "amount": "50.00"}]}
    dispute = api.post("/disputes", body).json()
    path = f"/disputes/{dispute['id']}"
    assert api.post(f"{path}/status", {"to": "in_review"}).status_code == 200
    first, second = (item["id"] for item in dispute["items"])
    # naming an item twice, or more than it holds, is refused with the field
    twice = api.post(f"{path}/resolve", {"outcome": "partly_accepted", "items": [
        {"item": second, "accepted_amount": "10.00"}, {"item": second, "accepted_amount": "20.00"}]})
    assert twice.status_code == 422 and error_of(twice)["field"] == "items"
    over = api.post(f"{path}/resolve", {"outcome": "partly_accepted",
                                        "items": [{"item": second, "accepted_amount": "60.00"}]})
    assert over.status_code == 422 and error_of(over)["field"] == f"items[{second}].accepted_amount"
    # when 50 is granted on the second invoice only
    resolved = api.post(f"{path}/resolve", {"outcome": "partly_accepted",
                                            "items": [{"item": second, "accepted_amount": "50.00"}]})
    # then the credit memo is on that invoice and the first one's 100 is collectible again
    assert resolved.status_code == 200, resolved.content
    items = {item["id"]: item["accepted_amount"] for item in resolved.json()["dispute"]["items"]}
    assert items == {first: "0.00", second: "50.00"}
    assert [s["invoice_id"] for s in resolved.json()["dispute"]["settlements"]] == [other.pk]
    assert api.get(f"/invoices/{invoice.pk}").json()["collectible_amount"] == "500.00"
    assert cache_mismatches() == [] and disputed_cache_mismatches() == []


def test_a_dispute_shows_each_items_split_over_skus(api_as, analyst, customer):
    # given an invoice whose lines are SKU A 150 and SKU B 50
    lined = book(customer, "N-SKU-1", lines=[LineInput("A", "Widget", D("3"), D("50.00")),
                                             LineInput("B", "Gadget", D("1"), D("50.00"))])
    api = api_as(analyst)
    dispute = raised(api, lined, "40.00")
    # then the API names the SKUs of the item and their shares, as the report by SKU counts them
    item = api.get(f"/disputes/{dispute['id']}").json()["items"][0]
    assert [(s["sku"], D(s["share"])) for s in item["skus"]] == [("A", D("0.75")), ("B", D("0.25"))]
