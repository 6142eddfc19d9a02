"""Resolving, closing and reopening a dispute, and deciding write-offs that wait for approval.

A resolve answers 200 when it booked, or 202 when the write-off is above the caller's approval limit
and now waits for someone else (the approval request is in the body). Two resolves at once: the
dispute row is locked, so one books and the other gets a 409.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from ardesk.apikit.access import get_or_404, require
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import page_of, paginate
from ardesk.disputes import services
from ardesk.disputes.api import reads
from ardesk.disputes.api.bodies import (
    ApprovalQuery,
    CloseIn,
    DecideIn,
    ReopenIn,
    ResolveIn,
)
from ardesk.disputes.api.schemas import (
    ApprovalOut,
    DisputeDetailOut,
    ResolutionOut,
)
from ardesk.errors import DomainError
from ardesk.identity.roles import Permission
from ardesk.ledger.services import LineInput

ERRORS = ERROR_RESPONSES
router = Router()


@router.post("/{int:dispute_id}/resolve", response={200: ResolutionOut, 202: ResolutionOut, **ERRORS},
             summary="Resolve a dispute")
def resolve(request: HttpRequest, dispute_id: Id, payload: ResolveIn) -> Any:
    """Book the outcome in the ledger: a credit memo, a write-off or a re-bill for what is accepted; the rest
    goes back to collectible. A write-off above your approval limit is not booked: it answers 202 with the
    approval request a manager decides."""
    user = require(request, Permission.RESOLVE_DISPUTES)
    dispute = reads.dispute(user, dispute_id)
    lines = [LineInput(sku=ln.sku, description=ln.description, quantity=ln.quantity, unit_price=ln.unit_price,
                       tax_amount=ln.tax_amount) for ln in payload.rebill_lines or []]
    items = None
    if payload.items is not None:
        items = {row.item: row.accepted_amount for row in payload.items}
        if len(items) != len(payload.items):
            raise DomainError("each item may be named once", field="items")
    result = services.resolve(dispute=dispute, outcome=payload.outcome, settlement=payload.settlement,
                              accepted_amount=payload.accepted_amount, note=payload.note,
                              rebill_lines=lines or None, on=payload.on, item_amounts=items,
                              version=reads.version(request, payload.version), by=user)
    approval = (reads.approvals(user).get(pk=result.approval.pk) if result.approval is not None else None)
    body = {"pending": result.pending, "dispute": reads.dispute_detail(user, dispute_id), "approval": approval}
    return Status(202 if result.pending else 200, body)


@router.post("/{int:dispute_id}/close", response={200: DisputeDetailOut, **ERRORS}, summary="Close a dispute")
def close(request: HttpRequest, dispute_id: Id, payload: CloseIn) -> Any:
    """Close a resolved dispute with its root cause and the department responsible."""
    user = require(request, Permission.RESOLVE_DISPUTES)
    services.close(dispute=reads.dispute(user, dispute_id), root_cause=reads.root_cause(payload.root_cause),
                   responsible_department=payload.responsible_department, note=payload.note,
                   version=reads.version(request, payload.version), by=user)
    return reads.dispute_detail(user, dispute_id)


@router.post("/{int:dispute_id}/reopen", response={200: DisputeDetailOut, **ERRORS}, summary="Reopen a dispute")
def reopen(request: HttpRequest, dispute_id: Id, payload: ReopenIn) -> Any:
    """Back to review: bookings stay, what was not granted is held back from collection again."""
    user = require(request, Permission.RESOLVE_DISPUTES)
    services.reopen(dispute=reads.dispute(user, dispute_id), reason=payload.reason,
                    version=reads.version(request, payload.version), by=user)
    return reads.dispute_detail(user, dispute_id)


@router.get("/approvals", response={200: page_of(ApprovalOut), **ERRORS}, summary="Write-offs awaiting approval")
def list_approvals(request: HttpRequest, filters: Query[ApprovalQuery]) -> Any:
    """Approval requests on disputes the caller may see (pending ones by default), oldest first."""
    user = require(request, Permission.WRITE_OFF)
    return paginate(reads.approvals(user).filter(status=filters.status), key="id", page=filters,
                    resource=f"dispute-approvals:{filters.status}")


@router.post("/approvals/{int:approval_id}/decide", response={200: ApprovalOut, **ERRORS},
             summary="Approve or reject a write-off")
def decide(request: HttpRequest, approval_id: Id, payload: DecideIn) -> Any:
    """Approving books the write-off as asked; never by whoever asked, and only within the approver's limit."""
    user = require(request, Permission.WRITE_OFF)
    approval = get_or_404(reads.approvals(user), what="approval request", pk=approval_id)
    services.decide_approval(request=approval, approve=payload.approve, note=payload.note, by=user)
    return reads.approvals(user).get(pk=approval_id)
