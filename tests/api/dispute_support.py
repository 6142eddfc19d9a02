"""People and documents the dispute API tests share: a team, its analysts and manager, and its invoices.

Import the fixtures a test module uses from here (pytest finds fixtures in the module's namespace).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ardesk.audit.services import SYSTEM
from ardesk.customers.models import Customer
from ardesk.identity.models import Team
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from ardesk.ledger.services import LineInput
from tests.factories import CustomerFactory, TeamFactory, UserFactory

D = Decimal
# The fixtures a test module takes with `from tests.api.dispute_support import *` (the helpers it imports by name).
__all__ = ["analyst", "approver", "customer", "invoice", "lined_invoice", "north", "second_analyst",
           "stranger"]


@pytest.fixture
def north(db: Any) -> Any:
    return TeamFactory(name="North")


@pytest.fixture
def analyst(north: Team) -> Any:
    """A dispute analyst of the North team who may write off up to 100 alone."""
    return UserFactory(username="dana", role="dispute_analyst", team=north, approval_limit=D("100.00"))


@pytest.fixture
def second_analyst(north: Team) -> Any:
    return UserFactory(username="dirk", role="dispute_analyst", team=north, approval_limit=D("100.00"))


@pytest.fixture
def approver(north: Team) -> Any:
    """The North team's AR manager, with a limit high enough for what analysts may not write off alone."""
    user: Any = UserFactory(username="mona", role="ar_manager", team=north, approval_limit=D("10000.00"))
    north.manager = user
    north.save()
    return user


@pytest.fixture
def customer(north: Team) -> Any:
    return CustomerFactory(number="N-100", name="Northwind", team=north)


@pytest.fixture
def stranger(db: Any) -> Any:
    """A customer of another team: North's people must not see it."""
    return CustomerFactory(number="S-100", name="Southside", team=TeamFactory(name="South"))


def book(customer: Customer, number: str, amount: str = "500.00", *, lines: list[LineInput] | None = None) -> Invoice:
    return ledger.book_invoice(customer=customer, number=number, issue_date=date(2026, 10, 1),
                               due_date=date(2026, 10, 31), currency=customer.currency,
                               amount=None if lines else D(amount), lines=lines, by=SYSTEM)


@pytest.fixture
def invoice(customer: Customer) -> Invoice:
    return book(customer, "N-INV-1")


@pytest.fixture
def lined_invoice(customer: Customer) -> Invoice:
    """10 × 12.50 and 4 × 25.00: 225.00 without tax."""
    return book(customer, "N-INV-L", lines=[LineInput("SKU-1", "Widget", D("10"), D("12.50")),
                                            LineInput("SKU-2", "Gadget", D("4"), D("25.00"))])


def raised(api: Any, invoice: Invoice, amount: str = "100.00", **extra: Any) -> dict[str, Any]:
    """Raise a dispute on `invoice` over the API and return its body (asserting it was created)."""
    body = {"kind": "invoice", "items": [{"invoice_id": invoice.pk, "amount": amount}],
            "description": "the unit price is higher than agreed in the contract", **extra}
    response = api.post("/disputes", body)
    assert response.status_code == 201, response.content
    return dict(response.json())
