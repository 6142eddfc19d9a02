"""Importing invoices: ERP settlement, open amounts kept right, and what ardesk's own entries forbid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.imports.models import ImportBatch
from ardesk.imports.report import Status
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from ardesk.ledger.queries import cache_mismatches
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory
from tests.imports.conftest import csv

pytestmark = pytest.mark.django_db

HEADER = "invoice_number,customer_number,issue_date,due_date,currency,amount,open_amount,tax_amount,po_number"


@pytest.fixture
def customers(db):  # type: ignore[no-untyped-def]
    return CustomerFactory(number="C1", currency="EUR"), CustomerFactory(number="C2", currency="EUR")


def test_open_amount_from_the_erp_becomes_the_erp_settlement(run, write, customers):
    # given one invoice partly paid in the ERP and one fully open (blank open_amount)
    path = write("invoices.csv", csv(HEADER, "I1,C1,2026-01-01,2026-01-31,EUR,1.190,00,190.00,190.00,PO-7",
                                     "I2,C2,01.02.2026,03.03.2026,EUR,100,,0,"))
    path.write_text(path.read_text().replace("1.190,00", '"1.190,00"'))
    # when
    report = run("invoices", path)
    # then
    assert (report.status, report.created) == (Status.APPLIED, 2)
    i1, i2 = Invoice.objects.get(number="I1"), Invoice.objects.get(number="I2")
    assert (i1.amount, i1.erp_settled_amount, i1.open_amount, i1.tax_amount) == (
        Decimal("1190"), Decimal("1000"), Decimal("190"), Decimal("190"))
    assert i1.erp_settled_on == timezone.localdate() and i1.source == "import" and i1.po_number == "PO-7"
    assert (i2.erp_settled_amount, i2.open_amount, i2.erp_settled_on, i2.issue_date) == (
        0, Decimal("100"), None, date(2026, 2, 1))
    assert cache_mismatches() == []


def test_the_same_invoice_file_twice_changes_nothing(run, write, customers):
    path = write("i.csv", csv(HEADER, "I1,C1,2026-01-01,2026-01-31,EUR,100.00,40.00,,"))
    run("invoices", path)
    events = AuditEvent.objects.count()
    report = run("invoices", path)
    assert (report.status, report.unchanged, report.updated) == (Status.UNCHANGED, 1, 0)
    assert AuditEvent.objects.count() == events and ImportBatch.objects.count() == 1


def test_an_amount_change_keeps_what_ardesk_has_applied(run, write, customers, admin_user):
    # given an imported invoice with 30 applied in ardesk
    run("invoices", write("i.csv", csv(HEADER, "I1,C1,2026-01-01,2026-01-31,EUR,100.00,100.00,,")))
    invoice = Invoice.objects.get(number="I1")
    ledger.apply_payment(payment=PaymentFactory(customer=customers[0], amount=Decimal("30")), invoice=invoice,
                         amount=Decimal("30"), by=admin_user)
    # when the ERP raises the amount to 120 and says 120 are open there
    report = run("invoices", write("i2.csv", csv(HEADER, "I1,C1,2026-01-01,2026-01-31,EUR,120.00,120.00,,")))
    # then
    assert (report.updated, report.created) == (1, 0)
    invoice.refresh_from_db()
    assert (invoice.amount, invoice.erp_settled_amount, invoice.open_amount) == (120, 0, 90)
    change = AuditEvent.objects.get(verb="invoice.changed")
    assert change.before == {"amount": "100.000", "open_amount": "70.000"}
    assert change.after == {"amount": "120.000", "open_amount": "90.000"}
    assert cache_mismatches() == []


def test_a_row_that_would_leave_a_negative_open_amount_is_refused(run, write, customers, admin_user):
    invoice = InvoiceFactory(number="I1", customer=customers[0], amount=Decimal("100"))
    ledger.apply_payment(payment=PaymentFactory(customer=customers[0], amount=Decimal("80")), invoice=invoice,
                         amount=Decimal("80"), by=admin_user)
    report = run("invoices", write("i.csv", csv(HEADER, "I1,C1,2026-10-01,2026-10-31,EUR,100.00,50.00,,")))
    [rejection] = report.rejections
    assert (rejection.row, rejection.column, rejection.value) == (2, "open_amount", "50.00")
    assert rejection.reason == ("would leave -30.00 open: ardesk has already settled 80.00 of this invoice "
                                "(applications and write-offs)")
    invoice.refresh_from_db()
    assert invoice.open_amount == 20


def test_without_an_open_amount_column_the_erp_settlement_is_kept(run, write, customers):
    run("invoices", write("i.csv", csv(HEADER, "I1,C1,2026-01-01,2026-01-31,EUR,100.00,60.00,,")))
    report = run("invoices", write("i2.csv", csv("invoice_number,customer_number,issue_date,due_date,currency,amount",
                                                 "I1,C1,2026-01-01,2026-02-28,EUR,100.00")))
    assert report.updated == 1
    invoice = Invoice.objects.get(number="I1")
    assert (invoice.erp_settled_amount, invoice.open_amount, invoice.due_date) == (40, 60, date(2026, 2, 28))


def test_customer_and_currency_cannot_move_once_money_is_applied(run, write, customers, admin_user):
    invoice = InvoiceFactory(number="I1", customer=customers[0], amount=Decimal("100"))
    ledger.apply_payment(payment=PaymentFactory(customer=customers[0], amount=Decimal("10")), invoice=invoice,
                         amount=Decimal("10"), by=admin_user)
    report = run("invoices", write("i.csv", csv("invoice_number,customer_number,issue_date,due_date,currency,amount",
                                                "I1,C2,2026-10-01,2026-10-31,USD,100.00")))
    assert [(r.column, r.reason) for r in report.rejections] == [
        ("customer_number", "cannot change the customer from C1 to C2: the invoice already has applications"),
        ("currency", "cannot change the currency from EUR to USD: the invoice already has applications")]


def test_a_customer_may_move_while_nothing_is_applied(run, write, customers):
    InvoiceFactory(number="I1", customer=customers[0], amount=Decimal("100"))
    report = run("invoices", write("i.csv", csv("invoice_number,customer_number,issue_date,due_date,currency,amount",
                                                "I1,C2,2026-10-01,2026-10-31,EUR,100.00")))
    assert report.updated == 1 and Invoice.objects.get(number="I1").customer == customers[1]


def test_one_bad_row_rejects_the_whole_file_naming_row_column_value_and_reason(run, write, customers):
    # given two good rows around bad ones
    path = write("i.csv", csv(HEADER,
                              "I1,C1,2026-01-01,2026-01-31,EUR,100.00,,,",
                              "I2,C9,2026-01-01,2025-12-31,EUR,12.345,,,",
                              "I1,C2,2026-01-01,2026-01-31,EUR,5.00,,,",
                              "I3,C1,2026-01-01,2026-01-31,EUR,10.00,11.00,,"))
    # when
    report = run("invoices", path)
    # then nothing is written and every problem is named
    assert report.status == Status.REJECTED and not Invoice.objects.exists() and not AuditEvent.objects.exists()
    assert [(r.row, r.column, r.value, r.reason) for r in report.rejections] == [
        (3, "customer_number", "C9", "no customer C9 in ardesk"),
        (3, "due_date", "2025-12-31", "is before the issue date 2026-01-01"),
        (3, "amount", "12.345", "12.345 has more than 2 decimal place(s), the minor unit of EUR"),
        (4, "invoice_number", "I1", "invoice I1 appears more than once in the file: first in row 2"),
        (5, "open_amount", "11.00", "cannot be more than the amount 10.00"),
    ]
    assert (report.rejected, report.rejection_count, report.created) == (3, 5, 0)


def test_rejections_are_capped_in_the_list_but_all_counted(run, write, customers):
    rows = [f"I{n},NOPE,2026-01-01,2026-01-31,EUR,1.00,,," for n in range(1500)]
    report = run("invoices", write("i.csv", csv(HEADER, *rows)))
    assert (report.rejection_count, report.rejected, len(report.rejections)) == (1500, 1500, 1000)
    assert report.rejections[0].row == 2 and report.rejections[-1].row == 1001 and report.truncated


def test_a_dry_run_counts_but_writes_nothing(run, write, customers):
    InvoiceFactory(number="I1", customer=customers[0], amount=Decimal("100"))
    report = run("invoices", write("i.csv", csv(HEADER, "I1,C1,2026-10-01,2026-10-31,EUR,90.00,,,",
                                                "I2,C1,2026-10-01,2026-10-31,EUR,10.00,,,")), dry_run=True)
    assert (report.status, report.created, report.updated, report.batch_id) == (Status.DRY_RUN, 1, 1, None)
    assert Invoice.objects.count() == 1 and Invoice.objects.get().amount == 100
    assert not AuditEvent.objects.exists() and not ImportBatch.objects.exists()
