"""Imports over the API: upload a CSV or spreadsheet, get the import's report back.

Thin: the file goes to `ardesk.imports.services.run_import`, which checks the whole file and
applies it whole or not at all. The route needs a token with the `import` scope (not `write`)
and a role that may import. A rejected file is a 422 whose body carries the report, so the
client sees every rejection (row, column, value, reason) at once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from ardesk.apikit.access import get_or_404, require
from ardesk.apikit.auth import api_auth
from ardesk.apikit.errors import ERROR_RESPONSES, ErrorOut
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import PageQuery, page_of, paginate
from ardesk.errors import ErrorCode
from ardesk.identity.models import TokenScope
from ardesk.identity.roles import Permission
from ardesk.imports.models import ImportBatch
from ardesk.imports.report import Kind
from ardesk.imports.report import Status as ImportStatus
from ardesk.imports.services import ImportReport, run_import

router = Router(auth=api_auth(write_scope=TokenScope.IMPORT))


class RejectionOut(Schema):
    row: int = Field(description="As the user sees the file: the header is row 1.")
    column: str = Field(description='The column name, or "*" when the whole row is at fault.')
    value: str
    reason: str


class ImportReportOut(Schema):
    kind: str
    filename: str
    sha256: str
    size: int
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Rows rejected.")
    rejection_count: int = Field(description="Every rejection; `rejections` lists the first 1000.")
    rejections: list[RejectionOut]
    warnings: list[str]
    batch_id: int | None
    status: str = Field(description="applied, unchanged, rejected or dry_run.")
    dry_run: bool


class ImportRejectedOut(ErrorOut):
    report: ImportReportOut | None = None


class BatchOut(Schema):
    id: int
    kind: str
    file_name: str
    sha256: str
    size: int
    by_label: str
    engine: str
    started_at: datetime
    finished_at: datetime | None
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    status: str


class BatchFilters(PageQuery):
    kind: Kind | None = None


@contextmanager
def _on_disk(upload: UploadedFile) -> Iterator[Path]:
    """The upload as a file path for the importer; removed when the request is done with it."""
    if isinstance(upload, TemporaryUploadedFile):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix[:10]) as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def _summary(report: ImportReport) -> str:
    shown = "; ".join(str(r) for r in report.rejections[:3])
    more = f" (and {report.rejection_count - 3} more)" if report.rejection_count > 3 else ""
    return f"{report.rejected} row(s) rejected, nothing imported: {shown}{more}"


@router.post("", response={200: ImportReportOut, **ERROR_RESPONSES, 413: ErrorOut, 422: ImportRejectedOut},
             summary="Import a file")
def run(request: HttpRequest, kind: Form[Kind], file: File[UploadedFile], dry_run: Form[bool] = False) -> Any:
    """Import a file of one kind (customers, invoices, payments, …); `dry_run` checks it and writes nothing."""
    user = require(request, Permission.IMPORT)
    if file.size is not None and file.size > settings.ARDESK_IMPORT_MAX_BYTES:
        raise HttpError(413, f"the file is larger than {settings.ARDESK_IMPORT_MAX_BYTES} bytes")
    with _on_disk(file) as path:
        report = run_import(kind=kind.value, path=path, filename=Path(file.name or "upload").name, by=user,
                            dry_run=dry_run)
    body = report.as_dict()
    if report.status == ImportStatus.REJECTED:
        return Status(422, {"code": ErrorCode.IMPORT_REJECTED, "message": _summary(report), "field": "file",
                            "report": body})
    return body


@router.get("", response={200: page_of(BatchOut), **ERROR_RESPONSES}, summary="List import batches")
def list_batches(request: HttpRequest, filters: Query[BatchFilters]) -> Any:
    """Imports that changed something, newest first (rejected and unchanged files leave no batch)."""
    require(request, Permission.IMPORT)
    rows = ImportBatch.objects.all()
    if filters.kind:
        rows = rows.filter(kind=filters.kind.value)
    return paginate(rows, key="started_at", page=filters, resource="imports", newest_first=True)


@router.get("/{int:batch_id}", response={200: BatchOut, **ERROR_RESPONSES}, summary="Get a batch")
def get_batch(request: HttpRequest, batch_id: Id) -> Any:
    require(request, Permission.IMPORT)
    return get_or_404(ImportBatch.objects.all(), what="import batch", pk=batch_id)
