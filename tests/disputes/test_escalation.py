"""Escalation rules applied to real disputes: escalate, raise priority, notify, once; by hand; at every change."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.disputes.models import Escalation, EscalationRule, Priority, ReasonCode
from ardesk.disputes.services import (
    change_status,
    create_escalation_rule,
    escalate,
    evaluate,
    resolve,
    set_reason_code,
)
from ardesk.errors import Conflict, DomainError
from tests.disputes import escalation_setup
from tests.disputes.escalation_setup import Desk, open_dispute

pytestmark = pytest.mark.django_db
D = Decimal
desk = escalation_setup.desk  # fixture
smtp = escalation_setup.smtp  # fixture


def test_an_old_dispute_is_escalated_to_the_team_manager_and_its_priority_raised(desk: Desk) -> None:
    # given a rule for disputes older than 30 days above 100 EUR
    rule = create_escalation_rule(name="Old and big", min_age_days=30, min_amount=D("100"), escalate_to="manager",
                                  raise_priority_to=Priority.HIGH, notify=False, by=desk.manager)
    dispute = open_dispute(desk)
    today = timezone.localdate()
    # when it is evaluated 29 days on, nothing happens; at 30 days the rule fires
    assert evaluate(dispute, today=today + timedelta(days=29)).actions == []
    result = evaluate(dispute, today=today + timedelta(days=30))
    # then
    dispute.refresh_from_db()
    assert [a.rule_name for a in result.actions] == ["Old and big"]
    assert dispute.escalation_level == "manager" and dispute.escalated_at is not None
    assert dispute.status == "escalated" and dispute.priority == Priority.HIGH
    row = Escalation.objects.get(dispute=dispute)
    assert (row.rule, row.level, row.escalated_to) == (rule, "manager", desk.manager)
    events = AuditEvent.objects.filter(subject_id=str(dispute.pk), actor_label="rule Old and big")
    assert set(events.values_list("verb", flat=True)) == {"dispute.escalated", "dispute.priority_changed",
                                                          "dispute.rule_fired"}
    assert all(e.reason == "by rule Old and big" for e in events)


def test_a_rule_fires_once_however_often_it_is_evaluated(desk: Desk) -> None:
    create_escalation_rule(name="Any", escalate_to="manager", notify=False, by=desk.manager)
    dispute = open_dispute(desk)
    evaluate(dispute)
    version = type(dispute).objects.get(pk=dispute.pk).version
    # when evaluated again
    again = evaluate(dispute)
    # then nothing more happens
    assert again.actions == []
    assert Escalation.objects.filter(dispute=dispute).count() == 1
    assert type(dispute).objects.get(pk=dispute.pk).version == version


def test_legal_wins_over_manager_and_the_priority_never_drops(desk: Desk) -> None:
    create_escalation_rule(name="Manager", escalate_to="manager", raise_priority_to=Priority.URGENT, notify=False,
                           by=desk.manager)
    create_escalation_rule(name="Legal", escalate_to="legal", raise_priority_to=Priority.HIGH, notify=False,
                           by=desk.manager)
    dispute = open_dispute(desk)
    evaluate(dispute)
    dispute.refresh_from_db()
    assert dispute.escalation_level == "legal" and dispute.priority == Priority.URGENT
    assert list(Escalation.objects.filter(dispute=dispute).values_list("level", "escalated_to")) == [("legal", None)]


def test_conditions_on_segment_reason_and_breached_sla(desk: Desk) -> None:
    pricing = ReasonCode.objects.get(code="pricing")
    create_escalation_rule(name="Retail pricing late", segment="retail", reason_code=pricing, sla_breached=True,
                           raise_priority_to=Priority.URGENT, notify=False, by=desk.manager)
    dispute = open_dispute(desk)
    dispute.refresh_from_db()
    assert evaluate(dispute, today=dispute.sla_due).actions == []  # due today is not breached
    assert evaluate(dispute, today=dispute.sla_due + timedelta(days=1)).actions[0].raise_priority_to == 4
    other = open_dispute(desk, reason="damaged_goods")
    assert evaluate(other, today=other.sla_due + timedelta(days=1)).actions == []


def test_a_repeated_customer_is_escalated(desk: Desk) -> None:
    create_escalation_rule(name="Third in 90 days", min_repeat_count=3, escalate_to="manager", notify=False,
                           by=desk.manager)
    first, second = open_dispute(desk), open_dispute(desk)
    assert evaluate(first).actions == []
    third = open_dispute(desk)
    assert [a.escalate_to for a in evaluate(third).actions] == ["manager"]
    assert [a.escalate_to for a in evaluate(second).actions] == ["manager"]


def test_a_settled_dispute_is_left_alone(desk: Desk) -> None:
    create_escalation_rule(name="Any", escalate_to="manager", notify=False, by=desk.manager)
    dispute = open_dispute(desk)
    change_status(dispute=dispute, to="in_review", by=desk.analyst)
    resolve(dispute=dispute, outcome="rejected", by=desk.analyst)
    assert evaluate(dispute).actions == []
    assert not Escalation.objects.exists()


def test_escalating_by_hand_goes_only_upwards(desk: Desk) -> None:
    dispute = open_dispute(desk)
    with pytest.raises(DomainError) as no_reason:
        escalate(dispute=dispute, level="manager", reason=" ", by=desk.analyst)
    assert no_reason.value.field == "reason"
    row = escalate(dispute=dispute, level="manager", reason="customer threatens to stop ordering", by=desk.analyst)
    assert row.escalated_to == desk.manager and row.created_by == desk.analyst and row.rule is None
    with pytest.raises(Conflict):
        escalate(dispute=dispute, level="manager", reason="again", by=desk.analyst)
    escalate(dispute=dispute, level="legal", reason="lawyer's letter received", by=desk.analyst)
    dispute.refresh_from_db()
    assert dispute.escalation_level == "legal" and dispute.status == "escalated"
    with pytest.raises(DomainError):
        escalate(dispute=dispute, level="ceo", reason="x", by=desk.analyst)
    assert AuditEvent.objects.filter(verb="dispute.escalated", actor_id=desk.analyst.pk).count() == 2


def test_rules_look_again_at_every_change_once_it_commits(desk: Desk, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # given a rule on damaged goods, and a dispute raised as pricing
    create_escalation_rule(name="Damaged goods to legal", reason_code=ReasonCode.objects.get(code="damaged_goods"),
                           escalate_to="legal", notify=False, by=desk.manager)
    with django_capture_on_commit_callbacks(execute=True):
        dispute = open_dispute(desk)
    dispute.refresh_from_db()
    assert dispute.escalation_level == ""
    # when the analyst changes the reason code
    with django_capture_on_commit_callbacks(execute=True):
        set_reason_code(dispute=dispute, reason_code=ReasonCode.objects.get(code="damaged_goods"), by=desk.analyst)
    # then the rule fired after the change committed
    dispute.refresh_from_db()
    assert dispute.escalation_level == "legal"


def test_a_new_dispute_is_evaluated_when_raised(desk: Desk, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    create_escalation_rule(name="Big", min_amount=D("400"), raise_priority_to=Priority.HIGH, notify=False,
                           by=desk.manager)
    with django_capture_on_commit_callbacks(execute=True):
        big = open_dispute(desk, amount="450.00")
        small = open_dispute(desk, amount="50.00")
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.priority, small.priority) == (Priority.HIGH, Priority.NORMAL)


def test_escalation_mail_reaches_the_manager_the_owner_and_legal(desk: Desk, smtp,  # type: ignore[no-untyped-def]
                                                                 django_capture_on_commit_callbacks) -> None:
    create_escalation_rule(name="To manager", escalate_to="manager", by=desk.manager)
    dispute = open_dispute(desk)
    # when the rule fires and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(dispute)
    # then one message went to the owner and the team's manager
    [(recipients, message)] = smtp.messages
    assert sorted(recipients) == ["dana@example.com", "mona@example.com"]
    assert dispute.number in message["Subject"] and "AR manager" in message["Subject"]
    assert "Rule To manager" in message.get_payload()
    # and escalating to legal by hand writes to the legal address (and the owner), not to the one who did it
    with django_capture_on_commit_callbacks(execute=True):
        escalate(dispute=dispute, level="legal", reason="lawyer's letter", by=desk.manager)
    recipients, message = smtp.messages[1]
    assert sorted(recipients) == ["dana@example.com", "legal@example.com"]
    assert "lawyer's letter" in message.get_payload()


def test_the_mail_waits_for_the_commit(desk: Desk, smtp,  # type: ignore[no-untyped-def]
                                                       django_capture_on_commit_callbacks) -> None:
    create_escalation_rule(name="To manager", escalate_to="manager", by=desk.manager)
    dispute = open_dispute(desk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evaluate(dispute)
    # the mail waits for the commit: nothing was sent while the transaction was open
    assert len(callbacks) == 1 and smtp.messages == []


def test_a_rule_needs_an_action_and_a_manager(desk: Desk) -> None:
    with pytest.raises(DomainError) as nothing:
        create_escalation_rule(name="Idle", notify=False, by=desk.manager)
    assert nothing.value.field == "escalate_to"
    with pytest.raises(DomainError, match="only a manager"):
        create_escalation_rule(name="Mine", escalate_to="manager", by=desk.analyst)
    create_escalation_rule(name="Twice", escalate_to="manager", by=desk.manager)
    with pytest.raises(Conflict):
        create_escalation_rule(name="Twice", escalate_to="legal", by=desk.manager)
    assert EscalationRule.objects.count() == 1
