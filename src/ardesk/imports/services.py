"""Imports from the ERP: `run_import` is the one entry point the command, the page and the API call.

The whole file is read and checked before anything is written, then applied
in one transaction, whole or not at all. Rows are matched on their natural
key: new rows are created (one "import.applied" audit event for the batch),
changed rows are updated (one "<entity>.changed" event each, with the before
and after of what changed), unchanged rows are not touched. An import that
changes nothing writes nothing at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.imports.engine_python import PythonEngine
from ardesk.imports.engine_sql import SqlEngine
from ardesk.imports.kinds import spec_for
from ardesk.imports.models import BatchStatus, ImportBatch
from ardesk.imports.parallel import Done, may_fork_workers, read_in_parallel
from ardesk.imports.reading import BrokenRow, FileFacts, ImportRefused, Table, open_table, scan
from ardesk.imports.report import ImportReport, Kind, Rejection, Rejections, Status
from ardesk.imports.signals import batch_applied
from ardesk.imports.targets import Target, target_for
from ardesk.imports.validation import Row, RowValidator

__all__ = ["ImportReport", "Kind", "Progress", "Rejection", "run_import"]

log = logging.getLogger(__name__)

# progress(phase, done, total): phase is "reading" (bytes, or rows of a spreadsheet), "checking" or "writing".
Progress = Callable[[str, int, int], None]

# Any constant: with the kind, the advisory lock that lets one import of a kind run at a time.
_IMPORT_LOCK = 7_246_154
_PROGRESS_EVERY = 20_000


class Engine(Protocol):
    name: str

    def ingest(self, rows: Iterator[Row], parallel: Callable[[], Iterator[Done]] | None = None) -> int: ...

    def check(self) -> None: ...

    def apply(self, *, open_batch: Callable[[], ImportBatch], by: Any) -> tuple[int, int, int]: ...


def _engine_for(name: str | None, **kwargs: Any) -> Engine:
    chosen = name or ("sql" if connection.vendor == "postgresql" else "python")
    return SqlEngine(**kwargs) if chosen == "sql" else PythonEngine(**kwargs)


def run_import(*, kind: str, path: Path, filename: str, by: Any, dry_run: bool = False,
               progress: Progress | None = None) -> ImportReport:
    """Validate the whole file, then apply it whole or not at all. Never raises for bad input."""
    return execute(kind=kind, path=path, filename=filename, by=by, dry_run=dry_run, progress=progress)


def _refused(report: ImportReport, rejection: Rejection, started: float) -> ImportReport:
    report.rejections, report.rejection_count, report.status = [rejection], 1, Status.REJECTED
    report.seconds = time.perf_counter() - started
    return report


def _validated(table: Table, validator: RowValidator, rejections: Rejections,
               progress: Progress | None) -> Iterator[Row]:
    try:
        for count, (row_no, cells) in enumerate(table.rows, start=1):
            yield validator.validate(row_no, cells, rejections)
            if progress and count % _PROGRESS_EVERY == 0:
                progress("reading", *table.position())
    except BrokenRow as broken:
        rejections.add(broken.row, "*", "", broken.reason)
    if progress:
        _done, total = table.position()
        progress("reading", total, total)


def _parallel_reader(runner: Engine, kind: Kind, path: Path, facts: FileFacts, table: Table,
                     progress: Progress | None) -> Callable[[], Iterator[Done]] | None:
    """Worker processes for a big CSV file on the SQL engine, when the machine and the file allow it."""
    workers = settings.ARDESK_IMPORT_WORKERS
    if (runner.name != "sql" or workers < 2 or not facts.one_row_per_line or not may_fork_workers()
            or facts.size < settings.ARDESK_IMPORT_PARALLEL_MIN_BYTES):
        return None

    def reported(position: int) -> None:
        if progress:
            progress("reading", position, facts.size)

    return lambda: read_in_parallel(path=path, kind=kind.value, header=table.header,
                                    delimiter=table.delimiter, encoding=facts.encoding, offset=facts.header_bytes,
                                    workers=workers, progress=reported)


def _lock_kind(kind: Kind) -> None:
    """One import of a kind at a time; and foreign keys checked as rows are written, not at the commit.

    Checked at the commit, they would take their row locks (an invoice line's on its invoice) after the
    import has taken the audit chain's lock: a user raising a dispute on that invoice, who holds the
    invoice and then waits for the chain, would deadlock with it. Checked at once, the import waits for
    the user or the user for the import, and never both. It also spares a queue of millions of checks.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_IMPORT_LOCK, list(Kind).index(kind)])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def execute(*, kind: str, path: Path, filename: str, by: Any, dry_run: bool = False,
            progress: Progress | None = None, engine: str | None = None) -> ImportReport:
    """`run_import`, with the engine chosen by name ("sql" or "python") for tests and benchmarks."""
    started, clock = timezone.now(), time.perf_counter()
    report = ImportReport(kind=str(kind), filename=filename, dry_run=dry_run)
    try:
        spec = spec_for(kind)
    except ValueError:
        return _refused(report, Rejection(0, "*", str(kind), f"unknown kind of import: use one of "
                                          f"{', '.join(k.value for k in Kind)}"), clock)
    try:
        facts = scan(path, filename)
        report.sha256, report.size = facts.sha256, facts.size
        table = open_table(path, facts, spec)
    except ImportRefused as refused:
        # The file as a whole is row 0; the header is row 1, named by column where one is at fault.
        row = 0 if refused.field in (None, "file") else 1
        column = "*" if refused.field in (None, "file", "header") else str(refused.field)
        return _refused(report, Rejection(row, column, "", refused.message), clock)
    except OSError as error:
        return _refused(report, Rejection(0, "*", "", f"the file cannot be read: {error.strerror or error}"), clock)
    report.warnings = list(table.warnings)
    rejections = Rejections({name: i for i, name in enumerate(spec.names)})
    target = target_for(kind)
    runner = _engine_for(engine, target=target, present=set(table.header), rejections=rejections,
                         today=timezone.localdate())
    report.engine = runner.name
    batches: list[ImportBatch] = []

    def open_batch() -> ImportBatch:
        batch = ImportBatch.objects.create(
            kind=spec.kind.value, file_name=filename[:255], sha256=facts.sha256, size=facts.size,
            by=by if getattr(by, "pk", None) else None, by_label=getattr(by, "username", None) or str(by),
            engine=runner.name, started_at=started, rows=report.rows)
        batches.append(batch)
        return batch

    try:
        with transaction.atomic():
            _lock_kind(spec.kind)
            rows = _validated(table, RowValidator(spec, table.header), rejections, progress)
            report.rows = runner.ingest(rows, _parallel_reader(runner, spec.kind, path, facts, table, progress))
            if progress:
                progress("checking", 0, 1)
            runner.check()
            if rejections.count:
                transaction.set_rollback(True)
            else:
                if progress:
                    progress("writing", 0, 1)
                report.created, report.updated, report.unchanged = runner.apply(open_batch=open_batch, by=by)
                if batches:
                    _close_batch(batches[0], report, target, by)
                    if not dry_run:
                        batch_applied.send(sender=ImportBatch, kind=spec.kind, batch=batches[0])
                if dry_run:
                    transaction.set_rollback(True)
    except DatabaseError as error:
        log.exception("import of %s (%s) failed in the database", filename, kind)
        rejections.add(0, "*", "", f"the database refused the import ({str(error).strip().splitlines()[0]}); "
                                   "nothing was imported: try again, or report this to an administrator")
    finally:
        table.close()
    if progress:
        progress("writing", 1, 1)
    return _finish(report, rejections, batches, dry_run, clock)


def _close_batch(batch: ImportBatch, report: ImportReport, target: Target, by: Any) -> None:
    batch.created, batch.updated, batch.unchanged = report.created, report.updated, report.unchanged
    batch.status, batch.finished_at = BatchStatus.APPLIED, timezone.now()
    batch.save()
    record(actor=by, verb="import.applied", subject=batch, after={
        "kind": batch.kind, "file": batch.file_name, "sha256": batch.sha256, "size": batch.size,
        "rows": batch.rows, "created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged,
        "entity": target.verb})


def _finish(report: ImportReport, rejections: Rejections, batches: list[ImportBatch], dry_run: bool,
            clock: float) -> ImportReport:
    report.rejection_count = rejections.count
    report.rejections = rejections.listed()
    report.rejected = len(rejections.rows)
    if rejections.count:
        report.created = report.updated = report.unchanged = 0
        report.status = Status.REJECTED
    elif dry_run:
        report.status = Status.DRY_RUN
    elif batches:
        report.status, report.batch_id = Status.APPLIED, batches[0].pk
    else:
        report.status = Status.UNCHANGED
    report.seconds = time.perf_counter() - clock
    return report
