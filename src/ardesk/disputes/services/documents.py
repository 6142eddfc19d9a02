"""Documents on a dispute: attach (from an upload, the API or a mail attachment), remove, verify the files.

The bytes are read once, into a temporary file under settings.ARDESK_FILES_DIR, never more than
ARDESK_DOCUMENT_MAX_BYTES + 1 of them; the type is decided by content (ardesk.disputes.filecheck); the
file moves into place (ardesk.disputes.filestore) before its row is written, so a row always has its
file. A refusal writes nothing and leaves nothing on disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.disputes import filecheck, filestore
from ardesk.disputes.filecheck import FileRefused
from ardesk.disputes.models import Dispute, Document, DocumentKind, DocumentSource
from ardesk.errors import DomainError, NotFound, PermissionDenied
from ardesk.identity.roles import Permission

MAX_NOTE = 300
STRAY_GRACE_SECONDS = 3600  # a file younger than this may belong to an upload still in its transaction


def files_dir() -> Path:
    return Path(settings.ARDESK_FILES_DIR)


def allowed_types() -> frozenset[str]:
    names = frozenset(getattr(settings, "ARDESK_DOCUMENT_TYPES", filecheck.DEFAULT_ALLOWED))
    unknown = names - set(filecheck.TYPES)
    if unknown:
        raise ImproperlyConfigured(f"ARDESK_DOCUMENT_TYPES names unknown types {sorted(unknown)}; known: "
                                   f"{', '.join(filecheck.TYPES)}")
    return names


def max_bytes() -> int:
    return int(settings.ARDESK_DOCUMENT_MAX_BYTES)


def file_path(document: Document) -> Path:
    """Where the document's bytes are (for serving them)."""
    return filestore.path_of(files_dir(), document.storage_name)


def _choice(value: str, choices: list[str], what: str) -> str:
    if value not in choices:
        raise DomainError(f"unknown document {what} {value!r}; one of: {', '.join(choices)}", field=what)
    return value


def _too_large(name: str, limit: int) -> FileRefused:
    return FileRefused(name, f"is larger than the {limit / (1024 * 1024):g} MB a document may have")


def _facts(document: Document) -> dict[str, Any]:
    return {"document": document.pk, "filename": document.filename, "kind": document.kind,
            "content_type": document.content_type, "size": document.size, "sha256": document.sha256,
            "source": document.source}


@transaction.atomic
def attach_document(*, dispute: Dispute, filename: str, data: filestore.Source, kind: str = DocumentKind.OTHER,
                    source: str = DocumentSource.UPLOAD, note: str = "", by: Any) -> Document:
    """Keep a file as proof on a dispute. The same bytes on the same dispute again return the document
    already kept (nothing new is written or audited). FileRefused names the file and the reason."""
    name = filecheck.clean_filename(filename)
    _choice(kind, DocumentKind.values, "kind")
    _choice(source, DocumentSource.values, "source")
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise DomainError(f"a document's note has at most {MAX_NOTE} characters", field="note")
    base, limit = files_dir(), max_bytes()
    try:
        with filestore.spool(base, data, limit=limit) as spooled:
            if spooled.size == 0:
                raise FileRefused(name, "is empty")
            existing = Document.objects.filter(dispute=dispute, sha256=spooled.sha256).first()
            if existing is not None:
                return existing
            checked = filecheck.check(spooled.path, name, allowed=allowed_types())
            storage_name = filestore.store(base, spooled, today=timezone.localdate())
    except filestore.TooLarge:
        raise _too_large(name, limit) from None
    try:
        with transaction.atomic():
            document = Document.objects.create(
                dispute=dispute, kind=kind, filename=name, content_type=checked.content_type, size=spooled.size,
                sha256=spooled.sha256, storage_name=storage_name, source=source, note=note,
                uploaded_by=by if getattr(by, "pk", None) else None)
    except IntegrityError:
        # The same file, sent twice at once: the other request kept it first.
        filestore.delete(base, storage_name)
        existing = Document.objects.filter(dispute=dispute, sha256=spooled.sha256).first()
        if existing is None:
            raise
        return existing
    except BaseException:
        filestore.delete(base, storage_name)
        raise
    try:
        record(actor=by, verb="dispute.document_attached", subject=dispute, after=_facts(document), reason=note)
    except BaseException:
        filestore.delete(base, storage_name)
        raise
    return document


@transaction.atomic
def remove_document(*, document: Document, reason: str = "", by: Any) -> None:
    """Take a document off its dispute. Only someone who works disputes may; the file goes once the
    removal has committed (a rolled-back removal keeps it)."""
    if not getattr(by, "pk", None) or not by.may(Permission.HANDLE_DISPUTES):
        raise PermissionDenied("removing a document needs the permission to handle disputes", field="by")
    locked = Document.objects.select_for_update().filter(pk=document.pk).select_related("dispute").first()
    if locked is None:
        raise NotFound("no such document", field="document")
    facts, storage_name, base = _facts(locked), locked.storage_name, files_dir()
    locked.delete()
    record(actor=by, verb="dispute.document_removed", subject=locked.dispute, before=facts, reason=reason)
    transaction.on_commit(lambda: filestore.delete(base, storage_name))


@dataclass
class FilesReport:
    """What `ardesk disputes files-verify` found. Sound when every list is empty."""

    checked: int = 0
    missing: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not (self.missing or self.wrong or self.strays)

    def problems(self) -> list[str]:
        return ([f"missing file for {m}" for m in self.missing] + [f"wrong content for {w}" for w in self.wrong]
                + [f"stray file {s} (no document refers to it)" for s in self.strays])


def verify_files(*, deep: bool = True) -> FilesReport:
    """Every document has its file with its size (and, when `deep`, its sha256); no file lacks a document."""
    base, report = files_dir(), FilesReport()
    known: set[str] = set()
    rows = Document.objects.order_by("pk").values_list("pk", "dispute_id", "storage_name", "size", "sha256")
    for pk, dispute_id, storage_name, size, sha256 in rows.iterator(chunk_size=2000):
        report.checked += 1
        known.add(storage_name)
        label = f"document {pk} of dispute {dispute_id} ({storage_name})"
        try:
            path = filestore.path_of(base, storage_name)
        except ValueError:
            report.wrong.append(label)
            continue
        if not path.is_file():
            report.missing.append(label)
        elif path.stat().st_size != size or (deep and filestore.digest_of(path) != (size, sha256)):
            report.wrong.append(label)
    report.strays = sorted(set(filestore.stored_names(base)) - known)
    return report


@transaction.atomic
def remove_stray_files(*, by: Any, older_than: int = STRAY_GRACE_SECONDS) -> list[str]:
    """Delete files no document refers to (left by a transaction that rolled back after the file moved in),
    once they are older than `older_than` seconds so an upload still committing is never touched."""
    base = files_dir()
    known = set(Document.objects.values_list("storage_name", flat=True))
    cutoff = time.time() - older_than
    removed = [name for name in sorted(set(filestore.stored_names(base)) - known)
               if (base / name).stat().st_mtime < cutoff]
    incoming = filestore.incoming_dir(base)
    stale = [p for p in incoming.iterdir() if p.stat().st_mtime < cutoff] if incoming.exists() else []
    if removed or stale:
        record(actor=by, verb="dispute.stray_files_removed", subject=("files", "disputes"),
               before={"files": removed, "incoming": [p.name for p in stale]})
        for name in removed:
            transaction.on_commit(lambda name=name: filestore.delete(base, name))  # type: ignore[misc]
        for path in stale:
            transaction.on_commit(lambda path=path: path.unlink(missing_ok=True))  # type: ignore[misc]
    return removed
