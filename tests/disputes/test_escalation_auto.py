"""Auto-resolution: small deductions from customers with a clean record are written off by rule, within limits
managers set, audited, and listed for review."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.disputes import escalation_queries as eq
from ardesk.disputes.models import ApprovalRequest, AutoResolution, AutoResolutionRule, Dispute, ReasonCode
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.disputes.services import (
    auto_resolve,
    create_auto_rule,
    deactivate_auto_rule,
    evaluate,
    review_auto_resolution,
    update_auto_rule,
)
from ardesk.errors import Conflict, DomainError, PermissionDenied
from ardesk.ledger.models import WriteOff
from ardesk.ledger.queries import cache_mismatches
from tests.disputes import escalation_setup
from tests.disputes.escalation_setup import Desk, root_cause, short_payment
from tests.factories import DisputeFactory

D = Decimal
desk = escalation_setup.desk  # fixture


def small_deductions(desk: Desk, **changes: Any) -> AutoResolutionRule:
    values: dict[str, Any] = dict(name="Small promotions", kind="deduction", max_amount=D("10.00"),
                                  monthly_cap=D("25.00"), reason_code=ReasonCode.objects.get(code="promotion"),
                                  max_rejected_last_year=0, root_cause=root_cause(),
                                  responsible_department="trade_marketing")
    values.update(changes)
    return create_auto_rule(by=desk.manager, **values)


@pytest.mark.django_db
def test_a_small_deduction_is_written_off_closed_and_listed_for_review(desk: Desk) -> None:
    # given a rule for promotion deductions up to 10 EUR
    rule = small_deductions(desk)
    deduction = short_payment(desk, short="8.00")
    # when the rules run
    result = evaluate(deduction)
    # then the deduction is written off in full and closed with the rule's root cause and department
    deduction.refresh_from_db()
    assert result.auto_resolution is not None
    assert (deduction.status, deduction.outcome, deduction.settlement) == ("closed", "accepted", "write_off")
    assert deduction.root_cause == root_cause() and deduction.responsible_department == "trade_marketing"
    assert WriteOff.objects.get().amount == D("8.00")
    row = AutoResolution.objects.get()
    assert (row.dispute, row.rule, row.amount, row.company_amount) == (deduction, rule, D("8.00"), D("8.00"))
    assert row.reviewed_at is None
    event = AuditEvent.objects.get(verb="dispute.auto_resolved")
    assert event.actor_label == "rule Small promotions" and event.reason == "auto-resolved by rule Small promotions"
    assert AuditEvent.objects.get(verb="dispute.resolved").reason == "auto-resolved by rule Small promotions"
    assert cache_mismatches() == [] and disputed_cache_mismatches() == []


@pytest.mark.django_db
def test_what_the_rule_does_not_cover_stays_with_the_analysts(desk: Desk) -> None:
    small_deductions(desk)
    too_big = short_payment(desk, short="10.01")
    wrong_reason = short_payment(desk, short="5.00", reason="pricing")
    no_reason = short_payment(desk, short="5.00", reason=None)
    for dispute in (too_big, wrong_reason, no_reason):
        result = evaluate(dispute)
        assert result.auto_resolution is None and result.why_not_auto
    assert not AutoResolution.objects.exists()
    assert Dispute.objects.filter(status="new").count() == 3


@pytest.mark.django_db
def test_a_customer_without_a_clean_record_is_not_auto_resolved(desk: Desk) -> None:
    small_deductions(desk)
    DisputeFactory(customer=desk.customer, status="resolved", outcome="rejected",
                   resolved_at=timezone.now())
    result = evaluate(short_payment(desk, short="5.00"))
    assert result.auto_resolution is None and "rejected in the last year" in result.why_not_auto


@pytest.mark.django_db
def test_the_monthly_cap_is_never_exceeded(desk: Desk) -> None:
    # given a cap of 25 and deductions of 9, 9 and 9
    small_deductions(desk)
    results = [evaluate(short_payment(desk, short="9.00")) for _ in range(3)]
    # then two were settled (18) and the third would have taken the month to 27
    assert [r.auto_resolution is not None for r in results] == [True, True, False]
    assert "monthly cap" in results[2].why_not_auto
    assert sum(AutoResolution.objects.values_list("company_amount", flat=True)) == D("18.00")


@pytest.mark.django_db
def test_rule_limits_follow_the_approving_managers_own_limit(desk: Desk) -> None:
    with pytest.raises(DomainError) as over:
        small_deductions(desk, max_amount=D("1000.01"), monthly_cap=D("5000"))
    assert over.value.field == "max_amount"
    with pytest.raises(DomainError) as cap:
        small_deductions(desk, max_amount=D("10"), monthly_cap=D("5"))
    assert cap.value.field == "monthly_cap"
    with pytest.raises(PermissionDenied):
        create_auto_rule(by=desk.analyst, name="Mine", max_amount=D("1"), monthly_cap=D("1"),
                         root_cause=root_cause(), responsible_department="sales")
    rule = small_deductions(desk)
    # a change is approved anew by whoever makes it
    changed = update_auto_rule(rule=rule, by=desk.manager, max_amount=D("12.00"))
    assert changed.max_amount == D("12.00") and changed.approved_by == desk.manager
    assert deactivate_auto_rule(rule=rule, by=desk.manager).active is False
    assert list(AuditEvent.objects.filter(subject_type="disputes.autoresolutionrule")
                .values_list("verb", flat=True)) == ["dispute_rule.auto_created", "dispute_rule.auto_updated",
                                                     "dispute_rule.auto_updated"]


@pytest.mark.django_db
def test_an_inactive_rule_settles_nothing(desk: Desk) -> None:
    rule = small_deductions(desk)
    deactivate_auto_rule(rule=rule, by=desk.manager)
    deduction = short_payment(desk, short="5.00")
    assert evaluate(deduction).auto_resolution is None
    with pytest.raises(Conflict):
        auto_resolve(dispute=deduction, rule=rule)


@pytest.mark.django_db
def test_a_manager_reviews_each_auto_resolution_once(desk: Desk) -> None:
    small_deductions(desk)
    evaluate(short_payment(desk, short="5.00"))
    row = AutoResolution.objects.get()
    with pytest.raises(PermissionDenied):
        review_auto_resolution(auto_resolution=row, by=desk.analyst)
    reviewed = review_auto_resolution(auto_resolution=row, note="fine: promo agreed", by=desk.manager)
    assert reviewed.reviewed_by == desk.manager and reviewed.review_note == "fine: promo agreed"
    with pytest.raises(Conflict):
        review_auto_resolution(auto_resolution=row, by=desk.manager)
    assert AuditEvent.objects.filter(verb="dispute.auto_resolution_reviewed").count() == 1


def _race(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""), reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_never_take_a_rule_over_its_cap(desk: Desk) -> None:
    # given a cap of 25 and three deductions of 9 evaluated at the same moment on three connections
    # (the rule comes after the deductions: raised with it active, each would be settled as it commits)
    deductions = [short_payment(desk, short="9.00") for _ in range(3)]
    rule = small_deductions(desk)
    results = _race(*[lambda d=d: auto_resolve(dispute=d, rule=rule) for d in deductions])
    # then exactly two were settled; the third was refused because of the cap
    settled = [r for r in results if isinstance(r, AutoResolution)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(settled) == 2 and len(refused) == 1, results
    assert isinstance(refused[0], Conflict) and "monthly cap" in refused[0].message
    assert sum(AutoResolution.objects.values_list("company_amount", flat=True)) == D("18.00")
    assert WriteOff.objects.count() == 2
    assert cache_mismatches() == [] and disputed_cache_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_a_deduction_raised_under_an_active_rule_is_settled_as_soon_as_it_commits(desk: Desk) -> None:
    small_deductions(desk)
    deduction = short_payment(desk, short="4.00")
    deduction.refresh_from_db()
    assert deduction.status == "closed" and AutoResolution.objects.get().dispute == deduction


@pytest.mark.django_db
def test_the_daily_run_reads_only_the_disputes_the_rule_may_settle(desk: Desk) -> None:
    # given a rule for promotion deductions up to 10 EUR, 25 EUR a month
    rule = small_deductions(desk)
    today = timezone.localdate()
    first, too_big = short_payment(desk, short="9.00"), short_payment(desk, short="10.01")
    assert set(eq.auto_candidates(rule, today=today)) == {first}
    # what is left of the month's cap bounds the amount: 9 + 9 settled leaves 7
    evaluate(first)
    second = short_payment(desk, short="9.00")
    assert set(eq.auto_candidates(rule, today=today)) == {second}
    evaluate(second)
    over_the_rest, within = short_payment(desk, short="9.00"), short_payment(desk, short="5.00")
    assert set(eq.auto_candidates(rule, today=today)) == {within}
    # a write-off waiting for a manager, and a customer whose disputes were rejected lately, are left out
    waiting = ApprovalRequest.objects.create(dispute=within, requested_by=desk.analyst, outcome="accepted",
                                             amount=D("5.00"))
    assert set(eq.auto_candidates(rule, today=today)) == set()
    waiting.delete()
    DisputeFactory(customer=desk.customer, status="resolved", outcome="rejected", resolved_at=timezone.now())
    assert set(eq.auto_candidates(rule, today=today)) == set()
    # and each left out is one the rules themselves refuse
    for dispute in (too_big, over_the_rest, within):
        assert evaluate(dispute).auto_resolution is None
