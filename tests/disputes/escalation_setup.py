"""What the escalation tests share: a team with its manager, an owned dispute, a small deduction, an SMTP server.

Import the fixtures into a test module (`from tests.disputes.escalation_setup import *`-style, by name).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ardesk.customers.models import Customer
from ardesk.disputes.models import Dispute, ReasonCode, RootCause
from ardesk.disputes.services import ItemInput, raise_deduction, raise_dispute
from ardesk.identity.models import Team, User
from ardesk.ledger import services as ledger
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory, UserFactory

D = Decimal


@dataclass
class Desk:
    manager: User
    analyst: User
    customer: Customer
    team: Team


@pytest.fixture
def desk(db: Any) -> Desk:
    """Team North managed by Mona (approval limit 1,000), analyst Dana in it, a retail customer of the team."""
    manager = UserFactory(username="mona", role="ar_manager", email="mona@example.com",
                          approval_limit=D("1000.00"))
    team = Team.objects.create(name="North", manager=manager)
    analyst = UserFactory(username="dana", role="dispute_analyst", email="dana@example.com", team=team,
                          approval_limit=D("100.00"))
    manager.team = team
    manager.save(update_fields=["team"])
    customer = CustomerFactory(team=team, segment="retail")
    return Desk(manager=manager, analyst=analyst, customer=customer, team=team)


def open_dispute(desk: Desk, *, amount: str = "500.00", reason: str | None = "pricing",
                 customer: Customer | None = None) -> Dispute:
    """A dispute on a fresh invoice of the customer, owned by the analyst."""
    invoice = InvoiceFactory(customer=customer or desk.customer, amount=D("1000.00"))
    return raise_dispute(customer=customer or desk.customer, kind="invoice",
                         items=[ItemInput(invoice=invoice, amount=D(amount))],
                         reason_code=ReasonCode.objects.get(code=reason) if reason else None,
                         owner=desk.analyst, confirm_duplicate=True, by=desk.analyst)


def short_payment(desk: Desk, *, short: str = "8.00", reason: str | None = "promotion") -> Dispute:
    """A deduction: an invoice of 100 paid with 100 − `short`, the rest raised by cash application."""
    invoice = InvoiceFactory(customer=desk.customer, amount=D("100.00"))
    paid = D("100.00") - D(short)
    payment = PaymentFactory(customer=desk.customer, amount=paid)
    ledger.apply_payment(payment=payment, invoice=invoice, amount=paid, by=desk.analyst)
    return raise_deduction(payment=payment, invoice=invoice, amount=D(short),
                           reason_code=ReasonCode.objects.get(code=reason) if reason else None, by=desk.analyst)


def root_cause() -> RootCause:
    return RootCause.objects.get(code="customer_error")


@dataclass
class Inbox:
    """Messages a real SMTP server received."""

    host: str
    port: int
    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a free local port, with Django's mail pointed at it."""
    inbox = Inbox("127.0.0.1", _free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = inbox.host, inbox.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.ARDESK_LEGAL_EMAIL = "legal@example.com"
    try:
        yield inbox
    finally:
        controller.stop()
