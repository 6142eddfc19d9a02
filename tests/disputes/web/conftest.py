"""A team with an analyst, a manager and a collector, a customer with a lined invoice, and one out of scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ardesk.customers.models import Customer
from ardesk.disputes import services
from ardesk.disputes.models import Dispute, Kind, ReasonCode
from ardesk.identity.models import User
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from ardesk.ledger.services import LineInput
from tests.factories import CustomerFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _pages_without_second_factor(settings):  # type: ignore[no-untyped-def]
    settings.ARDESK_REQUIRE_MFA = False
    settings.ARDESK_SEE_ALL_CUSTOMERS = False


@dataclass
class Desk:
    analyst: User
    colleague: User
    manager: User
    collector: User
    auditor: User
    customer: Customer
    invoice: Invoice
    hidden: Customer
    hidden_invoice: Invoice

    def raise_on(self, invoice: Invoice | None = None, amount: str = "40.00", **kwargs: object) -> Dispute:
        invoice = invoice or self.invoice
        return services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=self.analyst,
                                      items=[services.ItemInput(invoice=invoice, amount=Decimal(amount))],
                                      **kwargs)  # type: ignore[arg-type]

    def in_review(self, dispute: Dispute) -> Dispute:
        dispute = services.set_reason_code(dispute=dispute, reason_code=ReasonCode.objects.get(code="pricing"),
                                           by=self.analyst)
        return services.change_status(dispute=dispute, to="in_review", by=self.analyst)


@pytest.fixture
def desk(db) -> Desk:  # type: ignore[no-untyped-def]
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    analyst = UserFactory(username="dana", role="dispute_analyst", team=north, approval_limit=Decimal("100.00"))
    colleague = UserFactory(username="dirk", role="dispute_analyst", team=north, approval_limit=Decimal("100.00"))
    manager = UserFactory(username="mona", role="ar_manager", team=north, approval_limit=Decimal("10000.00"))
    north.manager = manager
    north.save()
    collector = UserFactory(username="colin", role="collector", team=north)
    auditor = UserFactory(username="aude", role="auditor")
    customer = CustomerFactory(name="Acme GmbH", number="C-ACME", team=north, collector=collector)
    hidden = CustomerFactory(name="Hidden Ltd", number="C-HID", team=south)
    today = timezone.localdate()
    invoice = ledger.book_invoice(
        customer=customer, number="INV-100", issue_date=today - timedelta(days=20), due_date=today + timedelta(days=10),
        currency="EUR", lines=[LineInput("SKU-1", "Widget", Decimal("10"), Decimal("12.50")),
                               LineInput("SKU-2", "Gadget", Decimal("4"), Decimal("25.00"))], by=analyst)
    hidden_invoice = ledger.book_invoice(
        customer=hidden, number="INV-900", issue_date=today - timedelta(days=20), due_date=today + timedelta(days=10),
        currency="EUR", amount=Decimal("300.00"), by=analyst)
    return Desk(analyst=analyst, colleague=colleague, manager=manager, collector=collector, auditor=auditor,
                customer=customer, invoice=invoice, hidden=hidden, hidden_invoice=hidden_invoice)


@pytest.fixture
def signed_in(client: Client):  # type: ignore[no-untyped-def]
    def _as(user: User) -> Client:
        client.force_login(user)
        return client

    return _as
