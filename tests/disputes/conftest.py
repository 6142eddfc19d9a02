"""People and documents the dispute tests share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ardesk.disputes.models import ReasonCode, RootCause
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from ardesk.ledger.services import LineInput
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def analyst(db):  # type: ignore[no-untyped-def]
    """A dispute analyst who may write off up to 100 (company currency) alone."""
    return UserFactory(username="dana", role="dispute_analyst", approval_limit=Decimal("100.00"))


@pytest.fixture
def second_analyst(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="dirk", role="dispute_analyst", approval_limit=Decimal("100.00"))


@pytest.fixture
def approver(db):  # type: ignore[no-untyped-def]
    """An AR manager with a limit high enough for the write-offs analysts may not book alone."""
    return UserFactory(username="mona", role="ar_manager", approval_limit=Decimal("10000.00"))


@pytest.fixture
def pricing(db) -> ReasonCode:  # type: ignore[no-untyped-def]
    return ReasonCode.objects.get(code="pricing")


@pytest.fixture
def pricing_error(db) -> RootCause:  # type: ignore[no-untyped-def]
    return RootCause.objects.get(code="pricing_error")


@pytest.fixture
def lined_invoice(analyst) -> Invoice:  # type: ignore[no-untyped-def]
    """An invoice of 10 × 12.50 and 4 × 25.00 (net 225.00, no tax), booked through the ledger."""
    return ledger.book_invoice(
        customer=CustomerFactory(), number="INV-LINES-1", issue_date=date(2026, 10, 1), due_date=date(2026, 10, 31),
        currency="EUR", lines=[LineInput("SKU-1", "Widget", Decimal("10"), Decimal("12.50")),
                               LineInput("SKU-2", "Gadget", Decimal("4"), Decimal("25.00"))], by=analyst)
