"""Bad files through the whole import, on both engines: a clear report, nothing written, never a traceback."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from ardesk.audit.models import AuditEvent
from ardesk.customers.models import Customer
from ardesk.imports.report import Status
from ardesk.imports.services import run_import
from ardesk.ledger.models import Invoice
from tests.factories import CustomerFactory
from tests.imports.conftest import csv

pytestmark = pytest.mark.django_db


def _nothing_written() -> bool:
    return not Invoice.objects.exists() and not AuditEvent.objects.exists()


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("empty.csv", b"", (1, "*", "the file is empty")),
    ("header-only-unknown.csv", b"number;name\n", (1, "number", "unknown column(s) 'number'")),
    ("missing.csv", b"invoice_number,amount\nI1,1\n", (1, "customer_number", "required column(s) missing")),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, (0, "*", "old Excel .xls file")),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", (0, "*", "not a readable XLSX workbook")),
    ("not-a-workbook.xlsx", _zip(**{"hello.txt": b"hi"}), (0, "*", "not a readable XLSX workbook")),
    ("odd.csv", b"\xff\xfei\x00n\x00v\x00\n", (1, "*", "the header cannot be read")),
])
def test_unreadable_files_are_refused_as_a_whole(run, write, name, content, expected):
    report = run("invoices", write(name, content))
    assert report.status == Status.REJECTED
    [rejection] = report.rejections
    assert (rejection.row, rejection.column) == expected[:2] and expected[2] in rejection.reason
    assert _nothing_written()


def test_an_unknown_kind_is_refused(admin_user, write):
    report = run_import(kind="receipts", path=write("x.csv", "a\n"), filename="x.csv", by=admin_user)
    assert report.status == Status.REJECTED and "unknown kind of import" in report.rejections[0].reason


def test_a_german_excel_export_is_read_as_meant(run, write):
    # given semicolons, decimal commas, day-first dates, Windows-1252 and an Excel serial date
    CustomerFactory(number="K-1", currency="EUR")
    text = csv("invoice_number;customer_number;issue_date;due_date;currency;amount;description",
               "R-1;K-1;31.01.2026;46083;EUR;1.234,50;Müller Bürobedarf")
    report = run("invoices", write("export.csv", text, encoding="cp1252"))
    # then
    assert (report.status, report.created) == (Status.APPLIED, 1)
    assert any("cp1252" in w for w in report.warnings) and any("semicolons" in w for w in report.warnings)
    invoice = Invoice.objects.get(number="R-1")
    assert (invoice.amount, invoice.description, str(invoice.due_date)) == (
        Decimal("1234.5"), "Müller Bürobedarf", "2026-03-02")


def test_a_10_mb_cell_and_a_nul_byte_are_named_and_nothing_is_written(run, write):
    CustomerFactory(number="C1")
    text = csv("invoice_number,customer_number,issue_date,due_date,currency,amount,description",
               f"I1,C1,2026-01-01,2026-01-31,EUR,1.00,{'x' * 10_000_000}",
               "I2,C1,2026-01-01,2026-01-31,EUR,1.00,nul\x00here",
               "I3,C1,2026-01-01,2026-01-31,EUR,1.00,fine")
    report = run("invoices", write("big.csv", text))
    assert [(r.row, r.column, r.reason.split(";")[0]) for r in report.rejections] == [
        (2, "description", "is 10,000,000 characters long"),
        (3, "description", "contains a NUL byte (\\x00)")]
    assert _nothing_written()


def test_an_excel_workbook_imports_like_its_csv(run, write, tmp_path):
    CustomerFactory(number="C1")
    book = openpyxl.Workbook()
    book.active.append(["customer_number", "name", "currency", "credit_limit", "do_not_contact"])
    book.active.append(["C2", "Beta", "EUR", 1500.5, True])
    book.save(tmp_path / "customers.xlsx")
    report = run("customers", tmp_path / "customers.xlsx")
    assert (report.status, report.created) == (Status.APPLIED, 1)
    beta = Customer.objects.get(number="C2")
    assert (beta.credit_limit, beta.do_not_contact) == (Decimal("1500.5"), True)
