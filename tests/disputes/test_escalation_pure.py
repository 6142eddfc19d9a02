"""The pure escalation rules: which fire, what they do, and the limits of auto-resolution."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ardesk.disputes.escalation import (
    LEVELS,
    AutoRuleSpec,
    DisputeFacts,
    RuleSpec,
    actions_for,
    apply_actions,
    auto_resolution_for,
    level_rank,
    sla_state,
)

D = Decimal


def facts(**changes: object) -> DisputeFacts:
    base: dict[str, object] = dict(age_days=10, company_amount=D("50.00"), segment="retail", reason_code="pricing",
                                   sla_breached=False, repeat_count=1, kind="deduction", priority=2, level="",
                                   is_open=True, rejected_last_year=0)
    base.update(changes)
    return DisputeFacts(**base)  # type: ignore[arg-type]


def test_a_rule_fires_only_when_every_condition_it_names_holds() -> None:
    rule = RuleSpec(1, "old and big", min_age_days=30, min_amount=D("1000"), escalate_to="manager")
    assert actions_for(facts(age_days=29, company_amount=D("5000")), [rule]) == []
    assert actions_for(facts(age_days=30, company_amount=D("999.99")), [rule]) == []
    assert actions_for(facts(age_days=30, company_amount=None), [rule]) == []  # no FX rate: unknown amount
    [action] = actions_for(facts(age_days=30, company_amount=D("1000")), [rule])
    assert action.escalate_to == "manager" and action.rule_name == "old and big"


def test_segment_reason_sla_and_repeat_conditions() -> None:
    rule = RuleSpec(1, "r", segment="wholesale", reason_code="damaged", sla_breached=True, min_repeat_count=3,
                    raise_priority_to=4)
    hit = facts(segment="wholesale", reason_code="damaged", sla_breached=True, repeat_count=3)
    assert actions_for(hit, [rule])[0].raise_priority_to == 4
    for miss in (facts(segment="retail", reason_code="damaged", sla_breached=True, repeat_count=3),
                 facts(segment="wholesale", reason_code="pricing", sla_breached=True, repeat_count=3),
                 facts(segment="wholesale", reason_code="damaged", sla_breached=False, repeat_count=3),
                 facts(segment="wholesale", reason_code="damaged", sla_breached=True, repeat_count=2)):
        assert actions_for(miss, [rule]) == []


def test_the_highest_level_wins_and_the_other_rules_still_fire() -> None:
    manager = RuleSpec(1, "to manager", escalate_to="manager", raise_priority_to=3)
    legal = RuleSpec(2, "to legal", escalate_to="legal")
    actions = actions_for(facts(), [manager, legal])
    assert [(a.rule_id, a.escalate_to, a.raise_priority_to) for a in actions] == [(1, "", 3), (2, "legal", None)]


def test_a_closed_dispute_and_a_rule_already_fired_do_nothing() -> None:
    rule = RuleSpec(7, "r", escalate_to="manager")
    assert actions_for(facts(is_open=False), [rule]) == []
    assert actions_for(facts(fired=frozenset({7})), [rule]) == []


def test_sla_state() -> None:
    today = date(2026, 11, 20)
    assert sla_state(is_open=True, sla_due=today - timedelta(days=1), today=today) == "breached"
    assert sla_state(is_open=True, sla_due=today, today=today) == "due_soon"
    assert sla_state(is_open=True, sla_due=today + timedelta(days=2), today=today) == "due_soon"
    assert sla_state(is_open=True, sla_due=today + timedelta(days=3), today=today) == "on_track"
    assert sla_state(is_open=False, sla_due=today - timedelta(days=9), today=today) == ""


def test_the_queue_uses_this_sla_rule_not_a_copy() -> None:
    # The queue's filter, its rows and the dispute page must never disagree with the rules about "breached".
    from ardesk.disputes import escalation, queue

    assert queue.sla_state is escalation.sla_state
    assert queue.DUE_SOON_DAYS == escalation.DUE_SOON_DAYS


rule_specs = st.lists(
    st.builds(RuleSpec, id=st.integers(1, 6), name=st.just("r"),
              min_age_days=st.none() | st.integers(0, 60),
              min_amount=st.none() | st.decimals(0, 5000, places=2),
              sla_breached=st.booleans(),
              escalate_to=st.sampled_from(LEVELS), raise_priority_to=st.none() | st.integers(1, 4),
              notify=st.booleans()),
    max_size=6, unique_by=lambda r: r.id)
dispute_facts = st.builds(
    facts, age_days=st.integers(0, 90), company_amount=st.none() | st.decimals(0, 6000, places=2),
    sla_breached=st.booleans(), priority=st.integers(1, 4), level=st.sampled_from(LEVELS),
    fired=st.frozensets(st.integers(1, 6), max_size=3))


@given(dispute_facts, rule_specs)
def test_priority_and_level_never_go_down(before: DisputeFacts, rules: list[RuleSpec]) -> None:
    actions = actions_for(before, rules)
    after = apply_actions(before, actions)
    assert after.priority >= before.priority
    assert level_rank(after.level) >= level_rank(before.level)
    assert sum(1 for a in actions if a.escalate_to) <= 1
    assert all(a.raise_priority_to is None or a.raise_priority_to > before.priority for a in actions)
    assert not {a.rule_id for a in actions} & before.fired


@given(dispute_facts, rule_specs)
def test_firing_twice_changes_nothing(before: DisputeFacts, rules: list[RuleSpec]) -> None:
    once = apply_actions(before, actions_for(before, rules))
    assert actions_for(once, rules) == []
    assert apply_actions(once, actions_for(once, rules)) == once


def auto_rule(**changes: object) -> AutoRuleSpec:
    base: dict[str, object] = dict(id=1, name="small deductions", kind="deduction", max_amount=D("100.00"),
                                   monthly_cap=D("500.00"), reason_code=None, max_rejected_last_year=0)
    base.update(changes)
    return AutoRuleSpec(**base)  # type: ignore[arg-type]


def test_auto_resolution_needs_kind_reason_amount_clean_record_and_room_under_the_cap() -> None:
    rule = auto_rule(reason_code="pricing")
    assert auto_resolution_for(facts(), [rule], {}).resolves
    assert "not invoice" in auto_resolution_for(facts(kind="invoice"), [rule], {}).why
    assert "reason" in auto_resolution_for(facts(reason_code="damaged"), [rule], {}).why
    assert "no reason code" in auto_resolution_for(facts(reason_code=None), [auto_rule()], {}).why
    assert "maximum" in auto_resolution_for(facts(company_amount=D("100.01")), [rule], {}).why
    assert "rejected" in auto_resolution_for(facts(rejected_last_year=1), [rule], {}).why
    assert "cap" in auto_resolution_for(facts(), [rule], {1: D("450.01")}).why
    assert auto_resolution_for(facts(), [rule], {1: D("450.00")}).resolves  # exactly at the cap is allowed
    assert not auto_resolution_for(facts(blocked=True), [rule], {}).resolves
    assert not auto_resolution_for(facts(has_auto_resolution=True), [rule], {}).resolves
    assert not auto_resolution_for(facts(company_amount=None), [rule], {}).resolves


@given(amounts=st.lists(st.decimals(D("0.01"), D("150"), places=2), max_size=40),
       cap=st.decimals(D("1"), D("1000"), places=2), max_amount=st.decimals(D("1"), D("200"), places=2))
def test_auto_resolution_never_exceeds_its_limits(amounts: list[Decimal], cap: Decimal, max_amount: Decimal) -> None:
    rule = auto_rule(max_amount=max_amount, monthly_cap=cap)
    used = D(0)
    for amount in amounts:
        decision = auto_resolution_for(facts(company_amount=amount), [rule], {rule.id: used})
        if decision.resolves:
            assert amount <= max_amount
            used += amount
    assert used <= cap
