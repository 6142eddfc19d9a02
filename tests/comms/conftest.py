"""A customer who writes to us, another whose invoice must not be confused with it, and a real SMTP server."""

from __future__ import annotations

import importlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from django.apps import apps

from ardesk.audit.services import SYSTEM
from ardesk.comms.models import MessageTemplate
from ardesk.customers.models import Contact, Customer
from ardesk.disputes import services as disputes
from ardesk.disputes.models import Dispute
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from tests.factories import UserFactory

MAIL = Path(__file__).parent / "mail"
_seed_templates = importlib.import_module("ardesk.comms.migrations.0002_seed_templates")


def eml(name: str, **values: str) -> bytes:
    """A fixture mail; `values` fill its %(name)s placeholders (a reply names the message it answers)."""
    raw = (MAIL / name).read_bytes()
    return (raw.decode("utf-8") % values).encode("utf-8") if values else raw


@pytest.fixture(autouse=True)
def _seeded(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> None:
    # Templates come from a data migration; a transactional test earlier in the run empties them (the dispute
    # catalogues are put back by tests/conftest.py).
    settings.ARDESK_FILES_DIR = tmp_path / "files"
    settings.DEFAULT_FROM_EMAIL = "ar@ardesk.localhost"
    settings.ARDESK_MAIL_DOMAIN = "ardesk.test"
    if request.node.get_closest_marker("django_db") is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
        if not MessageTemplate.objects.exists():
            _seed_templates.seed(apps, None)


@dataclass
class Company:
    acme: Customer
    sue: Contact
    inv_1001: Invoice
    inv_1002: Invoice
    globex: Customer
    glx_9001: Invoice


@pytest.fixture
def company(db: Any) -> Company:
    """ACME Foods (contacts at acme-foods.example, invoices ACME-INV-1001 of 500.00 and -1002 of 300.00) and
    Globex (invoice GLX-9001)."""
    acme = Customer.objects.create(number="C-ACME", name="ACME Foods", currency="EUR")
    sue = Contact.objects.create(customer=acme, name="Sue Baker", email="sue@acme-foods.example", is_primary=True)
    globex = Customer.objects.create(number="C-GLX", name="Globex", currency="EUR")
    Contact.objects.create(customer=globex, name="Bob", email="bob@globex.example")

    def invoice(customer: Customer, number: str, amount: str) -> Invoice:
        return ledger.book_invoice(customer=customer, number=number, issue_date=date(2026, 10, 1),
                                   due_date=date(2026, 10, 31), currency="EUR", amount=Decimal(amount), by=SYSTEM)

    return Company(acme=acme, sue=sue, inv_1001=invoice(acme, "ACME-INV-1001", "500.00"),
                   inv_1002=invoice(acme, "ACME-INV-1002", "300.00"), globex=globex,
                   glx_9001=invoice(globex, "GLX-9001", "90.00"))


@pytest.fixture
def analyst(db: Any) -> Any:
    return UserFactory(username="dana", role="dispute_analyst", first_name="Dana", last_name="Reyes")


@pytest.fixture
def dispute(company: Company, analyst: Any) -> Dispute:
    """An open dispute of ACME on all of ACME-INV-1001 (500.00)."""
    return disputes.raise_dispute(customer=company.acme, kind="invoice", description="price is wrong",
                                  items=[disputes.ItemInput(invoice=company.inv_1001)], by=analyst)


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    port: int
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = cast(EmailMessage, message_from_bytes(envelope.content, policy=policy.default))
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free port; Django sends to it over its SMTP backend."""
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD, settings.EMAIL_USE_TLS = "", "", False
    try:
        yield server
    finally:
        controller.stop()
