"""The queue, one dispute and its timeline; raising disputes and deductions; the reason suggester."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from ardesk.apikit.access import get_visible, require
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import page_of, paginate
from ardesk.apikit.versions import set_etag
from ardesk.customers.models import Customer
from ardesk.disputes import queries, services
from ardesk.disputes.api import reads
from ardesk.disputes.api import router as root
from ardesk.disputes.api.bodies import (
    DeductionIn,
    DisputeIn,
    ListQuery,
    QueueQuery,
    SuggestIn,
)
from ardesk.disputes.api.schemas import (
    PRIORITY_BY_NAME,
    DisputeDetailOut,
    DisputeOut,
    SuggestionOut,
    SummaryOut,
    TimelineEventOut,
)
from ardesk.disputes.models import Channel
from ardesk.disputes.queue import parse_filter, queue, queue_summary
from ardesk.errors import DomainError
from ardesk.identity.roles import Permission
from ardesk.ledger.models import Invoice, InvoiceLine, Payment

ERRORS = ERROR_RESPONSES
router = Router()
# The collection itself (GET and POST /disputes) hangs on the package's router: a nested router's "" path
# would answer at /disputes/ with a slash, unlike every other list of the API.
collection: Router = root


def _filter(query: QueueQuery) -> Any:
    """The queue page's own parser, so the API and the page read a filter the same way."""
    params = query.dict(exclude={"cursor", "limit"}, exclude_none=True)
    return parse_filter(params)


@collection.get("", response={200: page_of(DisputeOut), **ERRORS}, summary="The dispute queue")
def list_disputes(request: HttpRequest, filters: Query[QueueQuery]) -> Any:
    """Disputes of customers the caller may see; by default the open ones, whose SLA ends first on top."""
    user = require(request, Permission.VIEW_LEDGER)
    f = _filter(filters)
    return reads.page_queue(queue(user, f, timezone.localdate()), sort=f.sort, page=filters)


@router.get("/summary", response={200: SummaryOut, **ERRORS}, summary="Count and amount of a queue filter")
def summary(request: HttpRequest, filters: Query[QueueQuery]) -> Any:
    """How many disputes the filter selects, their outstanding amount per currency, how many breach SLA."""
    user = require(request, Permission.VIEW_LEDGER)
    return queue_summary(user, _filter(filters), timezone.localdate())


@router.get("/{int:dispute_id}", response={200: DisputeDetailOut, **ERRORS}, summary="Get a dispute")
def get_dispute(request: HttpRequest, dispute_id: Id, response: HttpResponse) -> Any:
    """Items, amounts, status and outcome, reason and suggestion, owner, SLA, settlements, pending approval."""
    user = require(request, Permission.VIEW_LEDGER)
    found = reads.dispute_detail(user, dispute_id)
    set_etag(response, found.version)
    return found


@router.get("/{int:dispute_id}/timeline", response={200: page_of(TimelineEventOut), **ERRORS},
            summary="A dispute's timeline")
def timeline(request: HttpRequest, dispute_id: Id, page: Query[ListQuery]) -> Any:
    """Everything that happened to the dispute, newest first (its audit events)."""
    user = require(request, Permission.VIEW_LEDGER)
    return paginate(queries.timeline(reads.dispute(user, dispute_id)), key="seq", page=page,
                    resource=f"dispute-timeline:{dispute_id}", newest_first=True)


def _items(user: Any, payload: DisputeIn) -> list[services.ItemInput]:
    built: list[services.ItemInput] = []
    for index, item in enumerate(payload.items):
        invoice = get_visible(Invoice.objects.all(), user, what="invoice", field=f"items.{index}.invoice_id",
                              pk=item.invoice_id)
        line = None
        if item.line_no is not None:
            line = InvoiceLine.objects.filter(invoice=invoice, line_no=item.line_no).first()
            if line is None:
                raise DomainError(f"invoice {invoice.number} has no line {item.line_no}",
                                  field=f"items.{index}.line_no")
        built.append(services.ItemInput(invoice=invoice, amount=item.amount, line=line,
                                        disputed_quantity=item.disputed_quantity,
                                        claimed_unit_price=item.claimed_unit_price))
    return built


@collection.post("", response={201: DisputeDetailOut, **ERRORS}, summary="Raise a dispute")
def raise_dispute(request: HttpRequest, payload: DisputeIn) -> Any:
    """On a whole invoice, some of its lines, or an account; at most what is collectible on each invoice.

    A likely duplicate (an open dispute of the customer on one of the same invoices) is a 409 unless
    `allow_duplicate` is true.
    """
    user = require(request, Permission.RAISE_DISPUTES)
    items = _items(user, payload)
    if payload.customer_id is not None:
        customer = get_visible(Customer.objects.all(), user, what="customer", via="", field="customer_id",
                               pk=payload.customer_id)
    elif items:
        customer = items[0].invoice.customer
    else:
        raise DomainError("name the customer, or the invoices in dispute", field="customer_id")
    dispute = services.raise_dispute(
        customer=customer, kind=payload.kind, items=items, description=payload.description,
        reason_code=reads.reason_code(payload.reason_code) if payload.reason_code else None,
        owner=reads.user(payload.owner_id, field="owner_id"), priority=PRIORITY_BY_NAME[payload.priority],
        channel=Channel.API, confirm_duplicate=payload.allow_duplicate, by=user)
    return Status(201, reads.dispute_detail(user, dispute.pk))


@router.post("/deductions", response={201: DisputeDetailOut, **ERRORS}, summary="Raise a deduction")
def raise_deduction(request: HttpRequest, payload: DeductionIn) -> Any:
    """The short part of a payment becomes a dispute on the invoice it was meant for (what cash application
    calls). Sending the same payment, invoice and amount again gives back the deduction already raised."""
    user = require(request, Permission.RAISE_DISPUTES)
    payment = get_visible(Payment.objects.all(), user, what="payment", field="payment_id", pk=payload.payment_id)
    invoice = get_visible(Invoice.objects.all(), user, what="invoice", field="invoice_id", pk=payload.invoice_id)
    dispute = services.raise_deduction(
        payment=payment, invoice=invoice, amount=payload.amount, description=payload.description,
        reason_code=reads.reason_code(payload.reason_code) if payload.reason_code else None, by=user)
    return Status(201, reads.dispute_detail(user, dispute.pk))


@router.post("/suggest-reason", response={200: SuggestionOut, **ERRORS}, summary="Suggest a reason code")
def suggest_reason(request: HttpRequest, payload: SuggestIn) -> Any:
    """The reason code the customer's words point at: the trained model, or the keywords before there is one.

    Writes nothing; the analyst's final choice is what the model learns from.
    """
    require(request, Permission.RAISE_DISPUTES)
    found = services.suggest_reason(payload.text)
    if found is None:
        return {"reason_code": None, "label": None, "department": None, "confidence": None, "source": ""}
    code, suggestion = found
    return {"reason_code": code.code, "label": code.label, "department": code.default_department,
            "confidence": float(suggestion.confidence), "source": suggestion.source}
