"""The ledger's invariants live in the tables: a write that bypasses the services is refused all the same."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from ardesk.ledger.models import Application, WriteOff
from tests.factories import CreditMemoFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def refused(sql: str, params: list[Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def docs() -> dict[str, Any]:
    invoice = InvoiceFactory(amount=Decimal("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("100.00"))
    memo = CreditMemoFactory(customer=invoice.customer, amount=Decimal("50.00"))
    return {"invoice": invoice, "payment": payment, "memo": memo}


@pytest.mark.parametrize(("column", "value"), [
    ("open_amount", "-0.01"),       # over-settled
    ("open_amount", "100.01"),      # open above the amount
    ("amount", "-1"),
    ("erp_settled_amount", "-5"),
    ("erp_settled_amount", "100.01"),
    ("disputed_amount", "-1"),
    ("due_date", "2026-09-30"),     # due before issued
])
def test_invoice_rows_refuse_impossible_values(docs: dict[str, Any], column: str, value: str) -> None:
    refused(f"UPDATE ledger_invoice SET {column} = %s WHERE id = %s", [value, docs["invoice"].pk])


@pytest.mark.parametrize("table", ["ledger_payment", "ledger_creditmemo"])
@pytest.mark.parametrize(("column", "value"), [
    ("unapplied_amount", "-0.01"),   # over-applied
    ("unapplied_amount", "100.01"),  # more unapplied than received
    ("amount", "0"),
])
def test_payment_and_credit_memo_rows_refuse_impossible_values(docs: dict[str, Any], table: str, column: str,
                                                               value: str) -> None:
    pk = docs["payment" if table == "ledger_payment" else "memo"].pk
    refused(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])


def test_the_orm_is_refused_too(docs: dict[str, Any]) -> None:
    invoice = docs["invoice"]
    invoice.open_amount = Decimal("-1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        invoice.save()


@pytest.mark.parametrize("fields", [
    {"amount": Decimal(0)},                                        # an application moves money
    {"amount": Decimal("-5.00")},                                  # negative only as a reversal
    {"amount": Decimal("5.00"), "payment": None, "credit_memo": None},  # needs a source
    {"amount": Decimal("5.00"), "credit_memo": "memo"},            # not two sources
])
def test_applications_refuse_rows_that_cannot_be(docs: dict[str, Any], fields: dict[str, Any]) -> None:
    values: dict[str, Any] = {"payment": docs["payment"], "invoice": docs["invoice"], "applied_on": date(2026, 11, 1)}
    values.update({k: docs[v] if v == "memo" else v for k, v in fields.items()})
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(**values)


def test_a_reversal_must_carry_the_opposite_sign(docs: dict[str, Any]) -> None:
    original = Application.objects.create(payment=docs["payment"], invoice=docs["invoice"], amount=Decimal("5.00"),
                                          applied_on=date(2026, 11, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(payment=docs["payment"], invoice=docs["invoice"], amount=Decimal("5.00"),
                                   applied_on=date(2026, 11, 2), reverses=original)


def test_an_application_is_reversed_at_most_once(docs: dict[str, Any]) -> None:
    original = Application.objects.create(payment=docs["payment"], invoice=docs["invoice"], amount=Decimal("5.00"),
                                          applied_on=date(2026, 11, 1))
    Application.objects.create(payment=docs["payment"], invoice=docs["invoice"], amount=Decimal("-5.00"),
                               applied_on=date(2026, 11, 2), reverses=original)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(payment=docs["payment"], invoice=docs["invoice"], amount=Decimal("-5.00"),
                                   applied_on=date(2026, 11, 3), reverses=original)


@pytest.mark.parametrize(("amount", "reason_code"), [(Decimal(0), "bad_debt"), (Decimal("-1.00"), "bad_debt"),
                                                     (Decimal("1.00"), "")])
def test_write_offs_need_a_positive_amount_and_a_reason_code(docs: dict[str, Any], amount: Decimal,
                                                             reason_code: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOff.objects.create(invoice=docs["invoice"], amount=amount, written_off_on=date(2026, 11, 1),
                                reason_code=reason_code)
