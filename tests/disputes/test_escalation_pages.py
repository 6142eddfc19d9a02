"""The rule pages, the review list with SLA breach counts, and the dispute page's escalation panel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ardesk.disputes.models import AutoResolution, AutoResolutionRule, Escalation, EscalationRule, ReasonCode
from ardesk.disputes.services import create_auto_rule, evaluate
from tests.disputes import escalation_setup
from tests.disputes.escalation_setup import Desk, open_dispute, root_cause, short_payment

pytestmark = pytest.mark.django_db
D = Decimal
desk = escalation_setup.desk  # fixture


def test_a_manager_creates_edits_and_deactivates_an_escalation_rule(desk: Desk, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(desk.manager)
    form = client.get(reverse("disputes:escalation_rule_create"))
    assert form.status_code == 200 and b'id="rule-form"' in form.content
    pricing = ReasonCode.objects.get(code="pricing")
    done = client.post(reverse("disputes:escalation_rule_create"), {
        "name": "Old pricing", "min_age_days": "30", "reason_code": pricing.pk, "escalate_to": "manager",
        "raise_priority_to": "3", "notify": "on", "active": "on"})
    assert done.status_code == 302 and done["Location"] == reverse("disputes:rules")
    rule = EscalationRule.objects.get()
    assert (rule.min_age_days, rule.reason_code, rule.escalate_to, rule.raise_priority_to, rule.notify) == (
        30, pricing, "manager", 3, True)
    listing = client.get(reverse("disputes:rules")).content.decode()
    assert "Old pricing" in listing and "older than 30 days" in listing and "escalate to AR manager" in listing
    edited = client.post(reverse("disputes:escalation_rule_edit", args=[rule.pk]), {
        "name": "Old pricing", "min_age_days": "45", "escalate_to": "legal", "active": "on"})
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert (rule.min_age_days, rule.escalate_to, rule.reason_code, rule.notify) == (45, "legal", None, False)
    client.post(reverse("disputes:escalation_rule_deactivate", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.active is False


def test_a_refused_rule_shows_the_form_again_with_the_reason(desk: Desk, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(desk.manager)
    idle = client.post(reverse("disputes:escalation_rule_create"), {"name": "Idle", "active": "on"})
    assert idle.status_code == 400 and b"must escalate, raise the priority or notify" in idle.content
    over = client.post(reverse("disputes:auto_rule_create"), {
        "name": "Generous", "kind": "deduction", "max_amount": "5000", "monthly_cap": "9000",
        "max_rejected_last_year": "0", "root_cause": root_cause().pk, "responsible_department": "sales"})
    assert over.status_code == 400 and b"above your write-off approval limit" in over.content
    assert not EscalationRule.objects.exists() and not AutoResolutionRule.objects.exists()


def test_an_analyst_may_not_manage_rules(desk: Desk, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(desk.analyst)
    assert client.get(reverse("disputes:rules")).status_code == 403
    assert client.post(reverse("disputes:escalation_rule_create"), {"name": "X", "notify": "on"}).status_code == 403
    assert not EscalationRule.objects.exists()


def test_the_review_list_shows_what_rules_settled_and_the_sla_breaches(desk: Desk, client, login_as) -> None:  # type: ignore[no-untyped-def]
    create_auto_rule(by=desk.manager, name="Small promotions", max_amount=D("10"), monthly_cap=D("100"),
                     root_cause=root_cause(), responsible_department="trade_marketing")
    evaluate(short_payment(desk, short="7.00"))
    late = open_dispute(desk)
    type(late).objects.filter(pk=late.pk).update(sla_due=late.raised_on.replace(year=late.raised_on.year - 1))
    login_as(desk.manager)
    page = client.get(reverse("disputes:auto_resolutions")).content.decode()
    row = AutoResolution.objects.get()
    assert row.dispute.number in page and "Small promotions" in page and "7.00 EUR" in page
    assert 'id="sla-by-reason"' in page and "Pricing</td><td class=\"num\">1" in page
    assert "dana</td><td class=\"num\">1" in page
    client.post(reverse("disputes:auto_resolution_review", args=[row.pk]), {"note": "ok"})
    row.refresh_from_db()
    assert row.reviewed_by == desk.manager and row.review_note == "ok"
    assert b"Nothing to review." in client.get(reverse("disputes:auto_resolutions")).content


def test_the_dispute_page_shows_escalations_and_escalates_by_hand(desk: Desk, client, login_as) -> None:  # type: ignore[no-untyped-def]
    dispute = open_dispute(desk)
    login_as(desk.analyst)
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert 'id="dispute-escalations"' in page and "Not escalated." in page and 'id="escalate-form"' in page
    done = client.post(reverse("disputes:escalate", args=[dispute.pk]), {"level": "manager",
                                                                        "reason": "customer threatens to leave"})
    assert done.status_code == 302
    page = client.get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    assert "customer threatens to leave" in page and "AR manager (mona)" in page
    refused = client.post(reverse("disputes:escalate", args=[dispute.pk]), {"level": "manager", "reason": "again"})
    assert refused.status_code == 409 and b"already escalated to manager" in refused.content
    assert Escalation.objects.count() == 1
