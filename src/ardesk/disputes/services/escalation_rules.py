"""Managers configure escalation rules and auto-resolution rules: create, change, deactivate; each audited.

Only users with MANAGE_DISPUTE_RULES may; an auto-resolution rule is approved by whoever saves it, and its
per-dispute maximum may not exceed that person's own write-off approval limit (the rule books write-offs
with their authority).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ardesk.audit.services import record, snapshot
from ardesk.disputes.models import (
    AutoResolutionRule,
    Department,
    EscalationLevel,
    EscalationRule,
    Kind,
    Priority,
    ReasonCode,
    RootCause,
)
from ardesk.errors import Conflict, DomainError, PermissionDenied
from ardesk.identity.roles import Permission
from ardesk.money import InvalidAmount, check_amount

ESCALATION_FIELDS = ("name", "active", "position", "min_age_days", "min_amount", "segment", "reason_code",
                     "sla_breached", "min_repeat_count", "escalate_to", "raise_priority_to", "notify")
AUTO_FIELDS = ("name", "active", "kind", "max_amount", "reason_code", "max_rejected_last_year", "root_cause",
               "responsible_department", "monthly_cap")
_AUDITED_AUTO = (*AUTO_FIELDS, "approved_by")


def _check_manager(by: Any) -> None:
    if not getattr(by, "pk", None) or not by.may(Permission.MANAGE_DISPUTE_RULES):
        raise PermissionDenied("only a manager with the rule-management permission may change dispute rules")


def _name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise DomainError("a rule needs a name", field="name")
    if len(name) > 100:
        raise DomainError("a rule's name is limited to 100 characters", field="name")
    return name


def _count(value: Any, field: str, *, maximum: int = 100_000) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise DomainError(f"{field} must be a whole number from 0 to {maximum}", field=field)
    return value


def _money(value: Any, field: str, *, positive: bool) -> Decimal | None:
    if value is None or value == "":
        return None
    amount = check_amount(value, settings.ARDESK_COMPANY_CURRENCY, field=field, positive=positive)
    if amount < 0:
        raise InvalidAmount(f"{field} cannot be negative", field=field)
    return amount


def _reason(value: Any) -> ReasonCode | None:
    if value is not None and not isinstance(value, ReasonCode):
        raise DomainError("unknown reason code", field="reason_code")
    return value


def _clean_escalation(values: dict[str, Any]) -> dict[str, Any]:
    clean = dict(values)
    clean["name"] = _name(values.get("name"))
    for name in ("min_age_days", "min_repeat_count"):
        clean[name] = _count(values.get(name), name)
    clean["position"] = _count(values.get("position"), "position") or 0
    clean["min_amount"] = _money(values.get("min_amount"), "min_amount", positive=False)
    clean["segment"] = str(values.get("segment") or "").strip()
    if len(clean["segment"]) > 40:
        raise DomainError("a segment is limited to 40 characters", field="segment")
    clean["reason_code"] = _reason(values.get("reason_code"))
    clean["escalate_to"] = values.get("escalate_to") or ""
    if clean["escalate_to"] and clean["escalate_to"] not in EscalationLevel.values:
        raise DomainError(f"unknown escalation level {clean['escalate_to']!r}; use manager or legal",
                          field="escalate_to")
    raise_to = values.get("raise_priority_to")
    if raise_to is not None and raise_to not in Priority.values:
        raise DomainError(f"unknown priority {raise_to!r}", field="raise_priority_to")
    clean["raise_priority_to"] = raise_to
    clean["sla_breached"], clean["notify"] = bool(values.get("sla_breached")), bool(values.get("notify"))
    clean["active"] = bool(values.get("active", True))
    if not clean["escalate_to"] and raise_to is None and not clean["notify"]:
        raise DomainError("a rule must escalate, raise the priority or notify", field="escalate_to")
    return clean


def _save(row: EscalationRule | AutoResolutionRule) -> None:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise Conflict(f"a rule named {row.name!r} already exists", field="name") from exc


def _merged(row: Any, fields: tuple[str, ...], changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(fields)
    if unknown:
        raise DomainError(f"unknown rule field(s): {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    return {name: changes[name] if name in changes else getattr(row, name, None) for name in fields}


@transaction.atomic
def create_escalation_rule(*, by: Any, **values: Any) -> EscalationRule:
    """A new rule; conditions left empty match any dispute. It runs from the next evaluation on."""
    _check_manager(by)
    clean = _clean_escalation(_merged(EscalationRule(), ESCALATION_FIELDS, values))
    rule = EscalationRule(**clean, created_by=by)
    _save(rule)
    record(actor=by, verb="dispute_rule.escalation_created", subject=rule,
           after=snapshot(rule, list(ESCALATION_FIELDS)))
    return rule


@transaction.atomic
def update_escalation_rule(*, rule: EscalationRule, by: Any, **changes: Any) -> EscalationRule:
    """Change any field (also `active`). A rule that already fired on a dispute does not fire there again."""
    _check_manager(by)
    locked = EscalationRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(locked, list(ESCALATION_FIELDS))
    clean = _clean_escalation(_merged(locked, ESCALATION_FIELDS, changes))
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.updated_at = timezone.now()
    _save(locked)
    after = snapshot(locked, list(ESCALATION_FIELDS))
    if after != before:
        record(actor=by, verb="dispute_rule.escalation_updated", subject=locked, before=before, after=after)
    return locked


def deactivate_escalation_rule(*, rule: EscalationRule, by: Any) -> EscalationRule:
    """Stop the rule from firing; deactivating twice changes nothing."""
    return update_escalation_rule(rule=rule, by=by, active=False)


def _clean_auto(values: dict[str, Any], by: Any) -> dict[str, Any]:
    clean = dict(values)
    clean["name"] = _name(values.get("name"))
    if values.get("kind") not in Kind.values:
        raise DomainError(f"unknown dispute kind {values.get('kind')!r}", field="kind")
    for name in ("max_amount", "monthly_cap"):
        amount = _money(values.get(name), name, positive=True)
        if amount is None:
            raise InvalidAmount(f"{name} is required", field=name)
        clean[name] = amount
    if clean["monthly_cap"] < clean["max_amount"]:
        raise InvalidAmount("the monthly cap must be at least the maximum per dispute", field="monthly_cap")
    if not by.may(Permission.WRITE_OFF) or clean["max_amount"] > by.approval_limit:
        raise InvalidAmount(f"the maximum of {clean['max_amount']} {settings.ARDESK_COMPANY_CURRENCY} is above "
                            f"your write-off approval limit of {by.approval_limit}", field="max_amount")
    clean["reason_code"] = _reason(values.get("reason_code"))
    clean["max_rejected_last_year"] = _count(values.get("max_rejected_last_year"), "max_rejected_last_year") or 0
    if not isinstance(values.get("root_cause"), RootCause):
        raise DomainError("name the root cause the rule closes disputes with", field="root_cause")
    if values.get("responsible_department") not in Department.values:
        raise DomainError(f"unknown department {values.get('responsible_department')!r}",
                          field="responsible_department")
    clean["active"] = bool(values.get("active", True))
    return clean


@transaction.atomic
def create_auto_rule(*, by: Any, **values: Any) -> AutoResolutionRule:
    """A new auto-resolution rule, approved by `by` (their approval limit bounds the maximum per dispute)."""
    _check_manager(by)
    values = {"kind": Kind.DEDUCTION, "max_rejected_last_year": 0, **values}
    clean = _clean_auto(_merged(AutoResolutionRule(), AUTO_FIELDS, values), by)
    rule = AutoResolutionRule(**clean, approved_by=by)
    _save(rule)
    record(actor=by, verb="dispute_rule.auto_created", subject=rule, after=snapshot(rule, list(_AUDITED_AUTO)))
    return rule


@transaction.atomic
def update_auto_rule(*, rule: AutoResolutionRule, by: Any, **changes: Any) -> AutoResolutionRule:
    """Change the rule; whoever changes it approves it anew (except a plain deactivation)."""
    _check_manager(by)
    locked = AutoResolutionRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(locked, list(_AUDITED_AUTO))
    if set(changes) == {"active"} and not changes["active"]:
        locked.active = False
    else:
        for name, value in _clean_auto(_merged(locked, AUTO_FIELDS, changes), by).items():
            setattr(locked, name, value)
        locked.approved_by = by
    locked.updated_at = timezone.now()
    _save(locked)
    after = snapshot(locked, list(_AUDITED_AUTO))
    if after != before:
        record(actor=by, verb="dispute_rule.auto_updated", subject=locked, before=before, after=after)
    return locked


def deactivate_auto_rule(*, rule: AutoResolutionRule, by: Any) -> AutoResolutionRule:
    return update_auto_rule(rule=rule, by=by, active=False)
