"""Which escalation rules fire on a dispute, what they do, and whether a rule may settle it by itself.

Pure: no Django import. The escalation service reads a dispute's facts and the active rules, asks this
module, and applies the answer under the dispute's row lock; tests drive it directly and with hypothesis.

Guarantees the service relies on:
- a rule fires at most once per dispute (the facts carry the rules already fired);
- the escalation level and the priority only ever go up; when several rules fire at once the highest
  level wins and the others still count as fired (they may raise priority or notify);
- an auto-resolution never settles more than the rule's per-dispute maximum nor takes the rule's month
  over its cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

DUE_SOON_DAYS = 2  # the queue (ardesk.disputes.queue) imports this window and sla_state
REPEAT_WINDOW_DAYS = 90  # "repeated customer": the customer's disputes raised in this many days
CLEAN_RECORD_DAYS = 365  # "clean record": the customer's disputes rejected in this many days

# Levels in order; "" is "not escalated".
LEVELS: tuple[str, ...] = ("", "manager", "legal")

Sla = Literal["breached", "due_soon", "on_track", ""]


def sla_state(*, is_open: bool, sla_due: date, today: date) -> Sla:
    """Where a dispute stands against its SLA date; a settled dispute has no SLA state ("")."""
    if not is_open:
        return ""
    if sla_due < today:
        return "breached"
    if sla_due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "on_track"


def level_rank(level: str) -> int:
    """0 for not escalated, 1 for a manager, 2 for legal; an unknown level is an error, never a silent 0."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"unknown escalation level {level!r}") from None


def higher_level(a: str, b: str) -> str:
    return a if level_rank(a) >= level_rank(b) else b


@dataclass(frozen=True)
class DisputeFacts:
    """What rules look at, read under the dispute's lock. `company_amount` is None when no FX rate is known."""

    age_days: int
    company_amount: Decimal | None  # the outstanding amount in the company currency
    segment: str
    reason_code: str | None
    sla_breached: bool
    repeat_count: int  # the customer's disputes raised in the last REPEAT_WINDOW_DAYS, this one included
    kind: str
    priority: int
    level: str  # the current escalation level ("" when not escalated)
    is_open: bool
    rejected_last_year: int  # the customer's disputes rejected in the last CLEAN_RECORD_DAYS
    fired: frozenset[int] = frozenset()  # ids of the escalation rules that already fired on this dispute
    has_auto_resolution: bool = False
    blocked: bool = False  # a write-off already waits for approval: leave it to people


@dataclass(frozen=True)
class RuleSpec:
    """An escalation rule: conditions (None / "" / False = any) and actions."""

    id: int
    name: str
    min_age_days: int | None = None
    min_amount: Decimal | None = None
    segment: str = ""
    reason_code: str | None = None
    sla_breached: bool = False
    min_repeat_count: int | None = None
    escalate_to: str = ""
    raise_priority_to: int | None = None
    notify: bool = True


@dataclass(frozen=True)
class Action:
    """What one firing rule does. `escalate_to` is "" when the rule's level is not above where the dispute is."""

    rule_id: int
    rule_name: str
    escalate_to: str = ""
    raise_priority_to: int | None = None
    notify: bool = False


def matches(facts: DisputeFacts, rule: RuleSpec) -> bool:
    """Every condition the rule names holds for the dispute (open disputes only)."""
    if not facts.is_open:
        return False
    if rule.min_age_days is not None and facts.age_days < rule.min_age_days:
        return False
    if rule.min_amount is not None and (facts.company_amount is None or facts.company_amount < rule.min_amount):
        return False
    if rule.segment and facts.segment != rule.segment:
        return False
    if rule.reason_code is not None and facts.reason_code != rule.reason_code:
        return False
    if rule.sla_breached and not facts.sla_breached:
        return False
    return rule.min_repeat_count is None or facts.repeat_count >= rule.min_repeat_count


def actions_for(facts: DisputeFacts, rules: Iterable[RuleSpec]) -> list[Action]:
    """The actions of every rule that fires now, in the rules' order.

    A rule already fired is skipped. Only the rule(s) with the highest level escalate, and only above the
    dispute's current level; priority is raised only above the current priority (and the running one, so
    two rules never lower what the first raised).
    """
    firing = [rule for rule in rules if rule.id not in facts.fired and matches(facts, rule)]
    target = facts.level
    for rule in firing:
        if rule.escalate_to:
            target = higher_level(target, rule.escalate_to)
    escalated = False
    priority = facts.priority
    actions: list[Action] = []
    for rule in firing:
        escalate = ""
        if (rule.escalate_to and not escalated and rule.escalate_to == target
                and level_rank(target) > level_rank(facts.level)):
            escalate, escalated = target, True
        raise_to = None
        if rule.raise_priority_to is not None and rule.raise_priority_to > priority:
            raise_to = priority = rule.raise_priority_to
        actions.append(Action(rule.id, rule.name, escalate, raise_to, rule.notify))
    return actions


def apply_actions(facts: DisputeFacts, actions: Sequence[Action]) -> DisputeFacts:
    """The facts after the actions: what the service stores. Used by tests to check the guarantees."""
    level, priority = facts.level, facts.priority
    for action in actions:
        if action.escalate_to:
            level = higher_level(level, action.escalate_to)
        if action.raise_priority_to is not None:
            priority = max(priority, action.raise_priority_to)
    fired = facts.fired | {a.rule_id for a in actions}
    return DisputeFacts(**{**facts.__dict__, "level": level, "priority": priority, "fired": frozenset(fired)})


@dataclass(frozen=True)
class AutoRuleSpec:
    """An auto-resolution rule: which disputes it may settle by itself and its limits (company currency)."""

    id: int
    name: str
    kind: str
    max_amount: Decimal
    monthly_cap: Decimal
    reason_code: str | None = None
    max_rejected_last_year: int = 0


@dataclass(frozen=True)
class AutoDecision:
    """Whether a rule settles the dispute; `why` says what stopped it (for the command's output and tests)."""

    rule_id: int | None
    why: str = ""
    checked: list[str] = field(default_factory=list)

    @property
    def resolves(self) -> bool:
        return self.rule_id is not None


def refusal(facts: DisputeFacts, rule: AutoRuleSpec, month_used: Decimal) -> str:
    """Why the rule may not settle this dispute ("" when it may)."""
    if not facts.is_open:
        return "the dispute is not open"
    if facts.has_auto_resolution:
        return "the dispute was auto-resolved before"
    if facts.blocked:
        return "a write-off waits for approval"
    if facts.kind != rule.kind:
        return f"the rule settles {rule.kind} disputes, not {facts.kind}"
    if facts.reason_code is None:
        return "the dispute has no reason code yet"
    if rule.reason_code is not None and facts.reason_code != rule.reason_code:
        return f"the rule settles reason {rule.reason_code}, not {facts.reason_code}"
    if facts.company_amount is None:
        return "no FX rate to the company currency"
    if facts.company_amount <= 0 or facts.company_amount > rule.max_amount:
        return f"{facts.company_amount} is above the rule's maximum of {rule.max_amount}"
    if facts.rejected_last_year > rule.max_rejected_last_year:
        return (f"the customer had {facts.rejected_last_year} dispute(s) rejected in the last year "
                f"(at most {rule.max_rejected_last_year})")
    if month_used + facts.company_amount > rule.monthly_cap:
        return f"the rule's monthly cap of {rule.monthly_cap} would be exceeded ({month_used} used)"
    return ""


def auto_resolution_for(facts: DisputeFacts, rules: Iterable[AutoRuleSpec],
                        month_used: dict[int, Decimal]) -> AutoDecision:
    """The first rule (in the given order) that may settle the dispute, or why none may."""
    reasons: list[str] = []
    for rule in rules:
        why = refusal(facts, rule, month_used.get(rule.id, Decimal(0)))
        if not why:
            return AutoDecision(rule.id, checked=reasons)
        reasons.append(f"{rule.name}: {why}")
    return AutoDecision(None, why="; ".join(reasons) or "no auto-resolution rule is active", checked=reasons)
