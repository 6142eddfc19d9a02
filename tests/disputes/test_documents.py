"""Documents on a dispute: kept safely, served only to who may see the dispute, refused with a reason."""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import stat
import tracemalloc
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.audit.services import SYSTEM
from ardesk.disputes import services
from ardesk.disputes.filecheck import FileRefused
from ardesk.disputes.models import Dispute, Document, Kind
from ardesk.disputes.services import documents as document_service
from ardesk.errors import PermissionDenied
from ardesk.identity.services import issue_token
from tests.disputes import samples
from tests.factories import CustomerFactory, InvoiceFactory, TeamFactory, UserFactory
from tests.identity.helpers import sign_in_fully

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    settings.ARDESK_FILES_DIR = tmp_path / "files"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "django-tmp")
    (tmp_path / "django-tmp").mkdir()
    return Path(settings.ARDESK_FILES_DIR)


@pytest.fixture
def team(db):  # type: ignore[no-untyped-def]
    return TeamFactory(name="North")


@pytest.fixture
def desk_analyst(team):  # type: ignore[no-untyped-def]
    return UserFactory(username="nina", role="dispute_analyst", team=team, approval_limit=Decimal("100.00"))


@pytest.fixture
def dispute(desk_analyst, team) -> Dispute:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(customer=CustomerFactory(team=team), amount=Decimal("100.00"))
    return services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=desk_analyst,
                                  items=[services.ItemInput(invoice=invoice, amount=Decimal("40.00"))])


def _on_disk(files: Path) -> list[str]:
    return sorted(str(p.relative_to(files)) for p in files.rglob("*") if p.is_file()) if files.exists() else []


class CountingReader(io.BytesIO):
    """A stream that remembers how many bytes were asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


# --- the service --------------------------------------------------------------------------------

@pytest.mark.parametrize(("filename", "data", "content_type"), [
    ("pod.pdf", samples.PDF, "application/pdf"),
    ("order.docx", samples.ooxml("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("damage.jpg", samples.JPEG, "image/jpeg"),
    ("lines.csv", samples.CSV, "text/csv; charset=utf-8"),
    ("complaint.eml", samples.EML, "message/rfc822"),
])
def test_an_attached_file_is_kept_outside_the_web_root_and_audited(dispute, desk_analyst, files, filename, data,
                                                                   content_type):
    document = services.attach_document(dispute=dispute, filename=filename, data=data, kind="proof_of_delivery",
                                        note="signed by the driver", by=desk_analyst)
    path = document_service.file_path(document)
    assert path.read_bytes() == data and files.resolve() in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.name != filename and len(path.name) == 32  # a random name, in a folder per day
    assert document.storage_name == f"documents/{timezone.localdate():%Y/%m/%d}/{path.name}"
    assert (document.filename, document.content_type, document.size) == (filename, content_type, len(data))
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.uploaded_by == desk_analyst
    event = AuditEvent.objects.get(verb="dispute.document_attached")
    assert (event.subject_type, event.subject_id) == ("disputes.dispute", str(dispute.pk))
    assert event.after["filename"] == filename and event.after["sha256"] == document.sha256
    assert not list((files / "documents" / ".incoming").iterdir())


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("invoice.pdf", samples.EXE, "invoice.pdf: is a Windows program"),
    ("photo.jpg", samples.HTML, "photo.jpg: is an HTML page or script"),
    ("invoice.pdf", samples.png(), "invoice.pdf: is named like a PDF document but its content is a PNG image"),
])
def test_a_refused_file_leaves_nothing_behind(dispute, desk_analyst, files, filename, data, message):
    with pytest.raises(FileRefused, match=message):
        services.attach_document(dispute=dispute, filename=filename, data=data, by=desk_analyst)
    assert not Document.objects.exists() and _on_disk(files) == []
    assert not AuditEvent.objects.filter(verb="dispute.document_attached").exists()


def test_a_file_over_the_limit_is_refused_after_reading_one_byte_more_than_allowed(dispute, desk_analyst, files,
                                                                                   settings):
    settings.ARDESK_DOCUMENT_MAX_BYTES = 1000
    stream = CountingReader(b"a" * 5_000_000)
    with pytest.raises(FileRefused, match=r"big\.txt: is larger than the 0\.000953674 MB"):
        services.attach_document(dispute=dispute, filename="big.txt", data=stream, by=desk_analyst)
    assert stream.taken == 1001
    assert _on_disk(files) == [] and not Document.objects.exists()


def test_the_same_file_twice_is_one_document(dispute, desk_analyst, files):
    first = services.attach_document(dispute=dispute, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    again = services.attach_document(dispute=dispute, filename="pod-copy.pdf", data=io.BytesIO(samples.PDF),
                                     by=desk_analyst)
    assert again.pk == first.pk and again.filename == "pod.pdf"
    assert len(_on_disk(files)) == 1 and AuditEvent.objects.filter(verb="dispute.document_attached").count() == 1


def test_the_same_file_on_another_dispute_is_kept_again(dispute, desk_analyst, team):
    invoice = InvoiceFactory(customer=dispute.customer)
    other = services.raise_dispute(customer=dispute.customer, kind=Kind.INVOICE, by=desk_analyst,
                                   items=[services.ItemInput(invoice=invoice, amount=Decimal("1.00"))])
    first = services.attach_document(dispute=dispute, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    second = services.attach_document(dispute=other, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    assert first.pk != second.pk and first.storage_name != second.storage_name


def test_removing_a_document_deletes_its_file_once_committed(dispute, desk_analyst, files,
                                                             django_capture_on_commit_callbacks):
    document = services.attach_document(dispute=dispute, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_document(document=document, reason="wrong dispute", by=desk_analyst)
    assert not Document.objects.exists() and _on_disk(files) == []
    event = AuditEvent.objects.get(verb="dispute.document_removed")
    assert event.before["filename"] == "pod.pdf" and event.reason == "wrong dispute"


def test_only_someone_who_handles_disputes_may_remove_a_document(dispute, desk_analyst, collector, files):
    document = services.attach_document(dispute=dispute, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    with pytest.raises(PermissionDenied, match="handle disputes"):
        services.remove_document(document=document, by=collector)
    assert Document.objects.filter(pk=document.pk).exists() and len(_on_disk(files)) == 1


def test_files_verify_finds_missing_changed_and_stray_files(dispute, desk_analyst, files, capsys):
    kept = services.attach_document(dispute=dispute, filename="a.pdf", data=samples.PDF, by=desk_analyst)
    changed = services.attach_document(dispute=dispute, filename="b.csv", data=samples.CSV, by=desk_analyst)
    lost = services.attach_document(dispute=dispute, filename="c.txt", data=samples.TEXT, by=desk_analyst)
    call_command("disputes", "files-verify")
    assert "3 document(s)" in capsys.readouterr().out
    document_service.file_path(changed).write_bytes(samples.CSV.replace(b"12.50", b"99.99"))
    document_service.file_path(lost).unlink()
    (files / "documents" / "2020").mkdir()
    (files / "documents" / "2020" / "orphan").write_bytes(b"x")
    (files / "mail").mkdir()
    (files / "mail" / "kept-by-comms.eml").write_bytes(samples.EML)  # another app's folder: not a stray
    report = services.verify_files()
    assert [len(report.missing), len(report.wrong), report.strays] == [1, 1, ["documents/2020/orphan"]]
    assert kept.storage_name not in " ".join(report.problems())
    with pytest.raises(CommandError, match="1 missing, 1 with wrong content, 1 stray"):
        call_command("disputes", "files-verify")


def test_stray_files_older_than_an_hour_can_be_removed(dispute, desk_analyst, files, admin_user,
                                                       django_capture_on_commit_callbacks):
    services.attach_document(dispute=dispute, filename="a.pdf", data=samples.PDF, by=desk_analyst)
    old, fresh, mail = files / "documents" / "old-stray", files / "documents" / "fresh-stray", files / "mail.eml"
    for path in (old, fresh, mail):
        path.write_bytes(b"x")
    os.utime(old, (1, 1))
    os.utime(mail, (1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        removed = document_service.remove_stray_files(by=admin_user)
    assert removed == ["documents/old-stray"] and not old.exists() and fresh.exists() and mail.exists()
    assert AuditEvent.objects.filter(verb="dispute.stray_files_removed").count() == 1


# --- pages and API -----------------------------------------------------------------------------

def _upload(client, dispute, name: str, data: bytes, kind: str = "photo"):  # type: ignore[no-untyped-def]
    return client.post(reverse("disputes:document_upload", args=[dispute.pk]),
                       {"file": SimpleUploadedFile(name, data), "kind": kind, "note": "from the page"})


def test_an_analyst_uploads_on_the_dispute_page_and_sees_it_listed(client, login_as, dispute, desk_analyst):
    login_as(desk_analyst)
    response = _upload(client, dispute, "damage.jpg", samples.JPEG)
    assert response.status_code == 302 and response["Location"].endswith("#dispute-documents")
    document = Document.objects.get()
    assert (document.kind, document.note, document.source) == ("photo", "from the page", "upload")
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert 'id="document-list"' in page and "damage.jpg" in page
    assert reverse("disputes:document", args=[dispute.pk, document.pk]) in page


def test_a_lying_upload_is_refused_on_the_page_naming_the_file(client, login_as, dispute, desk_analyst, files):
    login_as(desk_analyst)
    response = _upload(client, dispute, "invoice.pdf", samples.EXE)
    assert response.status_code == 400
    assert "invoice.pdf: is a Windows program (executable), which ardesk never keeps; nothing was kept." in \
        response.content.decode()
    assert not Document.objects.exists() and _on_disk(files) == []


def test_a_file_over_the_limit_is_dropped_while_it_streams(client, login_as, dispute, desk_analyst, files, settings,
                                                         tmp_path):
    # given a limit small enough that the body's size alone does not give the file away
    settings.ARDESK_DOCUMENT_MAX_BYTES = 100_000
    login_as(desk_analyst)
    response = _upload(client, dispute, "scan.pdf", b"%PDF-" + bytes(150_000))
    assert response.status_code == 413
    assert "scan.pdf: is larger than the 0.0953674 MB a document may have" in response.content.decode()
    assert not Document.objects.exists() and _on_disk(files) == []
    assert list((tmp_path / "django-tmp").iterdir()) == []


@pytest.mark.parametrize(("name", "data", "content_type", "disposition"), [
    ("pod.pdf", samples.PDF, "application/pdf", "inline"),
    ("order.docx", samples.ooxml("docx"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
    ("lines.csv", samples.CSV, "text/csv; charset=utf-8", "attachment"),
])
def test_a_download_carries_the_type_found_in_the_bytes(client, login_as, dispute, desk_analyst, name, data,
                                                        content_type, disposition):
    document = services.attach_document(dispute=dispute, filename=name, data=data, by=desk_analyst)
    login_as(desk_analyst)
    response = client.get(reverse("disputes:document", args=[dispute.pk, document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Content-Type"] == content_type and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'{disposition}; filename="{name}"'


def test_another_teams_analyst_gets_404_for_the_document_and_its_upload(client, login_as, dispute, desk_analyst):
    document = services.attach_document(dispute=dispute, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    outsider = UserFactory(username="oscar", role="dispute_analyst", team=TeamFactory(name="South"))
    login_as(outsider)
    assert client.get(reverse("disputes:document", args=[dispute.pk, document.pk])).status_code == 404
    assert _upload(client, dispute, "x.pdf", samples.PDF).status_code == 404
    bearer = {"Authorization": f"Bearer {_token(outsider)}"}
    assert client.get(f"/api/v1/disputes/{dispute.pk}/documents/{document.pk}", headers=bearer).status_code == 404


def test_a_document_of_another_dispute_is_not_served_under_this_one(client, login_as, dispute, desk_analyst):
    invoice = InvoiceFactory(customer=dispute.customer)
    other = services.raise_dispute(customer=dispute.customer, kind=Kind.INVOICE, by=desk_analyst,
                                   items=[services.ItemInput(invoice=invoice, amount=Decimal("1.00"))])
    document = services.attach_document(dispute=other, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    login_as(desk_analyst)
    assert client.get(reverse("disputes:document", args=[dispute.pk, document.pk])).status_code == 404


def test_removing_on_the_page(client, login_as, dispute, desk_analyst, files, django_capture_on_commit_callbacks):
    document = services.attach_document(dispute=dispute, filename="pod.pdf", data=samples.PDF, by=desk_analyst)
    login_as(desk_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("disputes:document_remove", args=[dispute.pk, document.pk]))
    assert response.status_code == 302 and not Document.objects.exists() and _on_disk(files) == []


def _token(user) -> str:  # type: ignore[no-untyped-def]
    return issue_token(user=user, name="test", scopes=["read", "write"], by=SYSTEM)[1]


def test_the_api_uploads_lists_downloads_and_removes(client, dispute, desk_analyst, files,
                                                     django_capture_on_commit_callbacks):
    bearer = {"Authorization": f"Bearer {_token(desk_analyst)}"}
    url = f"/api/v1/disputes/{dispute.pk}/documents"
    created = client.post(url, {"file": SimpleUploadedFile("po.xlsx", samples.ooxml("xlsx")),
                                "kind": "purchase_order"}, headers=bearer)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["filename"], body["kind"], body["source"], body["uploaded_by"]) == (
        "po.xlsx", "purchase_order", "api", "nina")
    again = client.post(url, {"file": SimpleUploadedFile("po.xlsx", samples.ooxml("xlsx"))}, headers=bearer)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    listed = client.get(url, headers=bearer).json()
    assert [d["id"] for d in listed["items"]] == [body["id"]]
    download = client.get(body["download_url"], headers=bearer)
    assert download.status_code == 200 and b"".join(download.streaming_content) == samples.ooxml("xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{url}/{body['id']}", headers=bearer).status_code == 204
    assert _on_disk(files) == []


def test_the_api_refuses_a_lying_file_by_name_and_a_missing_one(client, dispute, desk_analyst):
    bearer = {"Authorization": f"Bearer {_token(desk_analyst)}"}
    url = f"/api/v1/disputes/{dispute.pk}/documents"
    lying = client.post(url, {"file": SimpleUploadedFile("photo.jpg", samples.HTML)}, headers=bearer)
    assert lying.status_code == 422
    assert lying.json()["field"] == "file" and lying.json()["message"].startswith("photo.jpg: is an HTML page")
    missing = client.post(url, {"kind": "photo"}, headers=bearer)
    assert missing.status_code == 422 and missing.json()["field"] == "file"


def test_the_api_answers_413_for_a_file_over_the_limit(client, dispute, desk_analyst, files, settings):
    settings.ARDESK_DOCUMENT_MAX_BYTES = 100_000
    bearer = {"Authorization": f"Bearer {_token(desk_analyst)}"}
    url = f"/api/v1/disputes/{dispute.pk}/documents"
    streaming = client.post(url, {"file": SimpleUploadedFile("scan.pdf", b"%PDF-" + bytes(150_000))}, headers=bearer)
    assert streaming.status_code == 413 and streaming.json()["message"].startswith("scan.pdf: is larger than")
    declared = client.post(url, {"file": SimpleUploadedFile("big.pdf", b"%PDF-" + bytes(400_000))}, headers=bearer)
    assert declared.status_code == 413 and declared.json()["code"] == "payload_too_large"
    assert not Document.objects.exists() and _on_disk(files) == []


# --- a 100 MB upload over a real socket -----------------------------------------------------------

def _session_cookie(user) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    client = sign_in_fully(Client(), user)
    return client.cookies["sessionid"].value, "a" * 32


@pytest.mark.django_db(transaction=True)
def test_a_100_mb_upload_is_refused_over_http_without_holding_it(live_server, desk_analyst, dispute, files,
                                                                 tmp_path):
    session, csrf = _session_cookie(desk_analyst)
    boundary = "ardeskboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = 100 * 1024 * 1024
    block = b"%PDF-" + bytes(1024 * 1024 - 5)

    def body():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(size // len(block)):
            yield block
        yield tail

    url = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    # the first request imports the pages and the API: load them before measuring the upload
    connection.request("GET", f"/disputes/{dispute.pk}/", headers={"Cookie": f"sessionid={session}"})
    warm = connection.getresponse()
    assert warm.status == 200 and b"dispute-documents" in warm.read()
    tracemalloc.start()
    try:
        connection.request("POST", f"/disputes/{dispute.pk}/documents/", body=body(), headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
            "Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf,
            "Referer": live_server.url})
        response = connection.getresponse()
        page = response.read().decode()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        connection.close()
    assert response.status == 413
    assert "The upload is larger than the 25 MB a document may have; nothing was kept." in page
    assert peak < 10 * 1024 * 1024, f"peak memory {peak / 1e6:.1f} MB"
    assert not Document.objects.exists() and _on_disk(files) == []
    assert list((tmp_path / "django-tmp").iterdir()) == []
