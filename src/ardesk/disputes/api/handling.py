"""Working a dispute over the API: status, owner, priority, reason code; comments, tasks and offers."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from ardesk.apikit.access import get_or_404, require
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import page_of, paginate
from ardesk.disputes import services
from ardesk.disputes.api import reads
from ardesk.disputes.api.bodies import (
    AssignIn,
    BulkAssignIn,
    CommentIn,
    ListQuery,
    OfferIn,
    PriorityIn,
    ReasonCodeChoiceIn,
    StatusIn,
    TaskCompleteIn,
    TaskIn,
)
from ardesk.disputes.api.schemas import (
    PRIORITY_BY_NAME,
    CommentOut,
    DisputeDetailOut,
    DisputeOut,
    OfferOut,
    TaskOut,
)
from ardesk.disputes.models import Comment, Offer, Task
from ardesk.disputes.queries import visible_disputes
from ardesk.errors import NotFound
from ardesk.identity.models import User
from ardesk.identity.roles import Permission

ERRORS = ERROR_RESPONSES
router = Router()


class AssignedOut(Schema):
    items: list[DisputeOut]


@router.post("/{int:dispute_id}/status", response={200: DisputeDetailOut, **ERRORS}, summary="Change status")
def change_status(request: HttpRequest, dispute_id: Id, payload: StatusIn) -> Any:
    """Between review, waiting on the customer or on the company, and escalated; an illegal move is a 409."""
    user = require(request, Permission.HANDLE_DISPUTES)
    dispute = reads.dispute(user, dispute_id)
    services.change_status(dispute=dispute, to=payload.to, note=payload.note,
                           version=reads.version(request, payload.version), by=user)
    return reads.dispute_detail(user, dispute_id)


@router.post("/{int:dispute_id}/assign", response={200: DisputeDetailOut, **ERRORS}, summary="Assign a dispute")
def assign(request: HttpRequest, dispute_id: Id, payload: AssignIn) -> Any:
    user = require(request, Permission.REASSIGN_DISPUTES)
    dispute = reads.dispute(user, dispute_id)
    services.assign(disputes=[dispute], owner=reads.user(payload.owner_id, field="owner_id"),
                    department=payload.department, version=reads.version(request, payload.version), by=user)
    return reads.dispute_detail(user, dispute_id)


@router.post("/assign", response={200: AssignedOut, **ERRORS}, summary="Assign many disputes")
def bulk_assign(request: HttpRequest, payload: BulkAssignIn) -> Any:
    """Reassign every dispute named in `ids` at once, or none of them (one unseen id is a 404 naming it)."""
    user = require(request, Permission.REASSIGN_DISPUTES)
    wanted = sorted(set(payload.ids))
    found = {d.pk: d for d in visible_disputes(user).filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise NotFound(f"no such dispute {missing[0]}", field=f"ids.{payload.ids.index(missing[0])}")
    owner: User | None = reads.user(payload.owner_id, field="owner_id")
    services.assign(disputes=list(found.values()), owner=owner, department=payload.department, by=user)
    rows = visible_disputes(user).filter(pk__in=wanted).select_related("customer", "reason_code", "owner")
    return {"items": list(rows.order_by("pk"))}


@router.post("/{int:dispute_id}/priority", response={200: DisputeDetailOut, **ERRORS}, summary="Set priority")
def set_priority(request: HttpRequest, dispute_id: Id, payload: PriorityIn) -> Any:
    user = require(request, Permission.HANDLE_DISPUTES)
    services.set_priority(dispute=reads.dispute(user, dispute_id), priority=PRIORITY_BY_NAME[payload.priority],
                          reason=payload.reason, version=reads.version(request, payload.version), by=user)
    return reads.dispute_detail(user, dispute_id)


@router.post("/{int:dispute_id}/reason-code", response={200: DisputeDetailOut, **ERRORS},
             summary="Choose the reason code")
def set_reason_code(request: HttpRequest, dispute_id: Id, payload: ReasonCodeChoiceIn) -> Any:
    """The analyst's choice: restarts the SLA from the day raised and is what the suggester learns from."""
    user = require(request, Permission.HANDLE_DISPUTES)
    services.set_reason_code(dispute=reads.dispute(user, dispute_id), reason_code=reads.reason_code(
        payload.reason_code), reroute=payload.reroute, version=reads.version(request, payload.version), by=user)
    return reads.dispute_detail(user, dispute_id)


# --- comments -----------------------------------------------------------------------------------


def _comments() -> Any:
    return Comment.objects.select_related("author").prefetch_related(
        Prefetch("mentions", queryset=User.objects.order_by("username")))


@router.get("/{int:dispute_id}/comments", response={200: page_of(CommentOut), **ERRORS}, summary="List comments")
def list_comments(request: HttpRequest, dispute_id: Id, page: Query[ListQuery]) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    dispute = reads.dispute(user, dispute_id)
    return paginate(_comments().filter(dispute=dispute), key="id", page=page,
                    resource=f"dispute-comments:{dispute_id}")


@router.post("/{int:dispute_id}/comments", response={201: CommentOut, **ERRORS}, summary="Comment")
def add_comment(request: HttpRequest, dispute_id: Id, payload: CommentIn) -> Any:
    """A note on the dispute; every active user @mentioned in it is told."""
    user = require(request, Permission.HANDLE_DISPUTES)
    comment = services.add_comment(dispute=reads.dispute(user, dispute_id), body=payload.body,
                                   internal=payload.internal, by=user)
    return Status(201, _comments().get(pk=comment.pk))


# --- tasks --------------------------------------------------------------------------------------


@router.get("/{int:dispute_id}/tasks", response={200: page_of(TaskOut), **ERRORS}, summary="List tasks")
def list_tasks(request: HttpRequest, dispute_id: Id, page: Query[ListQuery]) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    dispute = reads.dispute(user, dispute_id)
    return paginate(Task.objects.filter(dispute=dispute), key="id", page=page, resource=f"dispute-tasks:{dispute_id}")


@router.post("/{int:dispute_id}/tasks", response={201: TaskOut, **ERRORS}, summary="Add a task")
def add_task(request: HttpRequest, dispute_id: Id, payload: TaskIn) -> Any:
    """Ask a department (or one person in it) for something the dispute needs, by a date."""
    user = require(request, Permission.HANDLE_DISPUTES)
    task = services.add_task(dispute=reads.dispute(user, dispute_id), title=payload.title,
                             department=payload.department,
                             assignee=reads.user(payload.assignee_id, field="assignee_id"),
                             due_date=payload.due_date, by=user)
    return Status(201, task)


@router.post("/{int:dispute_id}/tasks/{int:task_id}/complete", response={200: TaskOut, **ERRORS},
             summary="Complete a task")
def complete_task(request: HttpRequest, dispute_id: Id, task_id: Id, payload: TaskCompleteIn) -> Any:
    """Done twice is done once."""
    user = require(request, Permission.HANDLE_DISPUTES)
    dispute = reads.dispute(user, dispute_id)
    task = get_or_404(Task.objects.filter(dispute=dispute), what="task of this dispute", pk=task_id)
    return services.complete_task(task=task, note=payload.note, by=user)


# --- offers -------------------------------------------------------------------------------------


@router.get("/{int:dispute_id}/offers", response={200: page_of(OfferOut), **ERRORS}, summary="List offers")
def list_offers(request: HttpRequest, dispute_id: Id, page: Query[ListQuery]) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    dispute = reads.dispute(user, dispute_id)
    return paginate(Offer.objects.filter(dispute=dispute).select_related("dispute"), key="id", page=page,
                    resource=f"dispute-offers:{dispute_id}")


@router.post("/{int:dispute_id}/offers", response={201: OfferOut, **ERRORS}, summary="Record an offer")
def record_offer(request: HttpRequest, dispute_id: Id, payload: OfferIn) -> Any:
    """A step of the negotiation; it books nothing (the resolution does)."""
    user = require(request, Permission.HANDLE_DISPUTES)
    offer = services.record_offer(dispute=reads.dispute(user, dispute_id), kind=payload.kind, party=payload.party,
                                  amount=payload.amount, note=payload.note, by=user)
    return Status(201, Offer.objects.select_related("dispute").get(pk=offer.pk))
