"""Documents of a dispute over the API: list, upload (multipart), download, remove.

The upload is bounded before anything reads the body (a view decorator on this router, which runs
outside authentication and the Idempotency-Key guard): a Content-Length over the limit is a 413 at
once, and a file that passes the limit while it streams is dropped and refused by name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ardesk.apikit.access import get_or_404, require
from ardesk.apikit.errors import ERROR_RESPONSES, ApiErrorCode, ErrorOut, error_body
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import PageQuery, page_of, paginate
from ardesk.disputes.api import reads
from ardesk.disputes.filecheck import clean_filename
from ardesk.disputes.models import Document, DocumentKind, DocumentSource
from ardesk.disputes.services import documents as service
from ardesk.disputes.views.documents import UPLOAD_SLACK, CappedUploadHandler, file_response
from ardesk.errors import DomainError
from ardesk.identity.roles import Permission

ERRORS = ERROR_RESPONSES
router = Router()
_HANDLER = "_ardesk_document_upload"


class DocumentOut(Schema):
    id: int
    dispute_id: int
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    source: str
    note: str
    uploaded_by: str | None
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_uploaded_by(obj: Document) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by else None

    @staticmethod
    def resolve_download_url(obj: Document) -> str:
        return reverse("api:download_dispute_document", kwargs={"dispute_id": obj.dispute_id, "document_id": obj.pk})


def _too_large(message: str) -> JsonResponse:
    return JsonResponse(error_body(ApiErrorCode.PAYLOAD_TOO_LARGE, message, "file"), status=413)


def bounded_uploads(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A "view" decorator: multipart POSTs to this router are capped at the document limit before parsing."""

    @wraps(run)
    def bounded(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST" or request.content_type != "multipart/form-data":
            return run(request, **kwargs)
        limit = service.max_bytes()
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit + UPLOAD_SLACK:
            while request.read(64 * 1024):
                pass  # drop what was sent, a chunk at a time
            return _too_large(f"the upload is larger than the {limit / (1024 * 1024):g} MB a document may have")
        handler = CappedUploadHandler(request, limit)
        request.upload_handlers = [handler]
        setattr(request, _HANDLER, handler)
        return run(request, **kwargs)

    return bounded


router.add_decorator(bounded_uploads, mode="view")


def _documents(dispute_id: int) -> Any:
    return Document.objects.filter(dispute_id=dispute_id).select_related("uploaded_by")


@router.get("/{int:dispute_id}/documents", response={200: page_of(DocumentOut), **ERRORS},
            summary="List a dispute's documents")
def list_documents(request: HttpRequest, dispute_id: Id, page: Query[PageQuery]) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    dispute = reads.dispute(user, dispute_id)
    return paginate(_documents(dispute.pk), key="id", page=page, resource=f"dispute-documents:{dispute_id}")


@router.post("/{int:dispute_id}/documents", response={200: DocumentOut, 201: DocumentOut, 413: ErrorOut, **ERRORS},
             summary="Upload a document")
def upload_document(request: HttpRequest, dispute_id: Id, file: File[UploadedFile | None] = None,
                    kind: Form[DocumentKind] = DocumentKind.OTHER, note: Form[str] = "") -> Any:
    """Multipart with `file` (and optionally `kind`, `note`). The type is judged by content; a refusal names
    the file and the reason. The same bytes again answer 200 with the document already kept."""
    user = require(request, Permission.HANDLE_DISPUTES)
    dispute = reads.dispute(user, dispute_id)
    handler: CappedUploadHandler | None = getattr(request, _HANDLER, None)
    if handler is not None and handler.too_large:
        return _too_large(f"{clean_filename(handler.too_large[0])}: is larger than the "
                          f"{handler.limit / (1024 * 1024):g} MB a document may have")
    if file is None:
        raise DomainError("send the document as the multipart field `file`", field="file")
    known = set(_documents(dispute.pk).values_list("pk", flat=True))
    try:
        document = service.attach_document(dispute=dispute, filename=file.name or "upload", data=file,
                                           kind=kind.value, source=DocumentSource.API, note=note, by=user)
    finally:
        file.close()
    return Status(200 if document.pk in known else 201, _documents(dispute.pk).get(pk=document.pk))


def _document(request: HttpRequest, dispute_id: int, document_id: int) -> Document:
    user = require(request, Permission.VIEW_LEDGER)
    dispute = reads.dispute(user, dispute_id)
    return get_or_404(_documents(dispute.pk), what="document", pk=document_id)


@router.get("/{int:dispute_id}/documents/{int:document_id}", response={200: None, **ERRORS},
            summary="Download a document", url_name="download_dispute_document",
            openapi_extra={"responses": {"200": {"description": "The file, with the content type found in it.",
                                                 "content": {"application/octet-stream": {
                                                     "schema": {"type": "string", "format": "binary"}}}}}})
def download_document(request: HttpRequest, dispute_id: Id, document_id: Id) -> HttpResponse:
    """The bytes, as an attachment (PDFs and images inline), with `X-Content-Type-Options: nosniff`."""
    return file_response(_document(request, dispute_id, document_id))  # type: ignore[return-value]


@router.delete("/{int:dispute_id}/documents/{int:document_id}", response={204: None, **ERRORS},
               summary="Remove a document")
def remove_document(request: HttpRequest, dispute_id: Id, document_id: Id) -> Any:
    user = require(request, Permission.HANDLE_DISPUTES)
    service.remove_document(document=_document(request, dispute_id, document_id), by=user)
    return Status(204, None)
