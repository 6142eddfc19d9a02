"""The upload page: administrators only; it shows the summary and every rejection."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ardesk.customers.models import Customer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _upload(client, content: bytes, kind: str = "customers", **extra: object):  # type: ignore[no-untyped-def]
    return client.post(reverse("imports:upload"), {
        "kind": kind, "file": SimpleUploadedFile("customers.csv", content, content_type="text/csv"), **extra})


@pytest.mark.parametrize("role", ["collector", "cash_clerk", "ar_manager", "dispute_analyst", "auditor"])
def test_only_administrators_may_open_the_page(client, login_as, role):
    login_as(UserFactory(role=role))
    assert client.get(reverse("imports:upload")).status_code == 403
    assert _upload(client, b"customer_number,name,currency\nC1,A,EUR\n").status_code == 403
    assert not Customer.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_administrator_imports_a_file_and_sees_the_summary(client, login_as, admin_user):
    login_as(admin_user)
    page = client.get(reverse("imports:upload"))
    assert page.status_code == 200 and b"Import from the ERP" in page.content
    response = _upload(client, b"customer_number,name,currency\nC1,Alpha,EUR\nC2,Beta,EUR\n")
    assert response.status_code == 200
    body = response.content.decode()
    assert "customers.csv:" in body and "imported" in body
    assert 'id="report-created">2<' in body
    assert Customer.objects.count() == 2
    assert "customers.csv</td>" in body  # listed among the recent imports


def test_rejections_are_listed_with_row_column_value_and_reason(client, login_as, admin_user):
    login_as(admin_user)
    body = _upload(client, b"customer_number,name,currency\nC1,Alpha,EURO\n").content.decode()
    assert "rejected, nothing imported" in body
    assert "<td class=\"num\">2</td>" in body and "<td>currency</td>" in body and "<td>EURO</td>" in body
    assert not Customer.objects.exists()


def test_a_file_above_the_size_limit_is_refused_before_reading(client, login_as, admin_user, settings):
    settings.ARDESK_IMPORT_MAX_BYTES = 10
    login_as(admin_user)
    body = _upload(client, b"customer_number,name,currency\nC1,Alpha,EUR\n").content.decode()
    assert "the limit is 10" in body and 'id="import-report"' not in body
    assert not Customer.objects.exists()


def test_a_dry_run_from_the_page_writes_nothing(client, login_as, admin_user):
    login_as(admin_user)
    body = _upload(client, b"customer_number,name,currency\nC1,Alpha,EUR\n", dry_run="on").content.decode()
    assert "checked, nothing written" in body and not Customer.objects.exists()
