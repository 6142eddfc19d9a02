"""Escalation and auto-resolution rules over the API, the auto-resolutions to review, escalating a dispute by
hand, and running the rules now. Managers maintain rules; analysts escalate; only administrators run the rules.

Reason codes and root causes are named by their code; amounts are in the company currency.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from ardesk.apikit.access import get_or_404, require
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import Id, MoneyIn, Text300, display_money
from ardesk.apikit.pagination import PageQuery, page_of, paginate
from ardesk.audit.services import SystemActor
from ardesk.disputes import escalation_queries as eq
from ardesk.disputes import services
from ardesk.disputes.models import AutoResolution, AutoResolutionRule, EscalationRule, ReasonCode, RootCause
from ardesk.disputes.queries import visible_disputes
from ardesk.errors import PermissionDenied
from ardesk.identity.roles import Permission, Role

ERRORS = ERROR_RESPONSES
router = Router(tags=["escalation"])
Level = Literal["manager", "legal"]
KindName = Literal["invoice", "lines", "account", "deduction"]
DepartmentName = Literal["sales", "logistics", "billing", "customer_service", "quality", "tax", "trade_marketing",
                         "accounts_receivable", "pricing", "legal"]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else display_money(value, settings.ARDESK_COMPANY_CURRENCY)


class EscalationRuleOut(Schema):
    id: int
    name: str
    active: bool
    position: int
    min_age_days: int | None
    min_amount: str | None
    segment: str
    reason_code: str | None
    sla_breached: bool
    min_repeat_count: int | None
    escalate_to: str
    raise_priority_to: int | None
    notify: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_min_amount(obj: EscalationRule) -> str | None:
        return _money(obj.min_amount)

    @staticmethod
    def resolve_reason_code(obj: EscalationRule) -> str | None:
        return obj.reason_code.code if obj.reason_code else None


class EscalationRulePatch(Schema):
    """Every field optional; only the fields sent change. `active: false` deactivates the rule."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=100_000)
    min_age_days: int | None = Field(None, ge=0, le=100_000)
    min_amount: MoneyIn | None = None
    segment: str | None = Field(None, max_length=40)
    reason_code: str | None = Field(None, max_length=40, description="A reason code's code; null for any.")
    sla_breached: bool | None = None
    min_repeat_count: int | None = Field(None, ge=1, le=100_000)
    escalate_to: Literal["", "manager", "legal"] | None = None
    raise_priority_to: int | None = Field(None, ge=1, le=4)
    notify: bool | None = None


class EscalationRuleIn(EscalationRulePatch):
    name: str = Field(min_length=1, max_length=100)


class AutoRuleOut(Schema):
    id: int
    name: str
    active: bool
    kind: str
    max_amount: str
    monthly_cap: str
    reason_code: str | None
    max_rejected_last_year: int
    root_cause: str
    responsible_department: str
    approved_by: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_max_amount(obj: AutoResolutionRule) -> str | None:
        return _money(obj.max_amount)

    @staticmethod
    def resolve_monthly_cap(obj: AutoResolutionRule) -> str | None:
        return _money(obj.monthly_cap)

    @staticmethod
    def resolve_reason_code(obj: AutoResolutionRule) -> str | None:
        return obj.reason_code.code if obj.reason_code else None

    @staticmethod
    def resolve_root_cause(obj: AutoResolutionRule) -> str:
        return obj.root_cause.code

    @staticmethod
    def resolve_approved_by(obj: AutoResolutionRule) -> str:
        return obj.approved_by.username


class AutoRulePatch(Schema):
    """Every field optional; saving any change makes the caller the rule's approver."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    active: bool | None = None
    kind: KindName | None = None
    max_amount: MoneyIn | None = None
    monthly_cap: MoneyIn | None = None
    reason_code: str | None = Field(None, max_length=40, description="A reason code's code; null for any.")
    max_rejected_last_year: int | None = Field(None, ge=0, le=1000)
    root_cause: str | None = Field(None, max_length=40)
    responsible_department: DepartmentName | None = None


class AutoRuleIn(AutoRulePatch):
    name: str = Field(min_length=1, max_length=100)
    max_amount: MoneyIn
    monthly_cap: MoneyIn
    root_cause: str = Field(min_length=1, max_length=40)
    responsible_department: DepartmentName


class AutoResolutionOut(Schema):
    id: int
    dispute_id: int
    dispute_number: str
    rule: str
    amount: str
    currency: str
    company_amount: str
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str

    @staticmethod
    def resolve_dispute_number(obj: AutoResolution) -> str:
        return obj.dispute.number

    @staticmethod
    def resolve_rule(obj: AutoResolution) -> str:
        return obj.rule.name

    @staticmethod
    def resolve_amount(obj: AutoResolution) -> str:
        return display_money(obj.amount, obj.dispute.currency)

    @staticmethod
    def resolve_currency(obj: AutoResolution) -> str:
        return obj.dispute.currency

    @staticmethod
    def resolve_company_amount(obj: AutoResolution) -> str | None:
        return _money(obj.company_amount)

    @staticmethod
    def resolve_reviewed_by(obj: AutoResolution) -> str | None:
        return obj.reviewed_by.username if obj.reviewed_by else None


class AutoResolutionQuery(PageQuery):
    reviewed: bool | None = Field(None, description="true: reviewed only; false: still to review.")


class ReviewIn(Schema):
    note: Text300 = ""


class EscalateIn(Schema):
    level: Level
    reason: str = Field(min_length=1, max_length=300)


class EscalationOut(Schema):
    id: int
    dispute_id: int
    level: str
    escalated_to: str | None
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_escalated_to(obj: Any) -> str | None:
        return obj.escalated_to.username if obj.escalated_to else None


class RunIn(Schema):
    today: date | None = Field(None, description="Evaluate as of this date; default today.")


class RunOut(Schema):
    evaluated: int
    escalated: int
    priority_raised: int
    rules_fired: int
    auto_resolved: int
    failed: int
    lines: list[str]


def _references(values: dict[str, Any]) -> dict[str, Any]:
    """Turn reason and root-cause codes of a body into rows; an unknown code is a 404 naming the field."""
    if values.get("reason_code") is not None:
        values["reason_code"] = get_or_404(ReasonCode.objects.all(), what="reason code", field="reason_code",
                                           code=values["reason_code"])
    if "root_cause" in values:
        values["root_cause"] = get_or_404(RootCause.objects.all(), what="root cause", field="root_cause",
                                          code=values["root_cause"] or "")
    return values


@router.get("/escalation-rules", response={200: page_of(EscalationRuleOut), **ERRORS},
            summary="List escalation rules")
def list_escalation_rules(request: HttpRequest, page: Query[PageQuery]) -> Any:
    require(request, Permission.MANAGE_DISPUTE_RULES)
    return paginate(eq.escalation_rules(), key="position", page=page, resource="escalation-rules")


@router.post("/escalation-rules", response={201: EscalationRuleOut, **ERRORS}, summary="Add an escalation rule")
def create_escalation_rule(request: HttpRequest, payload: EscalationRuleIn) -> Any:
    """Conditions left out match any dispute; the rule must escalate, raise the priority or notify."""
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    values = _references(payload.model_dump(exclude_unset=True))
    return Status(201, services.create_escalation_rule(by=user, **values))


@router.patch("/escalation-rules/{int:escalation_rule_id}", response={200: EscalationRuleOut, **ERRORS},
              summary="Change or deactivate an escalation rule")
def update_escalation_rule(request: HttpRequest, escalation_rule_id: Id, payload: EscalationRulePatch) -> Any:
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    rule = get_or_404(EscalationRule.objects.all(), what="escalation rule", pk=escalation_rule_id)
    values = _references(payload.model_dump(exclude_unset=True))
    return services.update_escalation_rule(rule=rule, by=user, **values)


@router.get("/auto-resolution-rules", response={200: page_of(AutoRuleOut), **ERRORS},
            summary="List auto-resolution rules")
def list_auto_rules(request: HttpRequest, page: Query[PageQuery]) -> Any:
    require(request, Permission.MANAGE_DISPUTE_RULES)
    return paginate(eq.auto_rules(), key="id", page=page, resource="auto-resolution-rules")


@router.post("/auto-resolution-rules", response={201: AutoRuleOut, **ERRORS}, summary="Add an auto-resolution rule")
def create_auto_rule(request: HttpRequest, payload: AutoRuleIn) -> Any:
    """The caller approves the rule: its max_amount may not exceed the caller's write-off approval limit."""
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    values = _references(payload.model_dump(exclude_unset=True))
    return Status(201, services.create_auto_rule(by=user, **values))


@router.patch("/auto-resolution-rules/{int:auto_rule_id}", response={200: AutoRuleOut, **ERRORS},
              summary="Change or deactivate an auto-resolution rule")
def update_auto_rule(request: HttpRequest, auto_rule_id: Id, payload: AutoRulePatch) -> Any:
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    rule = get_or_404(AutoResolutionRule.objects.all(), what="auto-resolution rule", pk=auto_rule_id)
    values = _references(payload.model_dump(exclude_unset=True))
    return services.update_auto_rule(rule=rule, by=user, **values)


@router.get("/auto-resolutions", response={200: page_of(AutoResolutionOut), **ERRORS},
            summary="List auto-resolved disputes")
def list_auto_resolutions(request: HttpRequest, query: Query[AutoResolutionQuery]) -> Any:
    """Disputes rules settled by themselves, of customers the caller may see, newest first."""
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    rows = eq.visible_auto_resolutions(user)
    if query.reviewed is not None:
        rows = rows.filter(reviewed_at__isnull=not query.reviewed)
    return paginate(rows, key="id", page=query, resource="auto-resolutions", newest_first=True)


@router.post("/auto-resolutions/{int:auto_resolution_id}/review", response={200: AutoResolutionOut, **ERRORS},
             summary="Mark an auto-resolution reviewed")
def review_auto_resolution(request: HttpRequest, auto_resolution_id: Id, payload: ReviewIn) -> Any:
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    row = get_or_404(eq.visible_auto_resolutions(user), what="auto-resolution", pk=auto_resolution_id)
    return services.review_auto_resolution(auto_resolution=row, note=payload.note, by=user)


@router.post("/{int:dispute_id}/escalate", response={201: EscalationOut, **ERRORS}, summary="Escalate a dispute")
def escalate(request: HttpRequest, dispute_id: Id, payload: EscalateIn) -> Any:
    """To a manager (the customer's team manager) or to legal; only upwards, and only while open."""
    user = require(request, Permission.HANDLE_DISPUTES)
    dispute = get_or_404(visible_disputes(user), what="dispute", pk=dispute_id)
    return Status(201, services.escalate(dispute=dispute, level=payload.level, reason=payload.reason, by=user))


@router.post("/escalation/run", response={200: RunOut, **ERRORS}, summary="Run the escalation rules now")
def run(request: HttpRequest, payload: RunIn) -> Any:
    """What the daily task does, now. Administrators only: it acts on every customer's disputes."""
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    if user.role != Role.ADMIN:
        raise PermissionDenied("only an administrator may run the rules for every customer")
    summary = services.run_all(today=payload.today, by=SystemActor(f"api:{user.username}"))
    return {**summary.as_dict(), "lines": summary.lines[:500]}

