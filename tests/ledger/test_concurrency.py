"""Clerks racing on the same money with real PostgreSQL connections: nothing is over-applied, nothing deadlocks."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from ardesk.audit.models import AuditEvent
from ardesk.audit.queries import verify_chain
from ardesk.identity.models import User
from ardesk.ledger import services
from ardesk.ledger.models import Application, Invoice, Payment, WriteOff
from ardesk.ledger.queries import cache_mismatches
from ardesk.ledger.rules import AlreadyReversed, OverApplication, OverSettlement
from tests.factories import CreditMemoFactory, CustomerFactory, InvoiceFactory, PaymentFactory
from tests.ledger.racing import race

THREADS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks need PostgreSQL: SQLite serialises every writer, so there is no race to "
                              "prove (run with DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True),
]


def assert_ledger_sound(expected_events: int) -> None:
    assert cache_mismatches() == []
    assert verify_chain() == (expected_events, [])


def test_one_payment_raced_onto_twenty_invoices_is_never_over_applied(clerk: User) -> None:
    # given 100.00 of cash and twenty invoices, each clerk applying 7.00 of it to their own invoice
    customer = CustomerFactory()
    payment = PaymentFactory(customer=customer, amount=Decimal("100.00"))
    invoices = [InvoiceFactory(customer=customer, amount=Decimal("10.00")) for _ in range(THREADS)]

    def apply_to(invoice: Invoice) -> Callable[[], Any]:
        return lambda: services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("7.00"), by=clerk)

    # when they all press the button at once
    outcome = race([apply_to(invoice) for invoice in invoices])
    # then exactly the fourteen that fit in 100.00 went through and the rest were refused as over-application
    assert outcome.crashed == []
    assert len(outcome.succeeded) == 14
    assert len(outcome.refused) == 6 and all(isinstance(r, OverApplication) for r in outcome.refused)
    payment.refresh_from_db()
    assert payment.unapplied_amount == Decimal("2.00")
    assert Application.objects.aggregate(total=Sum("amount"))["total"] == Decimal("98.00")
    assert Invoice.objects.filter(open_amount=Decimal("3.00")).count() == 14
    assert_ledger_sound(expected_events=14)


def test_twenty_payments_raced_onto_one_invoice_never_over_settle_it(clerk: User) -> None:
    # given an invoice of 100.00 and twenty payments of 30.00, each clerk applying a whole payment to it
    customer = CustomerFactory()
    invoice = InvoiceFactory(customer=customer, amount=Decimal("100.00"))
    payments = [PaymentFactory(customer=customer, amount=Decimal("30.00")) for _ in range(THREADS)]

    def apply_from(payment: Payment) -> Callable[[], Any]:
        return lambda: services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("30.00"), by=clerk)

    # when
    outcome = race([apply_from(payment) for payment in payments])
    # then three fit, seventeen are refused as over-settlement
    assert outcome.crashed == []
    assert len(outcome.succeeded) == 3
    assert len(outcome.refused) == 17 and all(isinstance(r, OverSettlement) for r in outcome.refused)
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("10.00")
    assert Payment.objects.filter(unapplied_amount=0).count() == 3
    assert_ledger_sound(expected_events=3)


def test_two_clerks_reversing_the_same_application_one_wins(clerk: User, collector: User) -> None:
    # given five applications, each to be reversed by two people at the same instant
    customer = CustomerFactory()
    payment = PaymentFactory(customer=customer, amount=Decimal("50.00"))
    invoice = InvoiceFactory(customer=customer, amount=Decimal("50.00"))
    applications = [services.apply_payment(payment=payment, invoice=invoice, amount=Decimal("10.00"), by=clerk)
                    for _ in range(5)]
    for application in applications:
        # when
        outcome = race([
            lambda app=application, who=who: services.reverse_application(
                application=app, reason="applied twice", by=who)
            for who in (clerk, collector)
        ])
        # then exactly one reversal is booked; the other clerk is told it was already reversed
        assert outcome.crashed == []
        assert len(outcome.succeeded) == 1
        assert [type(r) for r in outcome.refused] == [AlreadyReversed]
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.unapplied_amount, invoice.open_amount) == (Decimal("50.00"), Decimal("50.00"))
    assert Application.objects.filter(reverses__isnull=False).count() == 5
    assert_ledger_sound(expected_events=10)


def test_two_clerks_reversing_the_same_write_off_one_wins(clerk: User, collector: User) -> None:
    invoice = InvoiceFactory(amount=Decimal("20.00"))
    entry = services.write_off(invoice=invoice, amount=Decimal("20.00"), reason_code="bad_debt", by=clerk)
    outcome = race([lambda who=who: services.reverse_write_off(entry=entry, reason="customer paid after all", by=who)
                    for who in (clerk, collector)])
    assert outcome.crashed == []
    assert len(outcome.succeeded) == 1 and [type(r) for r in outcome.refused] == [AlreadyReversed]
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("20.00")
    assert_ledger_sound(expected_events=2)


@pytest.mark.slow
def test_a_storm_of_mixed_work_on_shared_documents_stays_sound_and_never_deadlocks(clerk: User) -> None:
    # given a group (parent pays for its subsidiary) with a few documents everybody works on
    parent = CustomerFactory()
    child = CustomerFactory(parent=parent)
    invoices = [InvoiceFactory(customer=owner, amount=Decimal("120.00")) for owner in (parent, parent, child, child)]
    payments = [PaymentFactory(customer=parent, amount=Decimal("150.00")) for _ in range(2)]
    memo = CreditMemoFactory(customer=parent, amount=Decimal("80.00"))
    booked: list[Any] = []  # applications and write-offs anyone may try to reverse
    guard = threading.Lock()

    def clerk_day(seed: int) -> Callable[[], int]:
        def work() -> int:
            rng = random.Random(seed)
            done = 0
            for _ in range(8):
                invoice = rng.choice(invoices)
                amount = Decimal(rng.randint(1, 4000)) / 100
                action = rng.choice(["payment", "payment", "memo", "write_off", "reverse"])
                try:
                    if action == "payment":
                        entry: Any = services.apply_payment(payment=rng.choice(payments), invoice=invoice,
                                                            amount=amount, on=date(2026, 11, 2), by=clerk)
                    elif action == "memo":
                        entry = services.apply_credit_memo(credit_memo=memo, invoice=invoice, amount=amount, by=clerk)
                    elif action == "write_off":
                        entry = services.write_off(invoice=invoice, amount=amount, reason_code="small", by=clerk)
                    else:
                        with guard:
                            if not booked:
                                continue
                            target = rng.choice(booked)
                        entry = (services.reverse_application(application=target, reason="undo", by=clerk)
                                 if isinstance(target, Application)
                                 else services.reverse_write_off(entry=target, reason="undo", by=clerk))
                except (OverApplication, OverSettlement, AlreadyReversed):
                    continue
                done += 1
                if entry.reverses_id is None:
                    with guard:
                        booked.append(entry)
            return done

        return work

    # when twenty clerks each do eight random things at once
    outcome = race([clerk_day(seed) for seed in range(THREADS)])
    # then nobody crashed (a deadlock would surface here), and the ledger balances to the cent
    assert outcome.crashed == [] and outcome.refused == []
    successes = sum(outcome.succeeded)
    assert successes > 0
    assert_ledger_sound(expected_events=successes)
    assert AuditEvent.objects.count() == Application.objects.count() + WriteOff.objects.count()
    for payment in Payment.objects.all():
        assert 0 <= payment.unapplied_amount <= payment.amount
    for invoice in Invoice.objects.all():
        assert 0 <= invoice.open_amount <= invoice.amount
