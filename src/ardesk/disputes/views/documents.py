"""The dispute page's Documents section: list, upload, download, remove. Thin over services.documents.

Uploads are bounded before Django reads them: a body whose Content-Length is over the limit is refused
without parsing it, and the upload handler drops a file's bytes as soon as they pass the limit, so an
oversize file never sits whole in memory or on disk. Downloads go through the scope check and carry
the content type ardesk found in the bytes, with `nosniff`; only PDFs and images open in the browser.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from ardesk.disputes import filecheck
from ardesk.disputes.models import Dispute, Document, DocumentKind
from ardesk.disputes.queue import dispute_or_404
from ardesk.disputes.services import documents as service
from ardesk.disputes.views.detail import render_detail
from ardesk.disputes.views.panels import register
from ardesk.errors import DomainError
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.roles import Permission

CHUNK = 64 * 1024
# Room for the multipart boundaries, part headers and the small fields that travel with the file.
UPLOAD_SLACK = 64 * 1024
INLINE_TYPES = frozenset(t.content_type for t in filecheck.TYPES.values() if t.inline)
ANCHOR = "#dispute-documents"


class DocumentForm(forms.Form):
    """Its ids start with "document-": the dispute page holds other forms with a note."""

    file = forms.FileField(label="File", allow_empty_file=True)
    kind = forms.ChoiceField(label="Kind", choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    note = forms.CharField(label="Note", required=False, max_length=service.MAX_NOTE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "document-%s")
        super().__init__(*args, **kwargs)


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Django's spool-to-disk handler that stops keeping a file once it passes `limit` bytes.

    The rest of that file is read and dropped (the request must still be read to its end), and its name
    is listed in `too_large` so the view can refuse it by name."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large: list[str] = []
        self._size = 0
        self._over = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._size, self._over = 0, False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._size += len(raw_data)
        if self._size > self.limit:
            if not self._over:
                self._over = True
                self.too_large.append(self.file_name or "upload")
                self.file.close()  # a NamedTemporaryFile: closing it removes it
            return None
        super().receive_data_chunk(raw_data, start)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self._over:
            return None
        return super().file_complete(file_size)


def documents_of(dispute: Dispute) -> list[Document]:
    return list(dispute.documents.select_related("uploaded_by").order_by("-created_at", "-pk"))


@register
def documents_panel(request: HttpRequest, dispute: Dispute) -> dict[str, Any]:
    user: Any = request.user
    may_handle = user.may(Permission.HANDLE_DISPUTES)
    return {
        "documents": documents_of(dispute),
        "document_form": DocumentForm() if may_handle else None,
        "may_remove_documents": may_handle,
        "document_max_mb": f"{service.max_bytes() / (1024 * 1024):g}",
    }


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _discard_body(request: HttpRequest) -> None:
    """Read what the client sent and drop it, a chunk at a time (servers that keep the connection open
    would otherwise read the rest in one piece)."""
    while request.read(CHUNK):
        pass


def _refused(request: HttpRequest, dispute: Dispute, message: str, status: int) -> HttpResponse:
    return render_detail(request, dispute, errors=[message], status=status)


@csrf_exempt  # the CSRF check reads the body; it runs in _store_upload, once the upload is bounded
@require_POST
@requires(Permission.HANDLE_DISPUTES)
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = dispute_or_404(request.user, pk)
    limit = service.max_bytes()
    if _declared_length(request) > limit + UPLOAD_SLACK:
        _discard_body(request)
        return _refused(request, dispute, f"The upload is larger than the {limit / (1024 * 1024):g} MB a document "
                                          "may have; nothing was kept.", 413)
    handler = CappedUploadHandler(request, limit)
    request.upload_handlers = [handler]
    return _store_upload(request, dispute, handler)


@csrf_protect
def _store_upload(request: HttpRequest, dispute: Dispute, handler: CappedUploadHandler) -> HttpResponse:
    uploads = request.FILES  # reads the body through the capped handler (unless the CSRF check already has)
    if handler.too_large:
        name = filecheck.clean_filename(handler.too_large[0])
        return _refused(request, dispute, f"{name}: is larger than the {handler.limit / (1024 * 1024):g} MB a "
                                          "document may have; nothing was kept.", 413)
    form = DocumentForm(request.POST, uploads)
    if not form.is_valid():
        problems = [f"{form.fields[f].label}: {e}" if f in form.fields else str(e)
                    for f, errs in form.errors.items() for e in errs]
        return _refused(request, dispute, " ".join(problems) or "Choose a file to upload.", 400)
    upload = form.cleaned_data["file"]
    try:
        document = service.attach_document(dispute=dispute, filename=upload.name or "upload", data=upload,
                                           kind=form.cleaned_data["kind"], note=form.cleaned_data["note"],
                                           by=acting_user(request))
    except DomainError as exc:
        return _refused(request, dispute, f"{exc.message}; nothing was kept.", 400)
    finally:
        upload.close()
    messages.success(request, f"{document.filename} is kept with {dispute.number}.")
    return redirect(reverse("disputes:detail", args=[dispute.pk]) + ANCHOR)


def _document_or_404(request: HttpRequest, pk: int, doc_pk: int) -> Document:
    dispute = dispute_or_404(request.user, pk)
    document = Document.objects.filter(dispute=dispute, pk=doc_pk).select_related("dispute").first()
    if document is None:
        raise Http404("no such document")
    return document


def file_response(document: Document) -> FileResponse:
    """The document's bytes with the type found in them; only PDFs and images may open in the browser."""
    path = service.file_path(document)
    if not path.is_file():
        raise Http404("the document's file is missing; `ardesk disputes files-verify` lists such documents")
    content_type = document.content_type
    response = FileResponse(path.open("rb"), as_attachment=content_type not in INLINE_TYPES,
                            filename=document.filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@requires(Permission.VIEW_LEDGER)
def document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    # A FileResponse streams; `requires` is typed for plain responses, and either suits Django.
    return cast(HttpResponse, file_response(_document_or_404(request, pk, doc_pk)))


@require_POST
@requires(Permission.HANDLE_DISPUTES)
def document_remove(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    found = _document_or_404(request, pk, doc_pk)
    try:
        service.remove_document(document=found, reason=request.POST.get("reason", "")[:300], by=acting_user(request))
    except DomainError as exc:
        return _refused(request, found.dispute, exc.message, 400)
    messages.success(request, f"{found.filename} was removed from {found.dispute.number}.")
    return redirect(reverse("disputes:detail", args=[pk]) + ANCHOR)
