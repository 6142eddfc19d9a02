"""Prevention over the API: corrective actions per root cause (with their before/after effect) and notes
handed to sales. Thin: checks role and scope, calls disputes.services and insights.prevention."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from ardesk.apikit.access import get_or_404, get_visible, require
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import Id
from ardesk.disputes import services
from ardesk.disputes.models import CorrectiveAction, Dispute, RootCause, SalesNote
from ardesk.identity.models import User
from ardesk.identity.roles import Permission
from ardesk.insights.prevention import DEFAULT_MONTHS, ActionEffect, corrective_actions, sales_notes

ERRORS = ERROR_RESPONSES
router = Router()


class EffectOut(Schema):
    months: int
    before: list[int] = Field(description="disputes of the cause per month before effective_from, oldest first")
    after: list[int] = Field(description="per month after, as far as the months have passed")
    before_per_month: str
    after_per_month: str
    complete: bool
    fell: bool | None = Field(description="null until the months after have all passed")


class CorrectiveActionOut(Schema):
    id: int
    root_cause: str
    title: str
    description: str
    department: str
    owner: str | None
    status: str
    effective_from: date
    effect: EffectOut | None = None


class CorrectiveActionIn(Schema):
    root_cause: str = Field(description="the root cause's code, e.g. pricing_error")
    title: str
    description: str = ""
    department: str
    owner: str | None = Field(None, description="username")
    status: str = "planned"
    effective_from: date


class CorrectiveActionPatch(Schema):
    title: str | None = None
    description: str | None = None
    department: str | None = None
    owner: str | None = None
    status: str | None = None
    effective_from: date | None = None


class SalesNoteIn(Schema):
    body: str


class SalesNoteOut(Schema):
    id: int
    dispute: str
    customer: str
    sales_rep: str
    sent_to: str
    body: str
    created_by: str | None
    created_at: datetime


def _action(action: CorrectiveAction, effect: ActionEffect | None = None) -> CorrectiveActionOut:
    e = effect.effect if effect else None
    return CorrectiveActionOut(
        id=action.pk, root_cause=action.root_cause.code, title=action.title, description=action.description,
        department=action.department, owner=action.owner.username if action.owner else None, status=action.status,
        effective_from=action.effective_from,
        effect=EffectOut(months=e.months, before=list(e.before), after=list(e.after),
                         before_per_month=str(e.before_per_month), after_per_month=str(e.after_per_month),
                         complete=e.complete, fell=e.fell) if e else None)


def _note(note: SalesNote) -> SalesNoteOut:
    return SalesNoteOut(id=note.pk, dispute=note.dispute.number, customer=note.dispute.customer.number,
                        sales_rep=note.sales_rep, sent_to=note.sent_to, body=note.body,
                        created_by=note.created_by.username if note.created_by else None, created_at=note.created_at)


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    return get_or_404(User.objects.filter(is_active=True), what="user", field="owner", username=username)


@router.get("/corrective-actions", response={200: list[CorrectiveActionOut], **ERRORS},
            summary="Corrective actions and whether disputes fell")
def list_corrective_actions(request: HttpRequest, months: int = Query(DEFAULT_MONTHS, ge=1, le=24),
                            root_cause: str | None = Query(None, description="a root cause code")) -> Any:
    """Newest effective first, each with the disputes of its cause per month before and after (the caller's
    customers only)."""
    user = require(request, Permission.VIEW_REPORTS)
    cause = get_or_404(RootCause.objects.all(), what="root cause", field="root_cause", code=root_cause) \
        if root_cause else None
    found = corrective_actions(user=user, as_of=timezone.localdate(), months=months, root_cause=cause)
    return [_action(item.action, item) for item in found]


@router.post("/corrective-actions", response={201: CorrectiveActionOut, **ERRORS},
             summary="Record a corrective action")
def create_corrective_action(request: HttpRequest, payload: CorrectiveActionIn) -> Any:
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    cause = get_or_404(RootCause.objects.all(), what="root cause", field="root_cause", code=payload.root_cause)
    action = services.record_corrective_action(
        root_cause=cause, title=payload.title, description=payload.description, department=payload.department,
        owner=_owner(payload.owner), status=payload.status, effective_from=payload.effective_from, by=user)
    return Status(201, _action(action))


@router.patch("/corrective-actions/{int:action_id}", response={200: CorrectiveActionOut, **ERRORS},
              summary="Change a corrective action")
def update_corrective_action(request: HttpRequest, action_id: Id, payload: CorrectiveActionPatch) -> Any:
    """Only the fields sent change; `owner: ""` clears the owner."""
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    action = get_or_404(CorrectiveAction.objects.select_related("root_cause"), what="corrective action",
                        pk=action_id)
    changes = payload.dict(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _owner(changes["owner"])
    return _action(services.update_corrective_action(action=action, by=user, **changes))


@router.get("/sales-notes", response={200: list[SalesNoteOut], **ERRORS}, summary="Notes handed to sales")
def list_sales_notes(request: HttpRequest, limit: int = Query(100, ge=1, le=500)) -> Any:
    """Newest first, on disputes of the caller's customers."""
    user = require(request, Permission.VIEW_REPORTS)
    return [_note(n) for n in sales_notes(user, limit=limit)]


@router.get("/{int:dispute_id}/sales-notes", response={200: list[SalesNoteOut], **ERRORS},
            summary="A dispute's notes for sales")
def dispute_sales_notes(request: HttpRequest, dispute_id: Id) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    dispute = get_visible(Dispute.objects.all(), user, what="dispute", pk=dispute_id)
    return [_note(n) for n in sales_notes(user, dispute=dispute)]


@router.post("/{int:dispute_id}/sales-notes", response={201: list[SalesNoteOut], **ERRORS},
             summary="Hand a note to sales")
def hand_to_sales(request: HttpRequest, dispute_id: Id, payload: SalesNoteIn) -> Any:
    """One note per sales rep named on the dispute's invoices, mailed where ARDESK_SALES_REP_EMAILS knows the
    rep; 422 (`sales_rep`) when no invoice names one."""
    user = require(request, Permission.HANDLE_DISPUTES)
    dispute = get_visible(Dispute.objects.all(), user, what="dispute", pk=dispute_id)
    notes = services.hand_to_sales(dispute=dispute, body=payload.body, by=user)
    return Status(201, [_note(n) for n in notes])
