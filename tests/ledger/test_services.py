from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.ledger import services
from ardesk.ledger.queries import cache_mismatches
from ardesk.ledger.rules import OverApplication, OverSettlement, UnrelatedCustomers
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def test_apply_payment_leaves_the_rest_open(clerk):
    # given
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("60.00"))
    # when
    services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("60.00"), by=clerk)
    # then
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.open_amount == Decimal("40.00")
    assert payment.unapplied_amount == Decimal("0.00")
    event = AuditEvent.objects.get(verb="payment.applied")
    assert event.actor_id == clerk.pk
    assert Decimal(event.after["open_amount"]) == Decimal("40.00")
    assert cache_mismatches() == []


def test_payment_cannot_be_applied_beyond_its_amount(clerk):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("30.00"))
    with pytest.raises(OverApplication):
        services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("30.01"), by=clerk)
    assert not AuditEvent.objects.exists()


def test_invoice_cannot_be_settled_beyond_its_open_amount(clerk):
    invoice = InvoiceFactory(amount=Decimal("10.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("30.00"))
    with pytest.raises(OverSettlement):
        services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("10.01"), by=clerk)


def test_parent_may_pay_for_its_subsidiary_but_not_a_stranger(clerk):
    parent = CustomerFactory()
    child = CustomerFactory(parent=parent)
    stranger = CustomerFactory()
    invoice = InvoiceFactory(customer=child)
    services.apply_payment(payment=PaymentFactory(customer=parent), invoice=invoice,
                           amount=Decimal("10.00"), by=clerk)
    with pytest.raises(UnrelatedCustomers):
        services.apply_payment(payment=PaymentFactory(customer=stranger), invoice=invoice,
                               amount=Decimal("10.00"), by=clerk)


def test_reversal_restores_both_sides_and_keeps_the_original(clerk):
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("100.00"))
    application = services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("70.00"), by=clerk)
    services.reverse_application(application=application, reason="applied to the wrong invoice", by=clerk)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.open_amount == Decimal("100.00")
    assert payment.unapplied_amount == Decimal("100.00")
    assert invoice.applications.count() == 2
    assert cache_mismatches() == []
