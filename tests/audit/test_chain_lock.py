"""The audit chain's lock is held to the commit: a transaction must not take row locks after it, or two
writers meet in a deadlock. Deferred foreign-key checks are such locks, so `record` runs them first."""

from __future__ import annotations

import os
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ardesk.audit import services
from ardesk.audit.models import AuditEvent
from ardesk.ledger.models import Invoice, InvoiceLine
from tests.factories import InvoiceFactory

pytestmark = [
    pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""),
                       reason="row locks need PostgreSQL: run with DATABASE_URL=postgres://…"),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_row_written_before_an_audit_event_does_not_deadlock_with_a_holder_of_the_row_it_points_at():
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    errors: list[BaseException] = []
    holding = threading.Event()

    def holder() -> None:  # locks the invoice, then wants the chain
        try:
            with transaction.atomic():
                Invoice.objects.select_for_update().get(pk=invoice.pk)
                holding.set()
                time.sleep(0.4)
                services.record(actor=services.SYSTEM, verb="test.held", subject=invoice)
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    def writer() -> None:  # writes a line of the invoice (its key checked at the latest at the commit), then audits
        try:
            holding.wait(5)
            with transaction.atomic():
                InvoiceLine.objects.create(invoice_id=invoice.pk, line_no=1, sku="A", quantity=Decimal(1),
                                           unit_price=Decimal(10), amount=Decimal(10))
                services.record(actor=services.SYSTEM, verb="test.written", subject=invoice)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 1
    assert set(AuditEvent.objects.filter(verb__startswith="test.").values_list("verb", flat=True)) == {
        "test.held", "test.written"}

