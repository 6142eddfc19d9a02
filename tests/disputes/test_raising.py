"""Raising disputes and deductions: segregation of disputed money, and the refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.disputes import rules
from ardesk.disputes.models import Dispute, DisputeItem, Kind
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.disputes.services import ItemInput, raise_deduction, raise_dispute
from ardesk.errors import Conflict, DomainError
from ardesk.ledger import services as ledger
from ardesk.ledger.queries import cache_mismatches
from ardesk.ledger.rules import UnrelatedCustomers
from ardesk.money import CurrencyMismatch
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _sound() -> None:
    assert cache_mismatches() == []
    assert disputed_cache_mismatches() == []


def test_disputing_part_of_an_invoice_takes_it_out_of_collectible_at_once(analyst, pricing):
    # given an invoice of 100 open
    invoice = InvoiceFactory(amount=D("100.00"))
    # when the customer disputes 30 of it
    dispute = raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, reason_code=pricing,
                            items=[ItemInput(invoice=invoice, amount=D("30.00"))],
                            description="the agreed price was lower", by=analyst)
    # then 30 is disputed and only 70 may be chased
    invoice.refresh_from_db()
    assert invoice.disputed_amount == D("30.00")
    assert invoice.collectible_amount == D("70.00")
    assert dispute.number.startswith("DSP-")
    assert dispute.status == "new" and dispute.amount == D("30.00") and dispute.currency == "EUR"
    assert dispute.department == "sales"  # the reason code's department
    assert (dispute.sla_due - dispute.raised_on).days == pricing.sla_days
    raised = AuditEvent.objects.get(verb="dispute.raised")
    assert raised.actor_id == analyst.pk and raised.subject_id == str(dispute.pk)
    assert raised.after["items"] == [{"invoice": invoice.number, "line": None, "amount": "30.00"}]
    moved = AuditEvent.objects.get(verb="invoice.disputed_amount_changed")
    assert moved.subject_id == str(invoice.pk) and D(moved.after["collectible_amount"]) == D("70.00")
    _sound()


def test_a_whole_invoice_dispute_defaults_to_what_is_collectible(analyst):
    invoice = InvoiceFactory(amount=D("100.00"), open_amount=D("80.00"), erp_settled_amount=D("20.00"))
    dispute = raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, items=[ItemInput(invoice=invoice)],
                            by=analyst)
    assert dispute.amount == D("80.00")


def test_a_line_dispute_costs_the_units_short_or_the_price_gap(analyst, lined_invoice):
    # given an invoice of 10 widgets at 12.50 and 4 gadgets at 25.00
    widget, gadget = lined_invoice.lines.order_by("line_no")
    # when the customer says 2 widgets are missing and gadgets were agreed at 22.50
    dispute = raise_dispute(customer=lined_invoice.customer, kind=Kind.LINES, by=analyst, items=[
        ItemInput(invoice=lined_invoice, line=widget, disputed_quantity=D("2")),
        ItemInput(invoice=lined_invoice, line=gadget, claimed_unit_price=D("22.50")),
    ])
    # then 25.00 + 10.00 is in dispute, line by line
    items = list(dispute.items.order_by("pk"))
    assert [i.amount for i in items] == [D("25.00"), D("10.00")]
    assert items[0].disputed_quantity == D("2") and items[1].claimed_unit_price == D("22.50")
    lined_invoice.refresh_from_db()
    assert lined_invoice.disputed_amount == D("35.00")
    _sound()


def test_a_line_of_another_invoice_is_refused(analyst, lined_invoice):
    other = InvoiceFactory(customer=lined_invoice.customer)
    with pytest.raises(DomainError, match="is not on invoice"):
        raise_dispute(customer=lined_invoice.customer, kind=Kind.LINES, by=analyst,
                      items=[ItemInput(invoice=other, line=lined_invoice.lines.first(), disputed_quantity=D("1"))])


def test_an_account_dispute_covers_every_collectible_invoice(analyst):
    customer = CustomerFactory()
    first = InvoiceFactory(customer=customer, amount=D("100.00"))
    second = InvoiceFactory(customer=customer, amount=D("50.00"), disputed_amount=D("20.00"))
    InvoiceFactory(customer=customer, amount=D("70.00"), open_amount=D("0"))  # paid
    InvoiceFactory(amount=D("999.00"))  # another customer's
    raise_dispute(customer=customer, kind=Kind.INVOICE, items=[ItemInput(invoice=second, amount=D("20.00"))],
                  by=analyst)
    dispute = raise_dispute(customer=customer, kind=Kind.ACCOUNT, by=analyst, confirm_duplicate=True,
                            description="we dispute the whole statement")
    assert sorted((i.invoice_id, i.amount) for i in dispute.items.all()) == [(first.pk, D("100.00")),
                                                                              (second.pk, D("30.00"))]
    assert dispute.amount == D("130.00")


def test_a_dispute_above_the_collectible_amount_is_refused_and_changes_nothing(analyst):
    invoice = InvoiceFactory(amount=D("100.00"))
    raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=analyst,
                  items=[ItemInput(invoice=invoice, amount=D("60.00"))])
    with pytest.raises(rules.OverDispute, match=r"only 40\.00 EUR is collectible"):
        raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=analyst, confirm_duplicate=True,
                      items=[ItemInput(invoice=invoice, amount=D("40.01"))])
    invoice.refresh_from_db()
    assert invoice.disputed_amount == D("60.00")
    assert Dispute.objects.count() == 1
    _sound()


def test_two_items_on_one_invoice_together_stay_within_what_is_collectible(analyst, lined_invoice):
    widget, gadget = lined_invoice.lines.order_by("line_no")
    ledger.write_off(invoice=lined_invoice, amount=D("200.00"), reason_code="small_balance", by=analyst)
    with pytest.raises(rules.OverDispute):
        raise_dispute(customer=lined_invoice.customer, kind=Kind.LINES, by=analyst, items=[
            ItemInput(invoice=lined_invoice, line=widget, disputed_quantity=D("1")),   # 12.50
            ItemInput(invoice=lined_invoice, line=gadget, disputed_quantity=D("1")),   # 25.00 > 12.50 left
        ])


def test_a_paid_invoice_cannot_be_disputed(analyst):
    invoice = InvoiceFactory(amount=D("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=D("100.00"))
    ledger.apply_payment(payment=payment, invoice=invoice, amount=D("100.00"), by=analyst)
    with pytest.raises(rules.NothingOpen, match="is paid"):
        raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=analyst,
                      items=[ItemInput(invoice=invoice, amount=D("10.00"))])
    assert not Dispute.objects.exists()


def test_another_customers_invoice_cannot_be_disputed(analyst):
    invoice = InvoiceFactory()
    with pytest.raises(DomainError, match="belongs to another customer") as raised:
        raise_dispute(customer=CustomerFactory(), kind=Kind.INVOICE, by=analyst, items=[ItemInput(invoice=invoice)])
    assert raised.value.field == "items[1].invoice"
    assert not Dispute.objects.exists()
    assert not AuditEvent.objects.filter(verb="dispute.raised").exists()


def test_invoices_in_two_currencies_cannot_share_a_dispute(analyst):
    customer = CustomerFactory()
    with pytest.raises(CurrencyMismatch):
        raise_dispute(customer=customer, kind=Kind.ACCOUNT, by=analyst, items=[
            ItemInput(invoice=InvoiceFactory(customer=customer)),
            ItemInput(invoice=InvoiceFactory(customer=customer, currency="USD")),
        ])


def test_a_likely_duplicate_is_flagged_until_confirmed(analyst):
    # given an open dispute on an invoice
    invoice = InvoiceFactory(amount=D("100.00"))
    first = raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=analyst,
                          items=[ItemInput(invoice=invoice, amount=D("10.00"))])
    # when a second one is raised on the same invoice
    with pytest.raises(rules.LikelyDuplicate) as raised:
        raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=analyst,
                      items=[ItemInput(invoice=invoice, amount=D("10.00"))])
    # then the raiser is told which one, and may confirm
    assert raised.value.numbers == [first.number]
    assert isinstance(raised.value, Conflict)
    second = raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=analyst, confirm_duplicate=True,
                           items=[ItemInput(invoice=invoice, amount=D("10.00"))])
    assert AuditEvent.objects.filter(verb="dispute.raised").last().after["duplicates_confirmed"] == [first.number]
    invoice.refresh_from_db()
    assert invoice.disputed_amount == D("20.00") and second.pk != first.pk


def test_a_deduction_holds_back_the_short_part_of_a_payment(clerk):
    # given an invoice of 100 paid with 90
    invoice = InvoiceFactory(amount=D("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=D("90.00"))
    ledger.apply_payment(payment=payment, invoice=invoice, amount=D("90.00"), by=clerk)
    # when cash application turns the 10 short into a deduction
    deduction = raise_deduction(payment=payment, invoice=invoice, amount=D("10.00"),
                                description="promo allowance taken", by=clerk)
    # then the 10 is disputed, not collectible, and the deduction names the payment
    invoice.refresh_from_db()
    assert invoice.collectible_amount == D("0.00") and invoice.disputed_amount == D("10.00")
    assert deduction.kind == "deduction" and deduction.payment_id == payment.pk
    assert deduction.channel == "cash_application"
    assert deduction.suggested_reason.code == "promotion"
    _sound()


def test_raising_the_same_deduction_twice_changes_nothing_the_second_time(clerk):
    invoice = InvoiceFactory(amount=D("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=D("90.00"))
    first = raise_deduction(payment=payment, invoice=invoice, amount=D("10.00"), by=clerk)
    events = AuditEvent.objects.count()
    again = raise_deduction(payment=payment, invoice=invoice, amount=D("10.00"), by=clerk)
    assert again.pk == first.pk and AuditEvent.objects.count() == events
    with pytest.raises(Conflict, match="already has open deduction"):
        raise_deduction(payment=payment, invoice=invoice, amount=D("12.00"), by=clerk)
    assert DisputeItem.objects.count() == 1


def test_a_stranger_payment_cannot_make_a_deduction(clerk):
    invoice = InvoiceFactory()
    with pytest.raises(UnrelatedCustomers):
        raise_deduction(payment=PaymentFactory(), invoice=invoice, amount=D("5.00"), by=clerk)


def test_a_description_names_a_suggested_reason_without_choosing_it(analyst):
    invoice = InvoiceFactory()
    dispute = raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, items=[ItemInput(invoice=invoice)],
                            description="The goods arrived damaged, two cartons crushed", by=analyst)
    assert dispute.reason_code is None  # the analyst's choice, still to make
    assert dispute.suggested_reason.code == "damaged_goods"
    assert dispute.suggestion_source == "keywords" and D(0) < dispute.suggestion_confidence <= 1
    assert dispute.department == "logistics"  # routed by the suggestion meanwhile
