"""A mail hold (bulk loads such as the demo): the services do and audit everything but send no mail."""

from __future__ import annotations

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.disputes.mail_hold import hold_mail, mail_held
from ardesk.disputes.models import Escalation, ReasonCode
from ardesk.disputes.services import create_escalation_rule, escalate, evaluate, set_reason_code
from tests.disputes import escalation_setup
from tests.disputes.escalation_setup import Desk, open_dispute

pytestmark = pytest.mark.django_db
desk = escalation_setup.desk  # fixture
smtp = escalation_setup.smtp  # fixture


def test_the_hold_covers_only_its_block() -> None:
    assert not mail_held()
    with hold_mail():
        assert mail_held()
        with hold_mail():
            assert mail_held()
        assert mail_held()
    assert not mail_held()


def test_under_a_hold_rules_fire_and_escalate_but_nobody_is_mailed(desk: Desk, smtp,  # type: ignore[no-untyped-def]
                                                                   django_capture_on_commit_callbacks) -> None:
    create_escalation_rule(name="To manager", escalate_to="manager", by=desk.manager)
    dispute = open_dispute(desk)
    with django_capture_on_commit_callbacks(execute=True), hold_mail():
        evaluate(dispute)
        escalate(dispute=dispute, level="legal", reason="lawyer's letter", by=desk.manager)
    assert smtp.messages == []
    assert Escalation.objects.filter(dispute=dispute).count() == 2
    fired = AuditEvent.objects.get(verb="dispute.rule_fired", subject_id=str(dispute.pk))
    assert fired.after["notified"] == [] and fired.after["mail_held"] is True
    # and without the hold the same services mail again
    other = open_dispute(desk)
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(other)
    assert len(smtp.messages) == 1


def test_a_hold_follows_the_change_into_the_rules_that_look_again_after_its_commit(
        desk: Desk, smtp, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    create_escalation_rule(name="Damaged goods to legal", escalate_to="legal",
                           reason_code=ReasonCode.objects.get(code="damaged_goods"), by=desk.manager)
    dispute = open_dispute(desk)
    # the change is made under the hold; its after-commit evaluation runs once the hold's block is left
    with django_capture_on_commit_callbacks(execute=True):
        with hold_mail():
            set_reason_code(dispute=dispute, reason_code=ReasonCode.objects.get(code="damaged_goods"),
                            by=desk.analyst)
        assert not mail_held()
    dispute.refresh_from_db()
    assert dispute.escalation_level == "legal"
    assert smtp.messages == []
