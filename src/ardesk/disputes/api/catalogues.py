"""The catalogues over the API: reason codes and root causes. Everyone reads; managers maintain them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from ardesk.apikit.access import get_or_404, require
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import page_of, paginate
from ardesk.disputes import services
from ardesk.disputes.api.bodies import (
    ListQuery,
    ReasonCodeIn,
    ReasonCodePatch,
    RootCauseIn,
    RootCausePatch,
)
from ardesk.disputes.api.schemas import (
    ReasonCodeOut,
    RootCauseOut,
)
from ardesk.disputes.models import ReasonCode, RootCause
from ardesk.identity.roles import Permission

ERRORS = ERROR_RESPONSES
router = Router()


@router.get("/reason-codes", response={200: page_of(ReasonCodeOut), **ERRORS}, summary="List reason codes")
def list_reason_codes(request: HttpRequest, page: Query[ListQuery]) -> Any:
    """Every reason code, retired ones included (`active` false), in the order pickers show them."""
    require(request, Permission.VIEW_LEDGER)
    return paginate(ReasonCode.objects.all(), key="position", page=page, resource="reason-codes")


@router.post("/reason-codes", response={201: ReasonCodeOut, **ERRORS}, summary="Add a reason code")
def create_reason_code(request: HttpRequest, payload: ReasonCodeIn) -> Any:
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    row = services.create_reason_code(code=payload.code, label=payload.label, department=payload.department,
                                      sla_days=payload.sla_days, keywords=payload.keywords, active=payload.active,
                                      position=payload.position, by=user)
    return Status(201, row)


@router.patch("/reason-codes/{int:reason_code_id}", response={200: ReasonCodeOut, **ERRORS},
              summary="Change a reason code")
def update_reason_code(request: HttpRequest, reason_code_id: Id, payload: ReasonCodePatch) -> Any:
    """Only the fields sent change; `active: false` retires the code (old disputes keep it)."""
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    row = get_or_404(ReasonCode.objects.all(), what="reason code", pk=reason_code_id)
    return services.update_reason_code(reason_code=row, label=payload.label, department=payload.department,
                                       sla_days=payload.sla_days, keywords=payload.keywords, active=payload.active,
                                       position=payload.position, by=user)


@router.get("/root-causes", response={200: page_of(RootCauseOut), **ERRORS}, summary="List root causes")
def list_root_causes(request: HttpRequest, page: Query[ListQuery]) -> Any:
    require(request, Permission.VIEW_LEDGER)
    return paginate(RootCause.objects.all(), key="position", page=page, resource="root-causes")


@router.post("/root-causes", response={201: RootCauseOut, **ERRORS}, summary="Add a root cause")
def create_root_cause(request: HttpRequest, payload: RootCauseIn) -> Any:
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    row = services.create_root_cause(code=payload.code, label=payload.label, active=payload.active,
                                     position=payload.position, by=user)
    return Status(201, row)


@router.patch("/root-causes/{int:root_cause_id}", response={200: RootCauseOut, **ERRORS},
              summary="Change a root cause")
def update_root_cause(request: HttpRequest, root_cause_id: Id, payload: RootCausePatch) -> Any:
    user = require(request, Permission.MANAGE_DISPUTE_RULES)
    row = get_or_404(RootCause.objects.all(), what="root cause", pk=root_cause_id)
    return services.update_root_cause(root_cause=row, label=payload.label, active=payload.active,
                                      position=payload.position, by=user)
