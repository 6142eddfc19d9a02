"""Imports over the API: a multipart upload in, the importer's report out; 422 with rejections."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ardesk.customers.models import Customer
from ardesk.imports.models import ImportBatch
from tests.api.conftest import API, ApiClient

pytestmark = pytest.mark.django_db

GOOD = b"customer_number,name,currency,country\nC-1,Acme GmbH,EUR,DE\nC-2,Beta SA,EUR,FR\n"
BAD = b"customer_number,name,currency,country\nC-1,Acme GmbH,EUR,DE\nC-2,,XYZ,FR\n"


def upload(client: ApiClient, content: bytes, *, kind: str = "customers", dry_run: bool | None = None,
           headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"kind": kind, "file": SimpleUploadedFile("customers.csv", content, "text/csv")}
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    sent = {"Authorization": f"Bearer {client.secret}", **(headers or {})}
    return client.client.post(f"{API}/imports", data, headers=sent)


def test_a_good_file_is_imported_and_reported(api_as, admin_user):
    # when
    response = upload(api_as(admin_user, ["read", "import"]), GOOD)
    # then
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["status"], report["rows"], report["created"], report["rejections"]) == ("applied", 2, 2, [])
    assert set(Customer.objects.values_list("number", flat=True)) == {"C-1", "C-2"}


def test_a_rejected_file_is_422_naming_row_column_value_and_reason(api_as, admin_user):
    # when
    response = upload(api_as(admin_user, ["import"]), BAD)
    # then
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("import_rejected", "file")
    rejections = body["report"]["rejections"]
    assert {(r["row"], r["column"]) for r in rejections} >= {(3, "name"), (3, "currency")}
    assert any(r["value"] == "XYZ" and r["reason"] for r in rejections)
    assert not Customer.objects.exists()


def test_a_dry_run_checks_and_writes_nothing(api_as, admin_user):
    # when
    response = upload(api_as(admin_user, ["import"]), GOOD, dry_run=True)
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "dry_run"
    assert not Customer.objects.exists()


def test_importing_needs_the_import_scope_not_write(api_as, admin_user):
    # when
    response = upload(api_as(admin_user, ["read", "write"]), GOOD)
    # then
    assert response.status_code == 403
    assert "'import' scope" in response.json()["message"]
    assert not Customer.objects.exists()


def test_importing_needs_a_role_that_may_import(api_as, clerk):
    # when
    response = upload(api_as(clerk, ["import"]), GOOD)
    # then
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_an_unknown_kind_or_a_missing_file_is_422(api_as, admin_user):
    # given
    client = api_as(admin_user, ["import"])
    # when
    unknown = upload(client, GOOD, kind="spaceships")
    missing = client.client.post(f"{API}/imports", {"kind": "customers"},
                                 headers={"Authorization": f"Bearer {client.secret}"})
    # then
    assert (unknown.status_code, unknown.json()["field"]) == (422, "kind")
    assert (missing.status_code, missing.json()["field"]) == (422, "file")


def test_the_same_upload_with_the_same_key_is_answered_once(api_as, admin_user):
    # given
    client = api_as(admin_user, ["read", "import"])
    key = {"Idempotency-Key": "import-2026-11-26"}
    # when: the multipart boundary differs between the two sends; the content does not
    first = upload(client, GOOD, headers=key)
    second = upload(client, GOOD, headers=key)
    # then
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"


@pytest.mark.django_db(transaction=True)  # each upload commits on its own, as each request does
def test_batches_are_listed_newest_first(api_as, admin_user):
    # given
    client = api_as(admin_user, ["read", "import"])
    upload(client, GOOD)
    upload(client, b"customer_number,name,currency\nC-3,Gamma,EUR\n")
    # when
    listed = client.get("/imports")
    # then
    assert listed.status_code == 200
    ids = [b["id"] for b in listed.json()["items"]]
    assert ids == list(ImportBatch.objects.order_by("-started_at", "-pk").values_list("pk", flat=True))
    assert len(ids) == 2
    assert client.get(f"/imports/{ids[0]}").json()["created"] == 1


@pytest.mark.parametrize("name", ["export", "export.zip", "customers.csv"])
def test_a_zip_that_is_not_a_workbook_is_refused_not_a_crash(api_as, admin_user, name):
    # given: bytes that start like a workbook (a zip archive) but are not one
    client = api_as(admin_user, ["import"])
    data = {"kind": "customers", "file": SimpleUploadedFile(name, b"PK\x03\x04" + b"\x00" * 60)}
    # when
    response = client.client.post(f"{API}/imports", data, headers={"Authorization": f"Bearer {client.secret}"})
    # then
    assert response.status_code == 422, response.content
    assert response.json()["field"] in {"file", "header"}


def test_a_file_over_the_size_limit_is_413(api_as, admin_user, settings):
    # given
    settings.ARDESK_IMPORT_MAX_BYTES = 10
    # when
    response = upload(api_as(admin_user, ["import"]), GOOD)
    # then
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Customer.objects.exists()
