"""Both engines on the same files: the same rejections, the same counts, the same rows and audit events.

PostgreSQL only: the SQL engine needs COPY. Each engine runs in a savepoint that is
rolled back, so both see exactly the same ardesk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from ardesk.audit.models import AuditEvent
from ardesk.customers.models import Customer
from ardesk.imports.services import execute
from ardesk.imports.targets import target_for
from ardesk.ledger import services as ledger
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory, TeamFactory, UserFactory
from tests.imports.conftest import csv

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL engine streams with COPY: PostgreSQL only"),
]

BAD_FILES = {
    "invoices": csv(
        "invoice_number,customer_number,issue_date,due_date,currency,amount,open_amount,tax_amount,description",
        "I1,C2,2026-10-01,2026-10-31,USD,100.00,,,customer and currency move under an application",
        "I2,C1,2026-10-01,2026-10-31,EUR,100.00,5.00,,open would go negative",
        "I3,C9,2026-10-01,2026-09-30,EUR,\"1.234,567\",,,unknown customer; due before issue; bad amount",
        "I4,C1,03/04/2026,2026-10-31,XXX,10,,1e5,ambiguous date; unknown currency; tax not a number",
        "I4,C1,2026-10-01,2026-10-31,EUR,10,,,duplicate of the row before",
        "I5,C1,2026-10-01,,EUR,10,,,missing due date",
        "I6,C1,2026-10-01,2026-10-31,EUR,10,11,,open above amount",
        "I7,C1,2026-10-01,2026-10-31,EUR,10,,,nul \x00 byte",
        "I8,C1,2026-10-01,2026-10-31,EUR",
        "I1,C1,2026-10-01,2026-10-31,EUR,100.00,,,duplicate of row 2",
    ),
    "customers": csv(
        "customer_number,name,currency,parent_number,collector,team,country,payment_terms_days",
        "N1,New one,EUR,N2,colin,North,DE,30",
        "N2,New two,EUR,N1,,,DE,30",
        "N3,New three,EUR,ZZ,nobody,Nowhere,XX,-1",
        "C1,Alpha,EUR,C1,,,DE,30",
        "N3,Again,EUR,,,,,",
    ),
    "invoice-lines": csv(
        "invoice_number,line_no,quantity,unit_price,tax_amount",
        "IJ,1,1,100,10.5", "I9,1,1,1,0", "I1,1,1,1,0", "I1,1,2,2,0", "I1,0,1,1,0", "I1,2,99999999999999,99,0",
    ),
    "credit-memos": csv(
        "credit_memo_number,customer_number,issue_date,currency,amount,reason,invoice_number",
        "M1,C1,2026-11-03,EUR,20.00,x,IU", "M2,C1,2026-11-03,EUR,0,x,", "M3,C1,2026-11-03,EUR,5,x,I404",
    ),
    "payments": csv(
        "payment_number,customer_number,received_on,currency,amount,method",
        "P1,C2,2026-11-01,EUR,99.00,wire", "P2,C1,2026-11-01,EUR,10,barter",
    ),
    "contacts": csv(
        "customer_number,name,email,role", "C1,Ann,Ann@example.com,billing", "C1,Ann,ann@EXAMPLE.com,boss",
        "C9,Zed,zed@example,billing",
    ),
    "fx-rates": csv("currency,rate_date,rate", "usd,2026-11-02,0.9", "USD,2026-11-02,0.91", "EUR,2026-11-31,1"),
}

GOOD_FILES = {
    "customers": csv("customer_number,name,currency,parent_number,collector,team",
                     "C1,Alpha renamed,EUR,G1,colin,North", "G1,Group,EUR,,,", "C2,Beta,EUR,,,", "N1,New,EUR,C2,,"),
    "invoices": csv("invoice_number,customer_number,issue_date,due_date,currency,amount,open_amount",
                    "I1,C1,2026-10-01,2026-11-15,EUR,120.00,120.00", "I2,C1,2026-10-01,2026-10-31,EUR,100.00,",
                    "I9,C2,2026-10-05,2026-11-05,EUR,55.55,50.00"),
    "payments": csv("payment_number,customer_number,received_on,currency,amount,bank_reference",
                    "P1,C1,2026-11-01,EUR,100.00,new reference", "P9,C2,2026-11-01,EUR,1.00,"),
}


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    admin = UserFactory(username="ada", role="admin")
    UserFactory(username="colin", role="collector")
    TeamFactory(name="North")
    c1, _c2 = CustomerFactory(number="C1", name="Alpha"), CustomerFactory(number="C2", name="Beta")
    i1 = InvoiceFactory(number="I1", customer=c1, amount=Decimal("100"))
    InvoiceFactory(number="I2", customer=c1, amount=Decimal("100"))
    InvoiceFactory(number="IJ", customer=CustomerFactory(number="CJ", currency="JPY"), currency="JPY")
    InvoiceFactory(number="IU", customer=CustomerFactory(number="CU", currency="USD"), currency="USD")
    payment = PaymentFactory(number="P1", customer=c1, amount=Decimal("100"))
    ledger.apply_payment(payment=payment, invoice=i1, amount=Decimal("30"), by=admin)
    return admin


def _numbers() -> dict[Any, str]:
    """Customer ids as numbers: a customer created by the import gets a new id in each savepoint."""
    return {pk: number for pk, number in Customer.objects.values_list("pk", "number")}


def _snapshot(kind: str) -> list[dict[str, Any]]:
    model, numbers = target_for(kind).model, _numbers()
    rows = []
    for obj in model.objects.order_by("pk"):
        row = model_to_dict(obj, exclude=["id", "created_at", "updated_at"])
        if "parent" in row:
            row["parent"] = numbers.get(row["parent"])
        rows.append(row)
    return sorted(rows, key=repr)


def _events() -> list[tuple[str, Any, Any, str]]:
    numbers = _numbers()

    def named(values: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if values is None else {k: numbers.get(v) if k == "parent_id" else v for k, v in values.items()}

    return [(e.verb, named(e.before), named(e.after), re.sub(r"#\d+", "#", e.reason))
            for e in AuditEvent.objects.filter(verb__endswith=".changed").order_by("seq")]


def _both(kind: str, path: Path, admin: Any, after: Callable[[], Any]) -> list[tuple[dict[str, Any], Any]]:
    outcomes = []
    for engine in ("python", "sql"):
        with transaction.atomic():
            report = execute(kind=kind, path=path, filename=path.name, by=admin, engine=engine)
            outcomes.append((report.as_dict() | {"batch_id": None}, after()))
            transaction.set_rollback(True)
    return outcomes


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_both_engines_reject_the_same_cells_for_the_same_reasons(world, write, kind):
    assert connection.vendor == "postgresql"
    (python, _), (sql, _) = _both(kind, write(f"{kind}.csv", BAD_FILES[kind]), world, lambda: None)
    assert python["rejections"], "the file is meant to be refused"
    assert python == sql


@pytest.mark.parametrize("kind", sorted(GOOD_FILES))
def test_both_engines_write_the_same_rows_and_the_same_audit(world, write, kind):
    (python, python_state), (sql, sql_state) = _both(kind, write(f"{kind}.csv", GOOD_FILES[kind]), world,
                                                     lambda: (_snapshot(kind), _events()))
    assert python["status"] == "applied" and python["updated"] >= 1
    assert python == sql
    assert python_state == sql_state
