"""Escalation rules at work: evaluate a dispute, escalate it (by rule or by hand), settle it by rule, review that.

`evaluate` holds the dispute's row lock while it reads the facts, asks the pure module
ardesk.disputes.escalation, and applies the answer: an Escalation row with Dispute.escalation_level/at kept in
step (and the status moved to escalated), a priority raised through `set_priority`, mail to the people
concerned once the transaction commits. Every firing is audited with the rule as actor ("rule <name>").

"At every change": the dispute services send `dispute_raised` / `dispute_changed` after they commit and the
receivers below evaluate then, in a transaction of their own. A rule that cannot be evaluated (a missing FX
rate, a mail server down) must never roll back or fail the analyst's change, and the mail of an escalation
must not leave before the change it reacts to is committed; so evaluation follows the commit instead of
joining it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from ardesk.audit.services import SystemActor, record
from ardesk.disputes import escalation as esc
from ardesk.disputes import escalation_queries as eq
from ardesk.disputes import workflow
from ardesk.disputes.mail_hold import mail_held
from ardesk.disputes.models import (
    AutoResolution,
    AutoResolutionRule,
    Dispute,
    Escalation,
    EscalationLevel,
    EscalationRule,
    Priority,
    RuleFiring,
)
from ardesk.disputes.rules import shown
from ardesk.disputes.services import segregation
from ardesk.disputes.services.handling import change_status, set_priority
from ardesk.disputes.services.resolution import close, may_write_off, resolve
from ardesk.disputes.signals import dispute_changed, dispute_raised
from ardesk.errors import Conflict, DomainError, PermissionDenied
from ardesk.identity.roles import Permission

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class ActiveRules:
    escalation: list[EscalationRule]
    auto: list[AutoResolutionRule]


@dataclass
class Evaluation:
    """What one evaluation did to one dispute."""

    dispute: Dispute
    actions: list[esc.Action] = field(default_factory=list)
    auto_resolution: AutoResolution | None = None
    why_not_auto: str = ""


def active_rules() -> ActiveRules:
    return ActiveRules(
        escalation=list(EscalationRule.objects.filter(active=True).select_related("reason_code")
                        .order_by("position", "pk")),
        auto=list(AutoResolutionRule.objects.filter(active=True).select_related("reason_code", "root_cause",
                                                                                 "approved_by").order_by("name")),
    )


def rule_spec(rule: EscalationRule) -> esc.RuleSpec:
    return esc.RuleSpec(
        id=rule.pk, name=rule.name, min_age_days=rule.min_age_days, min_amount=rule.min_amount,
        segment=rule.segment, reason_code=rule.reason_code.code if rule.reason_code else None,
        sla_breached=rule.sla_breached, min_repeat_count=rule.min_repeat_count, escalate_to=rule.escalate_to,
        raise_priority_to=rule.raise_priority_to, notify=rule.notify)


def auto_spec(rule: AutoResolutionRule) -> esc.AutoRuleSpec:
    return esc.AutoRuleSpec(
        id=rule.pk, name=rule.name, kind=rule.kind, max_amount=rule.max_amount, monthly_cap=rule.monthly_cap,
        reason_code=rule.reason_code.code if rule.reason_code else None,
        max_rejected_last_year=rule.max_rejected_last_year)


def rule_actor(name: str) -> SystemActor:
    """The audit actor of work a rule did by itself."""
    return SystemActor(f"rule {name}"[:150])


def _user_or_none(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


# Mail -------------------------------------------------------------------------------------------------


def _recipients(dispute: Dispute, *, level: str, exclude: Any = None) -> list[str]:
    """The owner, and the team's manager (escalated to a manager, or nobody owns it) or the legal address."""
    found: list[str] = []
    owner = dispute.owner
    if owner is not None and owner.email and owner.is_active and owner != exclude:
        found.append(owner.email)
    manager = eq.manager_for(dispute)
    if manager is not None and manager.email and (level == EscalationLevel.MANAGER or owner is None):
        found.append(manager.email)
    legal = getattr(settings, "ARDESK_LEGAL_EMAIL", "")
    if level == EscalationLevel.LEGAL and legal:
        found.append(legal)
    return list(dict.fromkeys(found))


def _mail_on_commit(dispute: Dispute, subject: str, lines: Iterable[str], to: list[str]) -> None:
    """Send after the commit; a mail server that is down is logged, never undoes the escalation.
    Nothing is sent under a mail hold (a bulk load such as the demo: ardesk.disputes.mail_hold)."""
    if not to or mail_held():
        return
    body = "\n".join([*lines, "", f"Dispute {dispute.number}, customer {dispute.customer.number} "
                      f"{dispute.customer.name}", f"In dispute: {shown(dispute.outstanding_amount, dispute.currency)}",
                      f"SLA date: {dispute.sla_due}", "", "-- ardesk"])
    full = f"[ardesk] {dispute.number}: {subject}"

    def send() -> None:
        try:
            send_mail(full, body, None, to)
        except Exception:  # any transport error: logged, the escalation stands
            logger.exception("escalation mail for %s to %s not sent", dispute.number, to)

    transaction.on_commit(send)


# Escalating -------------------------------------------------------------------------------------------


def _escalate_locked(locked: Dispute, level: str, *, rule: EscalationRule | None, reason: str, actor: Any,
                     by: Any) -> Escalation:
    """Record the escalation and raise the dispute's level (and status) with it. The dispute is locked."""
    escalated_to = eq.manager_for(locked) if level == EscalationLevel.MANAGER else None
    row = Escalation.objects.create(dispute=locked, rule=rule, level=level, escalated_to=escalated_to,
                                    reason=reason[:300], created_by=_user_or_none(by))
    before = {"escalation_level": locked.escalation_level, "status": locked.status}
    locked.escalation_level = esc.higher_level(locked.escalation_level, level)
    locked.escalated_at = row.created_at
    fields = ["escalation_level", "escalated_at"]
    if locked.status != workflow.Status.ESCALATED:
        state = workflow.State(workflow.Status(locked.status))
        locked.status = workflow.move(state, workflow.Status.ESCALATED).status
        fields.append("status")
    segregation.touch(locked, fields)
    record(actor=actor, verb="dispute.escalated", subject=locked, before=before, reason=reason,
           after={"escalation_level": locked.escalation_level, "status": locked.status, "escalation": row.pk,
                  "escalated_to": getattr(escalated_to, "username", None),
                  "rule": rule.name if rule else None})
    return row


@transaction.atomic
def escalate(*, dispute: Dispute, level: str, reason: str, by: Any) -> Escalation:
    """Escalate by hand, to a manager or to legal; only ever upwards."""
    if level not in EscalationLevel.values:
        raise DomainError(f"unknown escalation level {level!r}; use manager or legal", field="level")
    if not reason.strip():
        raise DomainError("say why the dispute is escalated", field="reason")
    locked = segregation.lock_dispute(dispute.pk)
    if not locked.is_open:
        raise Conflict(f"dispute {locked.number} is {locked.status}: reopen it before you escalate it",
                       field="status")
    if esc.level_rank(level) <= esc.level_rank(locked.escalation_level):
        raise Conflict(f"dispute {locked.number} is already escalated to {locked.escalation_level}", field="level")
    row = _escalate_locked(locked, level, rule=None, reason=reason.strip(), actor=by, by=by)
    _mail_on_commit(locked, f"escalated to {EscalationLevel(level).label} by {getattr(by, 'username', 'system')}",
                    [reason.strip()], _recipients(locked, level=level, exclude=by))
    return row


def _apply(locked: Dispute, rule: EscalationRule, action: esc.Action, by: Any) -> Dispute:
    actor = rule_actor(rule.name)
    why = f"by rule {rule.name}"
    done: list[str] = []
    if action.escalate_to:
        _escalate_locked(locked, action.escalate_to, rule=rule, reason=why, actor=actor, by=by)
        done.append(f"escalated to {EscalationLevel(action.escalate_to).label}")
    if action.raise_priority_to is not None:
        locked = set_priority(dispute=locked, priority=action.raise_priority_to, reason=why, by=actor)
        done.append(f"priority raised to {Priority(action.raise_priority_to).label}")
    to = _recipients(locked, level=action.escalate_to) if action.notify else []
    held = {"mail_held": True} if to and mail_held() else {}
    RuleFiring.objects.create(dispute=locked, rule=rule)
    record(actor=actor, verb=eq.FIRED_VERB, subject=locked, reason=why,
           after={"rule": rule.pk, "name": rule.name, "escalated_to": action.escalate_to or None,
                  "priority": action.raise_priority_to, "notified": [] if held else to, **held,
                  "triggered_by": getattr(by, "username", None)})
    if to:
        _mail_on_commit(locked, "; ".join(done) or f"matches rule {rule.name}", [f"Rule {rule.name}: "
                        + ("; ".join(done) or "the dispute needs attention") + "."], to)
    return locked


@transaction.atomic
def evaluate(dispute: Dispute, *, today: date | None = None, by: Any = None,
             rules: ActiveRules | None = None) -> Evaluation:
    """Apply every escalation rule that fires on the dispute now, then settle it by rule if one may."""
    day = today or timezone.localdate()
    locked = segregation.lock_dispute(dispute.pk)
    result = Evaluation(dispute=locked)
    if not locked.is_open:
        return result
    rules = rules if rules is not None else active_rules()
    if not rules.escalation and not rules.auto:
        return result
    facts = eq.dispute_facts(locked, today=day)
    by_id = {rule.pk: rule for rule in rules.escalation}
    result.actions = esc.actions_for(facts, [rule_spec(r) for r in rules.escalation])
    for action in result.actions:
        locked = _apply(locked, by_id[action.rule_id], action, by)
    if rules.auto:
        used = {rule.pk: eq.month_used(rule, today=day) for rule in rules.auto}
        decision = esc.auto_resolution_for(facts, [auto_spec(r) for r in rules.auto], used)
        result.why_not_auto = decision.why
        if decision.resolves:
            chosen = next(r for r in rules.auto if r.pk == decision.rule_id)
            try:
                with transaction.atomic():
                    result.auto_resolution = auto_resolve(dispute=locked, rule=chosen, today=day, by=by)
            except DomainError as exc:  # e.g. the cap was reached meanwhile: the escalations above stand
                result.why_not_auto = f"{chosen.name}: {exc.message}"
    result.dispute = segregation.lock_dispute(locked.pk)
    return result


# Settling by rule -------------------------------------------------------------------------------------


@transaction.atomic
def auto_resolve(*, dispute: Dispute, rule: AutoResolutionRule, today: date | None = None,
                 by: Any = None) -> AutoResolution:
    """Write the dispute off in full under the rule, close it with the rule's root cause, list it for review.

    The rule row is locked (after the dispute) while its month is summed, so concurrent runs never take a
    month over the cap. The write-off is booked with the authority (and approval limit) of the manager who
    approved the rule; every step names the rule.
    """
    day = today or timezone.localdate()
    locked = segregation.lock_dispute(dispute.pk)
    locked_rule = (AutoResolutionRule.objects.select_for_update(of=("self",))
                   .select_related("root_cause", "approved_by", "reason_code").get(pk=rule.pk))
    if not locked_rule.active:
        raise Conflict(f"auto-resolution rule {locked_rule.name} is not active", field="rule")
    facts = eq.dispute_facts(locked, today=day)
    why = esc.refusal(facts, auto_spec(locked_rule), eq.month_used(locked_rule, today=day))
    if why:
        raise Conflict(f"rule {locked_rule.name} may not settle {locked.number}: {why}", field="rule")
    assert facts.company_amount is not None  # refusal() checked it
    approver = locked_rule.approved_by
    amount = locked.outstanding_amount
    if not may_write_off(approver, amount, locked.currency, day):
        raise Conflict(f"{approver.username}, who approved rule {locked_rule.name}, may no longer write off "
                       f"{shown(amount, locked.currency)}", field="rule")
    actor = rule_actor(locked_rule.name)
    note = f"auto-resolved by rule {locked_rule.name}"
    if locked.status == workflow.Status.NEW:
        change_status(dispute=locked, to=workflow.Status.IN_REVIEW, note=note, by=actor)
    resolve(dispute=locked, outcome=workflow.Outcome.ACCEPTED, settlement="write_off", note=note, on=day,
            by=approver)
    closed = close(dispute=locked, root_cause=locked_rule.root_cause,
                   responsible_department=locked_rule.responsible_department, note=note, by=actor)
    row = AutoResolution.objects.create(dispute=closed, rule=locked_rule, amount=amount,
                                        company_amount=facts.company_amount)
    record(actor=actor, verb="dispute.auto_resolved", subject=closed, reason=note, after={
        "rule": locked_rule.name, "amount": amount, "currency": closed.currency,
        "company_amount": facts.company_amount, "approved_by": approver.username,
        "root_cause": locked_rule.root_cause.code, "responsible_department": locked_rule.responsible_department,
        "triggered_by": getattr(by, "username", None)})
    return row


@transaction.atomic
def review_auto_resolution(*, auto_resolution: AutoResolution, note: str = "", by: Any) -> AutoResolution:
    """A manager confirms they looked at what a rule settled. Reviewing twice is refused."""
    if not getattr(by, "pk", None) or not by.may(Permission.MANAGE_DISPUTE_RULES):
        raise PermissionDenied("reviewing auto-resolutions needs the rule-management permission", field="by")
    locked = (AutoResolution.objects.select_for_update(of=("self",)).select_related("dispute", "rule")
              .get(pk=auto_resolution.pk))
    if locked.reviewed_at is not None:
        raise Conflict(f"the auto-resolution of {locked.dispute.number} was already reviewed", field="reviewed")
    locked.reviewed_by, locked.reviewed_at, locked.review_note = by, timezone.now(), note.strip()[:300]
    locked.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    record(actor=by, verb="dispute.auto_resolution_reviewed", subject=locked.dispute, reason=locked.review_note,
           after={"auto_resolution": locked.pk, "rule": locked.rule.name})
    return locked


# The scheduled run ------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    evaluated: int = 0
    escalated: int = 0
    priority_raised: int = 0
    rules_fired: int = 0
    auto_resolved: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"evaluated": self.evaluated, "escalated": self.escalated, "priority_raised": self.priority_raised,
                "rules_fired": self.rules_fired, "auto_resolved": self.auto_resolved, "failed": self.failed}


def run_all(*, today: date | None = None, by: Any = None) -> RunSummary:
    """Evaluate every open dispute some active rule may act on: candidates are found in SQL per rule, then
    each is locked and evaluated in its own transaction, in batches, so one failure stops nothing else."""
    day = today or timezone.localdate()
    rules = active_rules()
    ids: set[int] = set()
    for rule in rules.escalation:
        ids.update(eq.candidates(rule, today=day).values_list("pk", flat=True))
    for auto_rule in rules.auto:
        ids.update(eq.auto_candidates(auto_rule, today=day).values_list("pk", flat=True))
    summary = RunSummary()
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        for dispute in Dispute.objects.filter(pk__in=ordered[start:start + BATCH]).order_by("pk"):
            try:
                result = evaluate(dispute, today=day, by=by, rules=rules)
            except DomainError as exc:
                summary.failed += 1
                summary.lines.append(f"{dispute.number}: not evaluated: {exc.message}")
                continue
            summary.evaluated += 1
            _count(summary, result)
    return summary


def _count(summary: RunSummary, result: Evaluation) -> None:
    number = result.dispute.number
    for action in result.actions:
        summary.rules_fired += 1
        summary.escalated += bool(action.escalate_to)
        summary.priority_raised += action.raise_priority_to is not None
        what = [f"escalated to {action.escalate_to}"] if action.escalate_to else []
        what += [f"priority {action.raise_priority_to}"] if action.raise_priority_to is not None else []
        summary.lines.append(f"{number}: rule {action.rule_name}: {', '.join(what) or 'notified'}")
    if result.auto_resolution is not None:
        summary.auto_resolved += 1
        summary.lines.append(f"{number}: auto-resolved by rule {result.auto_resolution.rule.name} "
                             f"({shown(result.auto_resolution.amount, result.dispute.currency)})")


# At every change --------------------------------------------------------------------------------------


def evaluate_quietly(dispute_ids: Iterable[int], *, by: Any = None) -> None:
    """Evaluate after a committed change; a failure is logged, never raised into the caller's request."""
    rules = active_rules()
    if not rules.escalation and not rules.auto:
        return
    for pk in sorted(set(dispute_ids)):
        try:
            evaluate(Dispute(pk=pk), by=by, rules=rules)
        except Exception:  # the change that triggered this is committed; report, go on
            logger.exception("escalation rules not evaluated for dispute %s", pk)


@receiver(dispute_raised, dispatch_uid="escalation.on_raised")
def _on_raised(sender: Any, dispute: Dispute, **kwargs: Any) -> None:
    # A new dispute also makes its customer a "repeated customer" for the other open disputes.
    others = Dispute.objects.filter(customer_id=dispute.customer_id, status__in=eq.OPEN).values_list("pk", flat=True)
    needs_others = EscalationRule.objects.filter(active=True, min_repeat_count__isnull=False).exists()
    evaluate_quietly([dispute.pk, *(others if needs_others else [])])


@receiver(dispute_changed, dispatch_uid="escalation.on_changed")
def _on_changed(sender: Any, dispute: Dispute, **kwargs: Any) -> None:
    evaluate_quietly([dispute.pk])
