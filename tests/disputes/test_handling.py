"""Working a dispute: status, assignment, reason code, comments, tasks and offers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.disputes import services
from ardesk.disputes.models import Dispute, Kind, ReasonCode, Task
from ardesk.disputes.queries import open_disputes, timeline
from ardesk.disputes.signals import user_mentioned
from ardesk.disputes.workflow import IllegalTransition
from ardesk.errors import Conflict, DomainError, StaleVersion
from ardesk.money import InvalidAmount
from tests.factories import InvoiceFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _dispute(by, amount: str = "40.00") -> Dispute:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(amount=D("100.00"))
    return services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=by,
                                  items=[services.ItemInput(invoice=invoice, amount=D(amount))])


def test_changing_status_is_recorded_with_before_and_after(analyst):
    dispute = _dispute(analyst)
    moved = services.change_status(dispute=dispute, to="in_review", note="looking at the POD", by=analyst)
    assert moved.status == "in_review" and moved.version == dispute.version + 1
    event = AuditEvent.objects.get(verb="dispute.status_changed")
    assert (event.before, event.after, event.reason) == ({"status": "new"}, {"status": "in_review"},
                                                        "looking at the POD")


def test_an_illegal_status_change_is_refused_and_changes_nothing(analyst):
    dispute = _dispute(analyst)
    with pytest.raises(IllegalTransition, match="cannot go from new to resolved"):
        services.change_status(dispute=dispute, to="resolved", by=analyst)
    dispute.refresh_from_db()
    assert dispute.status == "new" and dispute.version == 1
    assert not AuditEvent.objects.filter(verb="dispute.status_changed").exists()


def test_a_change_made_on_a_stale_page_is_refused(analyst):
    dispute = _dispute(analyst)
    services.change_status(dispute=dispute, to="in_review", by=analyst)
    with pytest.raises(StaleVersion):
        services.change_status(dispute=dispute, to="escalated", version=dispute.version, by=analyst)


def test_bulk_assignment_gives_each_dispute_an_owner_and_a_department(analyst, second_analyst):
    disputes = [_dispute(analyst) for _ in range(3)]
    assigned = services.assign(disputes=disputes, owner=second_analyst, department="billing", by=analyst)
    assert {(d.owner_id, d.department) for d in assigned} == {(second_analyst.pk, "billing")}
    assert AuditEvent.objects.filter(verb="dispute.assigned").count() == 3
    # reassigning to the same owner changes nothing
    services.assign(disputes=disputes, owner=second_analyst, by=analyst)
    assert AuditEvent.objects.filter(verb="dispute.assigned").count() == 3


def test_a_read_only_user_cannot_own_a_dispute(analyst):
    auditor = UserFactory(role="auditor")
    with pytest.raises(DomainError, match="cannot own disputes"):
        services.assign(disputes=[_dispute(analyst)], owner=auditor, by=analyst)


def test_choosing_the_reason_code_restarts_the_sla_and_may_reroute(analyst):
    dispute = _dispute(analyst)
    tax = ReasonCode.objects.get(code="tax")
    chosen = services.set_reason_code(dispute=dispute, reason_code=tax, reroute=True, by=analyst)
    assert chosen.reason_code == tax and chosen.department == "tax"
    assert chosen.sla_due == chosen.raised_on + timedelta(days=tax.sla_days)


def test_a_comment_links_the_people_it_mentions_and_tells_them_after_commit(analyst, second_analyst,
                                                                             django_capture_on_commit_callbacks):
    dispute = _dispute(analyst)
    heard: list[list[str]] = []

    def receiver(sender, comment, users, **kwargs):  # type: ignore[no-untyped-def]
        heard.append([u.username for u in users])

    user_mentioned.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            comment = services.add_comment(dispute=dispute, by=analyst,
                                           body="@Dirk can you check the price list? cc @nobody, mail x@dana.com")
    finally:
        user_mentioned.disconnect(receiver)
    assert list(comment.mentions.values_list("username", flat=True)) == ["dirk"]
    assert heard == [["dirk"]]
    assert AuditEvent.objects.get(verb="dispute.commented").after["mentions"] == ["dirk"]
    assert timeline(dispute).first().verb == "dispute.commented"


def test_an_empty_comment_is_refused(analyst):
    with pytest.raises(DomainError, match="cannot be empty"):
        services.add_comment(dispute=_dispute(analyst), body="   ", by=analyst)


def test_a_task_is_added_and_completed_once(analyst, second_analyst):
    dispute = _dispute(analyst)
    due = timezone.localdate() + timedelta(days=3)
    task = services.add_task(dispute=dispute, title="Send the proof of delivery", department="logistics",
                             assignee=second_analyst, due_date=due, by=analyst)
    done = services.complete_task(task=task, note="POD attached", by=second_analyst)
    again = services.complete_task(task=task, by=analyst)
    assert done.done and done.done_by == second_analyst and again.done_by == second_analyst
    assert AuditEvent.objects.filter(verb="dispute.task_completed").count() == 1
    assert [e.verb for e in timeline(dispute)][:2] == ["dispute.task_completed", "dispute.task_added"]


def test_a_task_cannot_be_due_in_the_past_nor_go_to_an_unknown_department(analyst):
    dispute = _dispute(analyst)
    with pytest.raises(DomainError, match="in the past"):
        services.add_task(dispute=dispute, title="x", department="logistics",
                          due_date=timezone.localdate() - timedelta(days=1), by=analyst)
    with pytest.raises(DomainError, match="unknown department"):
        services.add_task(dispute=dispute, title="x", department="marketing", by=analyst)
    assert not Task.objects.exists()


def test_offers_stay_within_what_is_in_dispute(analyst):
    dispute = _dispute(analyst, "40.00")
    services.record_offer(dispute=dispute, kind="offer", party="company", amount=D("15.00"), by=analyst)
    services.record_offer(dispute=dispute, kind="counter_offer", party="customer", amount=D("30.00"),
                          note="they want 30", by=analyst)
    assert list(dispute.offers.values_list("amount", flat=True)) == [D("15.00"), D("30.00")]
    with pytest.raises(InvalidAmount, match=r"between 0 and the 40\.00 EUR"):
        services.record_offer(dispute=dispute, kind="offer", party="company", amount=D("40.01"), by=analyst)


def test_work_on_a_resolved_dispute_is_refused_until_reopened(analyst, pricing):
    dispute = _dispute(analyst)
    services.set_reason_code(dispute=dispute, reason_code=pricing, by=analyst)
    services.change_status(dispute=dispute, to="in_review", by=analyst)
    services.resolve(dispute=dispute, outcome="rejected", by=analyst)
    with pytest.raises(Conflict, match="reopen it"):
        services.add_task(dispute=dispute, title="late", department="sales", by=analyst)


def test_the_queue_shows_only_open_disputes_of_visible_customers(analyst):
    team = TeamFactory()
    analyst.team = team
    analyst.save()
    mine = InvoiceFactory(customer__team=team)
    services.raise_dispute(customer=mine.customer, kind=Kind.INVOICE, items=[services.ItemInput(invoice=mine)],
                           by=analyst)
    _dispute(analyst)  # a customer of no team of the analyst's
    assert [d.customer_id for d in open_disputes(analyst)] == [mine.customer_id]
