"""Random sequences of ledger work, checked after every step against a model and the ledger's invariants.

Each run of the machine lives in one transaction that is rolled back at its end, so every run starts
from an empty ledger and an empty audit log.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ardesk.audit.models import AuditEvent
from ardesk.audit.queries import verify_chain
from ardesk.customers.models import Customer
from ardesk.customers.services import create_customer
from ardesk.errors import DomainError
from ardesk.identity.models import User
from ardesk.ledger import services
from ardesk.ledger.models import Application, CreditMemo, Invoice, Payment, WriteOff
from ardesk.ledger.queries import cache_mismatches
from tests.ledger.ledger_model import MINOR_UNITS, ZERO, Doc, LedgerModel, at_minor_unit, unit

CURRENCIES = st.sampled_from(sorted(MINOR_UNITS))
UNITS = st.integers(1, 10**7)  # amounts as a count of minor units: up to 10 million yen, 100 000 euro
# Half the tries are amounts that fit, half are each kind of amount that must be refused.
FITTING = st.sampled_from(["part", "part", "all_open", "all_unapplied"])
REFUSED = st.sampled_from(["over_open", "over_unapplied", "too_fine", "zero", "negative", "float"])
APPLY_MODES = FITTING | REFUSED
WRITE_OFF_MODES = st.sampled_from(["part", "part", "all_open"]) | REFUSED.filter(lambda m: m != "over_unapplied")
# A document is mostly in its customer's currency (None), sometimes in another one.
DOCUMENT_CURRENCIES = st.none() | CURRENCIES
REASONS = st.sampled_from(["applied to the wrong invoice", "customer disputes the match", " "])
DAY = date(2026, 11, 2)
# Few customers and documents, so that most steps work on what exists rather than adding more.
MAX_CUSTOMERS, MAX_DOCUMENTS = 4, 6


def amount_for(mode: str, *, currency: str, ceiling: Decimal, percent: int, open_amount: Decimal,
               unapplied: Decimal = ZERO) -> object:
    """The amount to try: valid ones under `ceiling`, and each kind of invalid one."""
    q = unit(currency)
    part = max((ceiling * percent / 100).quantize(q, rounding=ROUND_DOWN), q)
    return {
        "part": part,
        "all_open": open_amount,
        "all_unapplied": unapplied,
        "over_open": open_amount + q,
        "over_unapplied": unapplied + q,
        "too_fine": part + q / 10,
        "zero": ZERO,
        "negative": -part,
        "float": float(part),
    }[mode]


class LedgerMachine(RuleBasedStateMachine):
    customers = Bundle("customers")
    invoices = Bundle("invoices")
    sources = Bundle("sources")
    applications = Bundle("applications")
    write_offs = Bundle("write_offs")

    def __init__(self, clerk: User) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.model = LedgerModel()
        self.clerk = clerk
        self.serial = 0
        self.currencies: dict[int, str] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def next_number(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial:05d}"

    # --- a call that must succeed, or fail with the model's error and change nothing -------------------

    def fingerprint(self) -> tuple[Any, ...]:
        return (
            list(Invoice.objects.order_by("pk").values_list("pk", "open_amount", "version")),
            list(Payment.objects.order_by("pk").values_list("pk", "unapplied_amount", "version")),
            list(CreditMemo.objects.order_by("pk").values_list("pk", "unapplied_amount", "version")),
            Application.objects.count(), WriteOff.objects.count(), AuditEvent.objects.count(),
        )

    def call(self, expected: type[DomainError] | None, verb: str, work: Any) -> Any:
        if expected is not None:
            before = self.fingerprint()
            with pytest.raises(DomainError) as caught:
                work()
            assert type(caught.value) is expected, f"expected {expected.__name__}, got {caught.value!r}"
            assert caught.value.field, "a refusal names the field at fault"
            assert self.fingerprint() == before, "a refused call changed the ledger"
            return None
        events = AuditEvent.objects.count()
        result = work()
        new = list(AuditEvent.objects.filter(seq__gt=events).values_list("verb", "actor_id"))
        assert new == [(verb, self.clerk.pk)], "a booked change writes exactly one audit event, by its actor"
        return result

    # --- customers and documents --------------------------------------------------------------------------

    @initialize(target=customers, currency=CURRENCIES)
    def a_group_with_a_parent_and_its_subsidiary(self, currency: str) -> Any:
        parent = self.new_customer(None, currency)
        child = self.new_customer(parent, currency)
        return multiple(parent, child)

    @precondition(lambda self: len(self.model.parents) < MAX_CUSTOMERS)
    @rule(target=customers, parent=st.none() | customers, currency=CURRENCIES)
    def create_customer(self, parent: int | None, currency: str) -> int:
        return self.new_customer(parent, currency)

    def new_customer(self, parent: int | None, currency: str) -> int:
        customer = self.call(None, "customer.created", lambda: create_customer(
            by=self.clerk, number=self.next_number("C"), name="Customer", currency=currency,
            parent=Customer.objects.get(pk=parent) if parent else None))
        self.model.parents[customer.pk] = parent
        self.currencies[customer.pk] = currency
        self.model.events += 1
        return int(customer.pk)

    @precondition(lambda self: len(self.model.invoices) < MAX_DOCUMENTS)
    @rule(target=invoices, customer=customers, currency=DOCUMENT_CURRENCIES, units=st.integers(0, 10**7))
    def book_invoice(self, customer: int, currency: str | None, units: int) -> int:
        currency = currency or self.currencies[customer]
        amount = Decimal(units) * unit(currency)
        number = self.next_number("INV")
        invoice = self.call(None, "invoice.booked", lambda: services.book_invoice(
            customer=Customer.objects.get(pk=customer), number=number, issue_date=DAY,
            due_date=DAY + timedelta(days=30), currency=currency, amount=amount, by=self.clerk))
        self.model.invoices[invoice.pk] = Doc(invoice.pk, number, customer, currency, amount, amount)
        self.model.events += 1
        return int(invoice.pk)

    @precondition(lambda self: len(self.model.sources) < MAX_DOCUMENTS)
    @rule(target=sources, customer=customers, currency=DOCUMENT_CURRENCIES, units=UNITS, is_payment=st.booleans())
    def receive_money_or_credit(self, customer: int, currency: str | None, units: int,
                                is_payment: bool) -> tuple[str, int]:
        currency = currency or self.currencies[customer]
        amount = Decimal(units) * unit(currency)
        kind = "payment" if is_payment else "credit_memo"
        number = self.next_number("PAY" if is_payment else "CM")
        common = {"customer": Customer.objects.get(pk=customer), "number": number, "currency": currency,
                  "amount": amount, "by": self.clerk}
        if is_payment:
            doc = self.call(None, "payment.recorded", lambda: services.record_payment(received_on=DAY, **common))
        else:
            doc = self.call(None, "credit_memo.booked", lambda: services.book_credit_memo(issue_date=DAY, **common))
        self.model.sources[(kind, doc.pk)] = Doc(doc.pk, number, customer, currency, amount, amount)
        self.model.events += 1
        return (kind, int(doc.pk))

    # --- applications -------------------------------------------------------------------------------------

    @rule(target=applications, source=sources, invoice=invoices, mode=APPLY_MODES, percent=st.integers(1, 100))
    def apply_any(self, source: tuple[str, int], invoice: int, mode: str, percent: int) -> Any:
        return self.apply(source, invoice, mode, percent)

    @rule(target=applications, invoice=invoices, data=st.data(), mode=FITTING, percent=st.integers(1, 100))
    def apply_from_a_source_that_may_pay(self, invoice: int, data: st.DataObject, mode: str, percent: int) -> Any:
        inv = self.model.invoices[invoice]
        eligible = sorted(key for key, doc in self.model.sources.items()
                          if doc.currency == inv.currency and self.model.pays_for(doc.customer, inv.customer)
                          and doc.balance > 0 and inv.balance > 0)
        if not eligible:
            return multiple()
        return self.apply(data.draw(st.sampled_from(eligible)), invoice, mode, percent)

    def apply(self, source_key: tuple[str, int], invoice: int, mode: str, percent: int) -> Any:
        source, inv = self.model.sources[source_key], self.model.invoices[invoice]
        amount = amount_for(mode, currency=inv.currency, ceiling=min(source.balance, inv.balance), percent=percent,
                            open_amount=inv.balance, unapplied=source.balance)
        expected = self.model.application_error(source, inv, amount)
        kind, pk = source_key
        invoice_row = Invoice.objects.get(pk=invoice)
        if kind == "payment":
            application = self.call(expected, "payment.applied", lambda: services.apply_payment(
                payment=Payment.objects.get(pk=pk), invoice=invoice_row, amount=amount, on=DAY, by=self.clerk))
        else:
            application = self.call(expected, "credit_memo.applied", lambda: services.apply_credit_memo(
                credit_memo=CreditMemo.objects.get(pk=pk), invoice=invoice_row, amount=amount, on=DAY,
                by=self.clerk))
        if application is None:
            return multiple()
        assert isinstance(amount, Decimal)
        self.model.applied(application.pk, source, inv, amount)
        return int(application.pk)

    @rule(target=applications, application=applications, reason=REASONS)
    def reverse_application(self, application: int, reason: str) -> Any:
        original = self.model.applications[application]
        expected = self.model.reversal_error(original, reason)
        reversal = self.call(expected, "application.reversed", lambda: services.reverse_application(
            application=Application.objects.get(pk=application), reason=reason, on=DAY, by=self.clerk))
        if reversal is None:
            return multiple()
        self.model.application_reversed(reversal.pk, original)
        return int(reversal.pk)

    # --- write-offs ---------------------------------------------------------------------------------------

    @precondition(lambda self: any(inv.balance > 0 for inv in self.model.invoices.values()))
    @rule(target=write_offs, data=st.data(), mode=st.sampled_from(["part", "part", "all_open"]),
          percent=st.integers(1, 100))
    def write_off_what_is_open(self, data: st.DataObject, mode: str, percent: int) -> Any:
        invoice = data.draw(st.sampled_from(sorted(pk for pk, inv in self.model.invoices.items() if inv.balance > 0)))
        return self.write_off(invoice, mode, percent, "small_balance")

    @rule(target=write_offs, invoice=invoices, mode=WRITE_OFF_MODES, percent=st.integers(1, 100),
          reason_code=st.sampled_from(["small_balance", "bad_debt", " "]))
    def write_off_anything(self, invoice: int, mode: str, percent: int, reason_code: str) -> Any:
        return self.write_off(invoice, mode, percent, reason_code)

    def write_off(self, invoice: int, mode: str, percent: int, reason_code: str) -> Any:
        inv = self.model.invoices[invoice]
        amount = amount_for(mode, currency=inv.currency, ceiling=inv.balance, percent=percent,
                            open_amount=inv.balance)
        expected = self.model.write_off_error(inv, amount, reason_code)
        entry = self.call(expected, "invoice.written_off", lambda: services.write_off(
            invoice=Invoice.objects.get(pk=invoice), amount=amount, reason_code=reason_code, on=DAY, by=self.clerk))
        if entry is None:
            return multiple()
        assert isinstance(amount, Decimal)
        self.model.written_off(entry.pk, inv, amount)
        return int(entry.pk)

    @rule(target=write_offs, entry=write_offs, reason=REASONS)
    def reverse_write_off(self, entry: int, reason: str) -> Any:
        original = self.model.write_offs[entry]
        expected = self.model.reversal_error(original, reason)
        reversal = self.call(expected, "write_off.reversed", lambda: services.reverse_write_off(
            entry=WriteOff.objects.get(pk=entry), reason=reason, on=DAY, by=self.clerk))
        if reversal is None:
            return multiple()
        self.model.write_off_reversed(reversal.pk, original)
        return int(reversal.pk)

    # --- invariants, checked after every step -------------------------------------------------------------

    @invariant()
    def every_invoice_balances_with_its_entries(self) -> None:
        applied = sums(Application.objects.values_list("invoice_id", "amount"))
        written_off = sums(WriteOff.objects.values_list("invoice_id", "amount"))
        rows = Invoice.objects.values_list("pk", "currency", "amount", "erp_settled_amount", "open_amount")
        assert len(rows) == len(self.model.invoices)
        for pk, currency, amount, erp_settled, open_amount in rows:
            assert open_amount == amount - erp_settled - applied.get(pk, ZERO) - written_off.get(pk, ZERO)
            assert ZERO <= open_amount <= amount
            assert open_amount == self.model.invoices[pk].balance
            assert at_minor_unit(amount, currency) and at_minor_unit(open_amount, currency)

    @invariant()
    def every_payment_and_credit_memo_balances_with_its_applications(self) -> None:
        for kind, model, fk in (("payment", Payment, "payment_id"), ("credit_memo", CreditMemo, "credit_memo_id")):
            applied = sums(Application.objects.filter(**{f"{fk}__isnull": False}).values_list(fk, "amount"))
            for pk, currency, amount, unapplied in model.objects.values_list("pk", "currency", "amount",
                                                                             "unapplied_amount"):
                assert unapplied == amount - applied.get(pk, ZERO)
                assert ZERO <= unapplied <= amount
                assert unapplied == self.model.sources[(kind, pk)].balance
                assert at_minor_unit(amount, currency) and at_minor_unit(unapplied, currency)

    @invariant()
    def applications_join_related_customers_in_one_currency(self) -> None:
        parents = dict(Customer.objects.values_list("pk", "parent_id"))
        for app in Application.objects.select_related("payment", "credit_memo", "invoice"):
            source = app.payment or app.credit_memo
            assert source is not None and source.currency == app.invoice.currency
            payer, invoiced = source.customer_id, app.invoice.customer_id
            while invoiced is not None and invoiced != payer:
                invoiced = parents[invoiced]
            assert invoiced == payer, f"application {app.pk} joins unrelated customers"
            assert at_minor_unit(app.amount, app.invoice.currency)
            if app.reverses_id:
                original = Application.objects.get(pk=app.reverses_id)
                assert (app.amount, app.payment_id, app.credit_memo_id, app.invoice_id) == (
                    -original.amount, original.payment_id, original.credit_memo_id, original.invoice_id)

    @invariant()
    def the_ledger_verifies_and_the_audit_chain_is_whole(self) -> None:
        assert cache_mismatches() == []
        assert verify_chain() == (self.model.events, [])


def sums(pairs: Any) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for key, amount in pairs:
        totals[key] = totals.get(key, ZERO) + amount
    return totals


@pytest.mark.slow
@pytest.mark.django_db
def test_random_ledger_work_keeps_every_invariant(clerk: User) -> None:
    run_state_machine_as_test(lambda: LedgerMachine(clerk), settings=settings(
        max_examples=int(os.environ.get("LEDGER_MACHINE_EXAMPLES", "20")), stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
