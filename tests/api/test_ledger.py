"""The ledger over the API: booking, reading, applying, writing off and reversing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.ledger.models import Application, Invoice, Payment, Source, WriteOff
from ardesk.ledger.queries import cache_mismatches
from tests.api.conftest import error_of
from tests.factories import CreditMemoFactory, CustomerFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api_as, admin_user):
    return api_as(admin_user)


@pytest.fixture
def clerk_api(api_as, clerk):
    return api_as(clerk)


def test_an_invoice_booked_with_lines_totals_them(admin_api, admin_user):
    # given
    customer = CustomerFactory(payment_terms_days=14)
    body = {"customer_id": customer.pk, "number": "INV-1", "issue_date": "2026-11-01", "po_number": "PO-7",
            "lines": [{"sku": "A", "quantity": "2", "unit_price": "10.005", "tax_amount": "3.80"},
                      {"sku": "B", "quantity": 1.5, "unit_price": "4"}]}
    # when
    response = admin_api.post("/invoices", body)
    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["amount"] == "29.81"  # 20.01 + 6.00 net, 3.80 tax
    assert data["open_amount"] == "29.81"
    assert data["due_date"] == "2026-11-15"
    assert data["currency"] == "EUR"
    assert [ln["amount"] for ln in data["lines"]] == ["20.01", "6.00"]
    assert data["lines"][1]["quantity"] == "1.5000"
    invoice = Invoice.objects.get()
    assert invoice.source == Source.API
    assert AuditEvent.objects.get(verb="invoice.booked").actor_id == admin_user.pk


def test_money_is_shown_in_the_currency_minor_unit(admin_api):
    # given
    yen = InvoiceFactory(customer=CustomerFactory(currency="JPY"), amount=Decimal("1200"))
    dinar = InvoiceFactory(customer=CustomerFactory(currency="KWD"), amount=Decimal("1.5"))
    # when
    shown = {row["number"]: row["amount"] for row in admin_api.get("/invoices").json()["items"]}
    # then
    assert shown == {yen.number: "1200", dinar.number: "1.500"}


def test_an_invoice_shows_its_applications_and_write_offs(clerk_api, admin_api):
    # given
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("60.00"))
    applied = clerk_api.post("/applications", {"invoice_id": invoice.pk, "payment_id": payment.pk, "amount": "60"})
    written = admin_api.post("/write-offs", {"invoice_id": invoice.pk, "amount": "0.50", "reason_code": "small"})
    # when
    data = admin_api.get(f"/invoices/{invoice.pk}").json()
    # then
    assert applied.status_code == 201 and written.status_code == 201
    assert data["open_amount"] == "39.50"
    assert [(a["payment_id"], a["amount"]) for a in data["applications"]] == [(payment.pk, "60.00")]
    assert [(w["amount"], w["reason_code"]) for w in data["write_offs"]] == [("0.50", "small")]
    assert data["status"] in {"open", "overdue"}


def test_applying_more_than_the_payment_holds_is_over_application(clerk_api):
    # given
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("30.00"))
    # when
    response = clerk_api.post("/applications", {"invoice_id": invoice.pk, "payment_id": payment.pk,
                                                "amount": "30.01"})
    # then
    assert response.status_code == 400
    body = error_of(response)
    assert (body["code"], body["field"]) == ("over_application", "amount")
    assert not Application.objects.exists()
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("100.00")


def test_applying_more_than_is_open_is_over_settlement(clerk_api):
    # given
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("30.00"))
    # when
    response = clerk_api.post("/applications", {"invoice_id": invoice.pk, "payment_id": payment.pk,
                                                "amount": "10.01"})
    # then
    assert response.status_code == 400
    assert error_of(response)["code"] == "over_settlement"


def test_an_application_names_exactly_one_source(clerk_api):
    # given
    invoice = InvoiceFactory()
    payment = PaymentFactory(customer=invoice.customer)
    memo = CreditMemoFactory(customer=invoice.customer)
    # when
    both = clerk_api.post("/applications", {"invoice_id": invoice.pk, "payment_id": payment.pk,
                                            "credit_memo_id": memo.pk, "amount": "1"})
    neither = clerk_api.post("/applications", {"invoice_id": invoice.pk, "amount": "1"})
    # then
    assert both.status_code == neither.status_code == 422
    assert error_of(both)["field"] == "payment_id"
    assert not Application.objects.exists()


def test_a_reversal_restores_both_sides_and_cannot_be_repeated(clerk_api):
    # given
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("100.00"))
    applied = clerk_api.post("/applications", {"invoice_id": invoice.pk, "payment_id": payment.pk,
                                               "amount": "70.00"}).json()
    # when
    reversal = clerk_api.post(f"/applications/{applied['id']}/reversal", {"reason": "wrong invoice"})
    again = clerk_api.post(f"/applications/{applied['id']}/reversal", {"reason": "twice"})
    # then
    assert reversal.status_code == 201
    assert reversal.json()["amount"] == "-70.00"
    assert reversal.json()["reverses_id"] == applied["id"]
    assert clerk_api.get(f"/applications/{applied['id']}").json()["reversal_id"] == reversal.json()["id"]
    assert again.status_code == 400
    assert error_of(again)["code"] == "already_reversed"
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.open_amount == payment.unapplied_amount == Decimal("100.00")
    assert cache_mismatches() == []


def test_a_reversal_needs_a_reason(clerk_api):
    # given
    invoice = InvoiceFactory()
    payment = PaymentFactory(customer=invoice.customer)
    applied = clerk_api.post("/applications", {"invoice_id": invoice.pk, "payment_id": payment.pk,
                                               "amount": "5"}).json()
    # when
    response = clerk_api.post(f"/applications/{applied['id']}/reversal", {"reason": ""})
    # then
    assert response.status_code == 422
    assert error_of(response)["field"] == "reason"


def test_a_credit_memo_is_booked_then_applied(admin_api):
    # given
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    memo = admin_api.post("/credit-memos", {"customer_id": invoice.customer_id, "number": "CM-1",
                                            "issue_date": "2026-11-03", "amount": "25", "reason": "damaged",
                                            "invoice_id": invoice.pk})
    # when
    applied = admin_api.post(f"/credit-memos/{memo.json()['id']}/applications",
                             {"invoice_id": invoice.pk, "amount": "25.00"})
    # then
    assert memo.status_code == 201 and applied.status_code == 201, applied.content
    assert applied.json()["credit_memo_id"] == memo.json()["id"]
    detail = admin_api.get(f"/credit-memos/{memo.json()['id']}").json()
    assert detail["unapplied_amount"] == "0.00"
    assert [a["amount"] for a in detail["applications"]] == ["25.00"]
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("75.00")


def test_a_write_off_and_its_reversal(admin_api):
    # given
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    entry = admin_api.post("/write-offs", {"invoice_id": invoice.pk, "amount": "10", "reason_code": "bad_debt",
                                           "reason": "insolvent"}).json()
    # when
    reversal = admin_api.post(f"/write-offs/{entry['id']}/reversal", {"reason": "the customer paid after all"})
    # then
    assert reversal.status_code == 201
    assert reversal.json()["amount"] == "-10.00"
    listed = admin_api.get("/write-offs", {"invoice": invoice.pk}).json()["items"]
    assert [(w["amount"], w["reversal_id"]) for w in listed] == [("10.00", reversal.json()["id"]),
                                                                 ("-10.00", None)]
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("10.00")
    assert WriteOff.objects.count() == 2


def test_a_write_off_cannot_exceed_what_is_open(admin_api):
    # given
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    # when
    response = admin_api.post("/write-offs", {"invoice_id": invoice.pk, "amount": "10.01", "reason_code": "x"})
    # then
    assert response.status_code == 400
    assert error_of(response)["code"] == "over_settlement"
    assert not WriteOff.objects.exists()


def test_a_payment_is_recorded_in_the_customers_currency(clerk_api):
    # given
    customer = CustomerFactory(currency="USD")
    # when
    response = clerk_api.post("/payments", {"customer_id": customer.pk, "number": "P-9", "received_on": "2026-11-05",
                                            "amount": "99.5", "method": "ach", "bank_reference": "REF 1"})
    # then
    assert response.status_code == 201
    data = response.json()
    assert (data["currency"], data["amount"], data["unapplied_amount"]) == ("USD", "99.50", "99.50")
    assert data["applications"] == []
    assert Payment.objects.get().source == Source.API


def test_invoice_filters(admin_api):
    # given
    today = timezone.localdate()
    customer = CustomerFactory()
    overdue = InvoiceFactory(customer=customer, issue_date=today - timedelta(days=60),
                             due_date=today - timedelta(days=30), po_number="PO-1")
    current = InvoiceFactory(customer=customer, issue_date=today, due_date=today + timedelta(days=30))
    paid = InvoiceFactory(customer=customer, issue_date=today - timedelta(days=60),
                          due_date=today - timedelta(days=30), open_amount=Decimal(0))
    other = InvoiceFactory(currency="USD", customer=CustomerFactory(currency="USD"))

    def numbers(**params: object) -> set[str]:
        response = admin_api.get("/invoices", params)
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["items"]}

    # then
    assert numbers(status="overdue", customer=customer.pk) == {overdue.number}
    assert numbers(status="paid", customer=customer.pk) == {paid.number}
    assert numbers(status="open", customer=customer.pk) == {overdue.number, current.number}
    assert numbers(due_before=today.isoformat(), customer=customer.pk) == {overdue.number, paid.number}
    assert numbers(due_after=today.isoformat(), customer=customer.pk) == {current.number}
    assert numbers(currency="usd") == {other.number}
    assert numbers(po_number="PO-1") == {overdue.number}


def test_payment_and_credit_memo_filters(admin_api, clerk):
    # given
    customer = CustomerFactory()
    open_cash = PaymentFactory(customer=customer)
    used_cash = PaymentFactory(customer=customer, unapplied_amount=Decimal(0))
    memo = CreditMemoFactory(customer=customer)

    def numbers(path: str, **params: object) -> set[str]:
        return {row["number"] for row in admin_api.get(path, params).json()["items"]}

    # then
    assert numbers("/payments", unapplied="true") == {open_cash.number}
    assert numbers("/payments", unapplied="false") == {used_cash.number}
    assert numbers("/payments", customer=customer.pk, received_after="2026-10-31") == {open_cash.number,
                                                                                       used_cash.number}
    assert numbers("/credit-memos", unapplied="true", customer=customer.pk) == {memo.number}
