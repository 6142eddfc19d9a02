"""The upload page: administrators import a file and read the outcome. Thin: the work is `run_import`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ardesk.identity.guards import acting_user, requires
from ardesk.identity.roles import Permission
from ardesk.imports.forms import UploadForm
from ardesk.imports.kinds import SPECS
from ardesk.imports.queries import recent_batches
from ardesk.imports.report import ImportReport
from ardesk.imports.services import run_import


@contextmanager
def _on_disk(upload: UploadedFile) -> Iterator[Path]:
    """The upload as a path on disk for the importer, removed afterwards."""
    if isinstance(upload, TemporaryUploadedFile):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix[:10]) as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


@requires(Permission.IMPORT)
def upload(request: HttpRequest) -> HttpResponse:
    report: ImportReport | None = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            with _on_disk(upload_file) as path:
                report = run_import(kind=form.cleaned_data["kind"], path=path,
                                    filename=Path(upload_file.name or "upload").name, by=acting_user(request),
                                    dry_run=form.cleaned_data["dry_run"])
    else:
        form = UploadForm()
    return render(request, "imports/upload.html", {
        "form": form, "report": report, "batches": recent_batches(), "specs": SPECS.values(),
    })
