"""Reading a big CSV file in worker processes gives exactly what reading it in one process gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardesk.imports import parallel, services
from ardesk.imports.reading import scan
from ardesk.imports.services import execute
from ardesk.ledger.models import Invoice
from tests.factories import CustomerFactory
from tests.imports.conftest import csv

HEADER = "invoice_number,customer_number,issue_date,due_date,currency,amount,description"


def _rows(count: int, bad_every: int = 0) -> list[str]:
    rows = []
    for n in range(count):
        amount = "12.345" if bad_every and n % bad_every == 0 else f"{n}.50"
        rows.append(f"I{n:05d},C1,2026-01-01,2026-01-31,EUR,{amount},\"line {n}, quoted\"")
    return rows


def test_a_block_is_read_with_the_row_numbers_of_the_file() -> None:
    # given the second block of a file: its first line is row 10 of the file
    data = csv("I1,C1,2026-01-01,2026-01-31,EUR,1.00,a", "", "I2,C1,2026-13-01,2026-01-31,EUR,1.00,b").encode()
    job = parallel.Job("invoices", tuple(HEADER.split(",")), ",", "utf-8", first_row=10, lines=3, data=data)
    # when
    done = parallel.work(job)
    # then
    assert (done.rows, done.mismatch, done.broken) == (2, False, None)
    assert done.text.splitlines()[0].startswith("10\tt\tI1\t") and done.text.splitlines()[1].startswith("12\tf\tI2")
    assert [(r[0], r[1]) for r in done.rejections] == [(12, "issue_date")]


def test_a_block_whose_rows_span_lines_is_reported_as_a_mismatch() -> None:
    data = csv('I1,C1,x"y,"z', 'still z",2026-01-31,EUR,1.00,a').encode()
    job = parallel.Job("invoices", tuple(HEADER.split(",")), ",", "utf-8", first_row=2, lines=2, data=data)
    assert parallel.work(job).mismatch


def test_quoted_line_breaks_keep_a_file_in_one_process(write) -> None:
    assert scan(write("a.csv", csv(HEADER, 'I1,C1,2026-01-01,2026-01-31,EUR,1,"two\nlines"')), "a.csv"
                ).one_row_per_line is False
    assert scan(write("b.csv", csv(HEADER, 'I1,C1,2026-01-01,2026-01-31,EUR,1,"one ""line"""')), "b.csv"
                ).one_row_per_line is True


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("rows", [_rows(300), _rows(300, bad_every=7),
                                  [*_rows(100), 'I-x,C1,x"y,"z', 'z"x",2026-01-31,EUR,1,a', *_rows(5)]],
                         ids=["good", "bad rows", "stray quote"])
def test_workers_and_one_process_agree(write, settings, monkeypatch, admin_user, on_postgres, rows) -> None:
    if not on_postgres:
        pytest.skip("worker processes feed the SQL engine: PostgreSQL only")
    CustomerFactory(number="C1")
    path: Path = write("invoices.csv", csv(HEADER, *rows))
    blocks: list[parallel.Done] = []

    def counted(**kwargs):  # type: ignore[no-untyped-def]
        for done in parallel.read_in_parallel(**kwargs):
            blocks.append(done)
            yield done

    monkeypatch.setattr(services, "read_in_parallel", counted)
    reports = []
    for workers in (1, 2):
        settings.ARDESK_IMPORT_WORKERS, settings.ARDESK_IMPORT_PARALLEL_MIN_BYTES = workers, 0
        monkeypatch.setattr(parallel, "BLOCK_BYTES", 1000)  # many small blocks
        report = execute(kind="invoices", path=path, filename=path.name, by=admin_user, engine="sql", dry_run=True)
        reports.append(report.as_dict() | {"batch_id": None})
    assert reports[0] == reports[1]
    assert len(blocks) > 3, "the file was read by the workers"
    assert any(b.mismatch for b in blocks) == ("x\"y" in "".join(rows))
    assert not Invoice.objects.exists()
