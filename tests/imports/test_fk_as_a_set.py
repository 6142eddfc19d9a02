"""Invoice imports on PostgreSQL check the customer foreign key as one set (engine_sql._insert_checked_as_a_set).

The rows written must be exactly those of PostgreSQL's own per-row check, an unknown customer must still
reject the file, the session must come out as it went in, and a table with a trigger of its own must keep
the per-row path (its trigger would otherwise be skipped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from ardesk.imports.engine_sql import SqlEngine
from ardesk.imports.services import execute
from ardesk.ledger.models import Invoice
from tests.factories import CustomerFactory
from tests.imports.conftest import csv

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL engine streams with COPY: PostgreSQL only"),
]

FILE = csv("invoice_number,customer_number,issue_date,due_date,currency,amount,open_amount",
           "I1,C1,2026-10-01,2026-10-31,EUR,100.00,",
           "I2,C2,2026-10-02,2026-11-01,EUR,50.00,20.00",
           "I3,C1,2026-10-03,2026-11-02,EUR,10.00,0")


@pytest.fixture
def customers(db) -> None:  # type: ignore[no-untyped-def]
    CustomerFactory(number="C1", currency="EUR")
    CustomerFactory(number="C2", currency="EUR")


def _rows() -> list[dict[str, Any]]:
    return [model_to_dict(i, exclude=["id", "created_at", "updated_at"]) for i in Invoice.objects.order_by("number")]


def _import(path: Path, admin: Any) -> Any:
    return execute(kind="invoices", path=path, filename=path.name, by=admin, engine="sql")


def test_the_set_check_writes_what_the_per_row_check_writes(customers, admin_user, settings, write, monkeypatch):
    path = write("invoices.csv", FILE)
    used: list[bool] = []
    real = SqlEngine._may_skip_row_checks
    monkeypatch.setattr(SqlEngine, "_may_skip_row_checks", lambda self: used.append(real(self)) or used[-1])
    settings.ARDESK_IMPORT_SET_BASED_FK_CHECK = False
    assert _import(path, admin_user).created == 3
    per_row = _rows()
    Invoice.objects.all().delete()
    settings.ARDESK_IMPORT_SET_BASED_FK_CHECK = True
    assert _import(path, admin_user).created == 3
    assert used == [False, True]  # the tests run as a role that may set session_replication_role
    assert _rows() == per_row
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_an_unknown_customer_still_rejects_the_whole_file(customers, admin_user, write):
    path = write("invoices.csv", FILE + "I4,C404,2026-10-03,2026-11-02,EUR,10.00,\n")
    report = _import(path, admin_user)
    assert report.created == 0 and not Invoice.objects.exists()
    assert [(r.row, r.column, r.value) for r in report.rejections] == [(5, "customer_number", "C404")]


def test_a_table_with_its_own_trigger_keeps_the_per_row_check(customers, admin_user, write, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("CREATE FUNCTION ardesk_test_noop() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER ardesk_test_noop BEFORE INSERT ON ledger_invoice "
                       "FOR EACH ROW EXECUTE FUNCTION ardesk_test_noop()")
    used: list[bool] = []
    real = SqlEngine._may_skip_row_checks
    monkeypatch.setattr(SqlEngine, "_may_skip_row_checks", lambda self: used.append(real(self)) or used[-1])
    assert _import(write("invoices.csv", FILE), admin_user).created == 3
    assert used == [False]
