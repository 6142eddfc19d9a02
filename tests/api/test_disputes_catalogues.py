"""The reason-code and root-cause catalogues over the API: everyone reads, managers maintain, all audited."""

from __future__ import annotations

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.disputes.models import ReasonCode, RootCause
from ardesk.disputes.services import suggest_reason
from tests.api.conftest import error_of
from tests.api.dispute_support import *  # noqa: F403  (the fixtures)

pytestmark = pytest.mark.django_db


def test_everyone_reads_the_catalogues_in_picker_order(api_as, analyst):
    api = api_as(analyst)
    codes = api.get("/disputes/reason-codes", {"limit": 200}).json()["items"]
    assert codes[0]["code"] == "pricing" and codes[0]["department"] == "sales" and "price" in codes[0]["keywords"]
    causes = api.get("/disputes/root-causes").json()["items"]
    assert [c["code"] for c in causes][:2] == ["pricing_error", "shipping_error"]


def test_a_manager_adds_a_reason_code_the_suggester_uses_at_once(api_as, approver):
    api = api_as(approver)
    response = api.post("/disputes/reason-codes", {
        "code": "freight", "label": "Freight charges", "department": "logistics", "sla_days": 7,
        "keywords": ["Freight", "shipping fee", "freight", ""]})
    assert response.status_code == 201, response.content
    assert response.json()["keywords"] == ["freight", "shipping fee"]
    event = AuditEvent.objects.get(verb="reason_code.created")
    assert event.after is not None
    assert event.actor_id == approver.pk and event.after["sla_days"] == 7
    found = suggest_reason("you charged a shipping fee we never agreed to")
    assert found is not None and found[0].code == "freight"


def test_a_manager_retires_a_reason_code_and_changes_its_sla(api_as, approver):
    api = api_as(approver)
    pk = ReasonCode.objects.get(code="tax").pk
    response = api.patch(f"/disputes/reason-codes/{pk}", {"sla_days": 25, "active": False})
    assert response.status_code == 200 and (response.json()["sla_days"], response.json()["active"]) == (25, False)
    event = AuditEvent.objects.get(verb="reason_code.updated")
    assert event.before is not None and event.after is not None
    assert (event.before["sla_days"], event.after["sla_days"]) == (15, 25)


def test_a_patch_that_changes_nothing_records_nothing(api_as, approver):
    pk = ReasonCode.objects.get(code="tax").pk
    assert api_as(approver).patch(f"/disputes/reason-codes/{pk}", {"sla_days": 15}).status_code == 200
    assert not AuditEvent.objects.filter(verb="reason_code.updated").exists()


def test_a_code_that_exists_is_a_conflict(api_as, approver):
    response = api_as(approver).post("/disputes/reason-codes", {"code": "pricing", "label": "Again",
                                                               "department": "sales", "sla_days": 3})
    assert response.status_code == 409 and error_of(response)["field"] == "code"


def test_bad_catalogue_input_names_the_field(api_as, approver):
    api = api_as(approver)
    bad_sla = api.post("/disputes/reason-codes", {"code": "x", "label": "X", "department": "sales", "sla_days": 400})
    assert bad_sla.status_code == 422 and error_of(bad_sla)["field"] == "sla_days"
    bad_department = api.post("/disputes/reason-codes", {"code": "x", "label": "X", "department": "moon",
                                                         "sla_days": 4})
    assert bad_department.status_code == 422 and error_of(bad_department)["field"] == "department"


def test_root_causes_are_added_and_renamed(api_as, approver):
    api = api_as(approver)
    created = api.post("/disputes/root-causes", {"code": "carrier_damage", "label": "Carrier damage"})
    assert created.status_code == 201 and created.json()["position"] > RootCause.objects.get(code="other").position
    renamed = api.patch(f"/disputes/root-causes/{created.json()['id']}", {"label": "Damaged by the carrier"})
    assert renamed.json()["label"] == "Damaged by the carrier"
    assert AuditEvent.objects.filter(verb__startswith="root_cause.").count() == 2


def test_an_analyst_may_not_change_the_catalogues(api_as, analyst):
    api = api_as(analyst)
    assert api.post("/disputes/root-causes", {"code": "x", "label": "X"}).status_code == 403
    pk = ReasonCode.objects.get(code="tax").pk
    assert api.patch(f"/disputes/reason-codes/{pk}", {"active": False}).status_code == 403
    assert ReasonCode.objects.get(pk=pk).active is True
