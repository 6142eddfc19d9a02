"""`ardesk import <kind> FILE`: a summary on stdout, rejections printed, and an exit code scripts can trust."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ardesk.audit.models import AuditEvent
from ardesk.customers.models import Customer
from tests.factories import UserFactory
from tests.imports.conftest import csv

pytestmark = pytest.mark.django_db


def _call(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_good_file_is_applied_and_summarised(write):
    path = write("customers.csv", csv("customer_number;name;currency", "C1;Alpha;EUR", "C2;Beta;EUR"))
    code, out = _call("customers", str(path))
    assert code == 0
    assert "applied as import batch" in out and "created 2  updated 0  unchanged 0  rejected 0" in out
    assert "Columns are separated by semicolons" in out
    assert AuditEvent.objects.get().actor_label.startswith("import command")
    again_code, again = _call("customers", str(path))
    assert again_code == 0 and "nothing to change" in again and "unchanged 2" in again


def test_a_rejected_file_exits_1_and_prints_every_rejection(write):
    path = write("customers.csv", csv("customer_number,name,currency", "C1,Alpha,EURO", "C2,,EUR"))
    code, out = _call("customers", str(path))
    assert code == 1
    assert "rejected: nothing was imported" in out
    assert "currency" in out and "EURO" in out and "is not a known ISO 4217 currency code" in out
    assert "is required" in out
    assert not Customer.objects.exists()


def test_the_importer_can_be_named_but_must_be_allowed_to_import(write):
    path = write("customers.csv", csv("customer_number,name,currency", "C1,Alpha,EUR"))
    UserFactory(username="colin", role="collector")
    with pytest.raises(CommandError, match="may not import"):
        call_command("import", "customers", str(path), "--user", "colin", stdout=StringIO())
    admin = UserFactory(username="ada", role="admin")
    code, _ = _call("customers", str(path), "--user", "ada", "--dry-run")
    assert code == 0 and not Customer.objects.exists()
    code, _ = _call("customers", str(path), "--user", "ada")
    assert AuditEvent.objects.get().actor_id == admin.pk


def test_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "customers", str(tmp_path / "nope.csv"), stdout=StringIO())
