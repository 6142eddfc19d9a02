"""Escalation over the API: rules, the review list, escalating by hand, running the rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ardesk.disputes.models import AutoResolution, Escalation, EscalationRule
from ardesk.disputes.services import evaluate
from ardesk.identity.models import User
from ardesk.identity.services import issue_token
from tests.api.conftest import ApiClient
from tests.disputes import escalation_setup
from tests.disputes.escalation_setup import Desk, open_dispute, short_payment
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
desk = escalation_setup.desk  # fixture


def api(user: User) -> ApiClient:
    return ApiClient(secret=issue_token(user=user, name="tests", scopes=["read", "write"], by=user)[1], user=user)


def test_a_manager_creates_changes_and_deactivates_an_escalation_rule(desk: Desk) -> None:
    client = api(desk.manager)
    created = client.post("/disputes/escalation-rules", {
        "name": "Big pricing", "min_amount": "1000.00", "reason_code": "pricing", "escalate_to": "manager",
        "raise_priority_to": 3})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["min_amount"], body["reason_code"], body["notify"], body["active"]) == ("1000.00", "pricing",
                                                                                        True, True)
    changed = client.patch(f"/disputes/escalation-rules/{body['id']}", {"min_age_days": 30, "active": False})
    assert changed.status_code == 200 and changed.json()["min_age_days"] == 30 and not changed.json()["active"]
    assert client.get("/disputes/escalation-rules").json()["items"][0]["name"] == "Big pricing"
    # refusals name the field
    unknown = client.post("/disputes/escalation-rules", {"name": "X", "reason_code": "nope", "notify": True})
    assert unknown.status_code == 404 and unknown.json()["field"] == "reason_code"
    idle = client.post("/disputes/escalation-rules", {"name": "Idle", "notify": False})
    assert idle.status_code == 422 and idle.json()["field"] == "escalate_to"
    twice = client.post("/disputes/escalation-rules", {"name": "Big pricing", "notify": True})
    assert twice.status_code == 409
    assert api(desk.analyst).get("/disputes/escalation-rules").status_code == 403


def test_auto_resolution_rules_and_their_review_list(desk: Desk) -> None:
    client = api(desk.manager)
    over = client.post("/disputes/auto-resolution-rules", {
        "name": "Too generous", "max_amount": "1000.01", "monthly_cap": "5000", "root_cause": "customer_error",
        "responsible_department": "trade_marketing"})
    assert over.status_code == 422 and over.json()["field"] == "max_amount"
    created = client.post("/disputes/auto-resolution-rules", {
        "name": "Small promotions", "kind": "deduction", "max_amount": "10", "monthly_cap": "50",
        "reason_code": "promotion", "root_cause": "customer_error", "responsible_department": "trade_marketing"})
    assert created.status_code == 201, created.content
    assert created.json()["approved_by"] == "mona" and created.json()["max_amount"] == "10.00"
    evaluate(short_payment(desk, short="6.00"))
    listed = client.get("/disputes/auto-resolutions", {"reviewed": "false"}).json()["items"]
    assert [(row["rule"], row["amount"], row["reviewed_by"]) for row in listed] == [("Small promotions", "6.00",
                                                                                      None)]
    reviewed = client.post(f"/disputes/auto-resolutions/{listed[0]['id']}/review", {"note": "agreed promo"})
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_by"] == "mona"
    assert client.post(f"/disputes/auto-resolutions/{listed[0]['id']}/review", {}).status_code == 409
    assert client.get("/disputes/auto-resolutions", {"reviewed": "false"}).json()["items"] == []
    assert AutoResolution.objects.get().review_note == "agreed promo"


def test_an_analyst_escalates_a_dispute_of_their_team_only(desk: Desk) -> None:
    dispute = open_dispute(desk)
    client = api(desk.analyst)
    done = client.post(f"/disputes/{dispute.pk}/escalate", {"level": "manager", "reason": "customer is angry"})
    assert done.status_code == 201, done.content
    assert done.json()["escalated_to"] == "mona" and done.json()["level"] == "manager"
    again = client.post(f"/disputes/{dispute.pk}/escalate", {"level": "manager", "reason": "again"})
    assert again.status_code == 409
    stranger = open_dispute(desk, customer=CustomerFactory())  # a customer of no team of hers
    assert client.post(f"/disputes/{stranger.pk}/escalate", {"level": "legal", "reason": "x"}).status_code == 404
    assert Escalation.objects.count() == 1


def test_only_an_administrator_runs_the_rules_now(desk: Desk) -> None:
    EscalationRule.objects.create(name="Any", escalate_to="legal", notify=False, created_by=desk.manager)
    open_dispute(desk)
    assert api(desk.manager).post("/disputes/escalation/run", {}).status_code == 403
    admin = UserFactory(username="ada", role="admin")
    ran = api(admin).post("/disputes/escalation/run", {})
    assert ran.status_code == 200 and ran.json()["escalated"] == 1 and ran.json()["failed"] == 0
