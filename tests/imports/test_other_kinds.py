"""Contacts, invoice lines, credit memos, payments and FX rates: each on its own natural key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.customers.models import Contact
from ardesk.imports.report import Status
from ardesk.ledger import services as ledger
from ardesk.ledger.models import CreditMemo, FxRate, InvoiceLine, Payment
from ardesk.ledger.queries import cache_mismatches
from tests.factories import CustomerFactory, InvoiceFactory
from tests.imports.conftest import csv

pytestmark = pytest.mark.django_db


def test_contacts_match_on_customer_and_email_whatever_its_case(run, write):
    customer = CustomerFactory(number="C1")
    Contact.objects.create(customer=customer, name="Ann", email="Ann@Example.com")
    header = "customer_number,name,email,phone,role,preferred_channel,is_primary"
    report = run("contacts", write("c.csv", csv(header, "C1,Ann Lee,ann@example.com,+49 30 1,Accounts payable,,yes",
                                                "C1,Bob,bob@example.com,,,phone,")))
    assert (report.created, report.updated) == (1, 1)
    ann = Contact.objects.get(email="Ann@Example.com")
    assert (ann.name, ann.phone, ann.role, ann.is_primary, ann.version) == (
        "Ann Lee", "+49 30 1", "accounts_payable", True, 2)
    bob = Contact.objects.get(email="bob@example.com")
    assert (bob.role, bob.preferred_channel) == ("billing", "phone")


def test_invoice_lines_are_priced_in_their_invoice_currency(run, write):
    InvoiceFactory(number="I1", customer=CustomerFactory(currency="JPY"), currency="JPY", amount=Decimal("1000"))
    InvoiceFactory(number="I2", amount=Decimal("10"))
    header = "invoice_number,line_no,sku,description,quantity,unit_price,tax_amount"
    report = run("invoice-lines", write("l.csv", csv(header, "I1,1,A-1,Widget,3,333.5,0", "I2,1,B,,1.5,3.3333,0.53",
                                                     "I2,2,B,,1,1,")))
    assert report.created == 3
    assert InvoiceLine.objects.get(invoice__number="I1").amount == Decimal("1001")  # 1000.5 rounds half up
    assert InvoiceLine.objects.get(invoice__number="I2", line_no=1).amount == Decimal("5.00")
    again = run("invoice-lines", write("l2.csv", csv(header, "I2,1,B,,2,3.3333,0.53")))
    assert (again.updated, InvoiceLine.objects.get(invoice__number="I2", line_no=1).amount) == (1, Decimal("6.67"))


def test_invoice_line_tax_must_fit_the_invoice_currency_and_the_invoice_must_exist(run, write):
    InvoiceFactory(number="I1", customer=CustomerFactory(currency="JPY"), currency="JPY", amount=Decimal("1000"))
    header = "invoice_number,line_no,quantity,unit_price,tax_amount"
    report = run("invoice-lines", write("l.csv", csv(header, "I1,1,1,100,10.5", "I9,1,1,1,0")))
    assert [(r.row, r.column, r.reason) for r in report.rejections] == [
        (2, "tax_amount", "10.5 has more than 0 decimal place(s), the minor unit of JPY"),
        (3, "invoice_number", "no invoice I9 in ardesk")]


def test_payments_arrive_unapplied_and_may_change_until_applied(run, write, admin_user):
    customer = CustomerFactory(number="C1")
    header = "payment_number,customer_number,received_on,currency,amount,method,bank_reference"
    report = run("payments", write("p.csv", csv(header, "P1,C1,2026-11-02,EUR,250.00,SEPA,REF 1")))
    payment = Payment.objects.get(number="P1")
    assert (report.created, payment.unapplied_amount, payment.method, payment.source) == (
        1, Decimal("250"), "sepa", "import")
    # a descriptive change and an amount change before any application: both allowed
    report = run("payments", write("p2.csv", csv(header, "P1,C1,2026-11-02,EUR,200.00,SEPA,REF 1 corrected")))
    payment.refresh_from_db()
    assert (report.updated, payment.amount, payment.unapplied_amount, payment.bank_reference) == (
        1, 200, 200, "REF 1 corrected")
    # once applied, the amount is fixed but the description may still change
    ledger.apply_payment(payment=payment, invoice=InvoiceFactory(customer=customer, amount=Decimal("50")),
                         amount=Decimal("50"), by=admin_user)
    refused = run("payments", write("p3.csv", csv(header, "P1,C1,2026-11-02,EUR,210.00,SEPA,REF 1 corrected")))
    assert [(r.column, r.reason) for r in refused.rejections] == [
        ("amount", "cannot change the amount from 200.00 to 210.00: the payment already has applications")]
    renamed = run("payments", write("p4.csv", csv(header, "P1,C1,2026-11-02,EUR,200.00,wire,REF 1 final")))
    payment.refresh_from_db()
    assert (renamed.updated, payment.method, payment.unapplied_amount) == (1, "wire", 150)
    assert cache_mismatches() == []


def test_credit_memos_arrive_unapplied_and_must_share_their_invoice_currency(run, write):
    customer = CustomerFactory(number="C1")
    InvoiceFactory(number="I1", customer=customer, amount=Decimal("100"))
    InvoiceFactory(number="I2", customer=CustomerFactory(currency="USD"), currency="USD")
    header = "credit_memo_number,customer_number,issue_date,currency,amount,reason,invoice_number"
    refused = run("credit-memos", write("m.csv", csv(header, "M1,C1,2026-11-03,EUR,20.00,damaged,I2")))
    assert [(r.column, r.reason) for r in refused.rejections] == [
        ("invoice_number", "invoice I2 is in USD; the credit memo is in EUR")]
    report = run("credit-memos", write("m2.csv", csv(header, "M1,C1,2026-11-03,EUR,20.00,damaged,I1")))
    memo = CreditMemo.objects.get(number="M1")
    assert (report.created, memo.unapplied_amount, memo.invoice.number, memo.reason) == (1, 20, "I1", "damaged")


def test_fx_rates_are_keyed_by_currency_and_day(run, write):
    header = "currency,rate_date,rate"
    run("fx-rates", write("r.csv", csv(header, "usd,2026-11-02,0.9123456789", "GBP,2026-11-02,1.15")))
    report = run("fx-rates", write("r2.csv", csv(header, "USD,2026-11-02,0.92", "GBP,2026-11-02,1.15",
                                                 "CHF,2026-11-02,0")))
    assert [(r.row, r.column, r.reason) for r in report.rejections] == [(4, "rate", "must be greater than zero")]
    report = run("fx-rates", write("r3.csv", csv(header, "USD,2026-11-02,0.92", "GBP,2026-11-02,1.15")))
    assert (report.status, report.updated, report.unchanged) == (Status.APPLIED, 1, 1)
    assert FxRate.objects.get(currency="USD", rate_date=date(2026, 11, 2)).rate == Decimal("0.92")
    event = AuditEvent.objects.get(verb="fx_rate.changed")
    assert (event.before, event.after) == ({"rate": "0.9123456789"}, {"rate": "0.9200000000"})
