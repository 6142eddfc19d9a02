"""Managers keep the reason codes and root causes on a page; every change goes through the audited services."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.disputes.models import ReasonCode, RootCause

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(approver) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(approver)
    return client


def test_a_manager_adds_a_reason_code_that_routes_and_suggests(manager_client: Client, settings):
    settings.ARDESK_REQUIRE_MFA = False
    response = manager_client.post(reverse("disputes:reason_code_create"), {
        "code": "freight", "label": "Freight charged", "department": "logistics", "sla_days": "12",
        "keywords": "freight\nshipping charge\n", "active": "on"})
    assert response.status_code == 302
    row = ReasonCode.objects.get(code="freight")
    assert (row.default_department, row.sla_days, row.keyword_list) == ("logistics", 12, ["freight", "shipping charge"])
    assert AuditEvent.objects.filter(verb="reason_code.created").count() == 1
    page = manager_client.get(reverse("disputes:catalogues"))
    assert b"Freight charged" in page.content


def test_editing_keeps_the_code_and_a_bad_sla_names_the_field(manager_client: Client, settings):
    settings.ARDESK_REQUIRE_MFA = False
    row = ReasonCode.objects.order_by("pk").first()
    url = reverse("disputes:reason_code_edit", args=[row.pk])
    bad = manager_client.post(url, {"code": "renamed", "label": "X", "department": "sales", "sla_days": "999"})
    assert bad.status_code == 400 and b"sla_days" in bad.content
    ok = manager_client.post(url, {"code": "renamed", "label": "Price", "department": "pricing", "sla_days": "7"})
    assert ok.status_code == 302
    row.refresh_from_db()
    assert (row.code != "renamed", row.label, row.default_department, row.active) == (True, "Price", "pricing", False)


def test_a_duplicate_root_cause_is_a_conflict(manager_client: Client, settings):
    settings.ARDESK_REQUIRE_MFA = False
    existing = RootCause.objects.order_by("pk").first()
    response = manager_client.post(reverse("disputes:root_cause_create"), {"code": existing.code, "label": "Again"})
    assert response.status_code == 409
    assert RootCause.objects.filter(code=existing.code).count() == 1


def test_an_analyst_may_not_change_the_catalogues(analyst, settings):  # type: ignore[no-untyped-def]
    settings.ARDESK_REQUIRE_MFA = False
    client = Client()
    client.force_login(analyst)
    assert client.get(reverse("disputes:catalogues")).status_code == 403
