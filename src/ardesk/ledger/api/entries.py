"""Applications and write-offs: the entries that move an invoice's open amount, and their reversals."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from ardesk.apikit.access import get_or_404, get_visible, require
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import page_of, paginate
from ardesk.errors import DomainError
from ardesk.identity.roles import Permission
from ardesk.ledger import services
from ardesk.ledger.api import reads
from ardesk.ledger.api.documents import ERRORS
from ardesk.ledger.api.schemas import (
    ApplicationFilters,
    ApplicationIn,
    ApplicationOut,
    ReversalIn,
    WriteOffFilters,
    WriteOffIn,
    WriteOffOut,
)
from ardesk.ledger.models import CreditMemo, Invoice, Payment

applications = Router()
write_offs = Router()


@applications.get("", response={200: page_of(ApplicationOut), **ERRORS}, summary="List applications")
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]) -> Any:
    """Applications (and their reversals) to invoices of customers the caller may see, by date."""
    user = require(request, Permission.VIEW_LEDGER)
    rows = reads.visible_applications(user)
    if filters.invoice:
        rows = rows.filter(invoice_id=filters.invoice)
    if filters.payment:
        rows = rows.filter(payment_id=filters.payment)
    if filters.credit_memo:
        rows = rows.filter(credit_memo_id=filters.credit_memo)
    if filters.customer:
        rows = rows.filter(invoice__customer_id=filters.customer)
    return paginate(rows, key="applied_on", page=filters, resource="applications")


@applications.get("/{int:application_id}", response={200: ApplicationOut, **ERRORS}, summary="Get an application")
def get_application(request: HttpRequest, application_id: Id) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    return get_or_404(reads.visible_applications(user), what="application", pk=application_id)


@applications.post("", response={201: ApplicationOut, **ERRORS}, summary="Apply a payment or credit memo")
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    """Apply money of one payment or one credit memo to one invoice; never more than either has open."""
    user = require(request, Permission.APPLY_CASH)
    if (payload.payment_id is None) == (payload.credit_memo_id is None):
        raise DomainError("name exactly one of payment_id and credit_memo_id", field="payment_id")
    invoice = get_visible(Invoice.objects.all(), user, what="invoice", field="invoice_id", pk=payload.invoice_id)
    if payload.payment_id is not None:
        payment = get_visible(Payment.objects.all(), user, what="payment", field="payment_id",
                              pk=payload.payment_id)
        application = services.apply_payment(payment=payment, invoice=invoice, amount=payload.amount,
                                             on=payload.on, note=payload.note, by=user)
    else:
        memo = get_visible(CreditMemo.objects.all(), user, what="credit memo", field="credit_memo_id",
                           pk=payload.credit_memo_id)
        application = services.apply_credit_memo(credit_memo=memo, invoice=invoice, amount=payload.amount,
                                                 on=payload.on, note=payload.note, by=user)
    return Status(201, reads.applications().get(pk=application.pk))


@applications.post("/{int:application_id}/reversal", response={201: ApplicationOut, **ERRORS},
                   summary="Reverse an application")
def reverse_application(request: HttpRequest, application_id: Id, payload: ReversalIn) -> Any:
    """Undo an application with a dated negative twin; the original stays. Answers with the reversal."""
    user = require(request, Permission.APPLY_CASH)
    original = get_or_404(reads.visible_applications(user), what="application", pk=application_id)
    reversal = services.reverse_application(application=original, on=payload.on, reason=payload.reason, by=user)
    return Status(201, reads.applications().get(pk=reversal.pk))


@write_offs.get("", response={200: page_of(WriteOffOut), **ERRORS}, summary="List write-offs")
def list_write_offs(request: HttpRequest, filters: Query[WriteOffFilters]) -> Any:
    """Write-offs (and their reversals) on invoices of customers the caller may see, in booking order."""
    user = require(request, Permission.VIEW_LEDGER)
    rows = reads.visible_write_offs(user)
    if filters.invoice:
        rows = rows.filter(invoice_id=filters.invoice)
    if filters.customer:
        rows = rows.filter(invoice__customer_id=filters.customer)
    return paginate(rows, key="id", page=filters, resource="write-offs")


@write_offs.get("/{int:write_off_id}", response={200: WriteOffOut, **ERRORS}, summary="Get a write-off")
def get_write_off(request: HttpRequest, write_off_id: Id) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    return get_or_404(reads.visible_write_offs(user), what="write-off", pk=write_off_id)


@write_offs.post("", response={201: WriteOffOut, **ERRORS}, summary="Write off part of an invoice")
def create_write_off(request: HttpRequest, payload: WriteOffIn) -> Any:
    user = require(request, Permission.WRITE_OFF)
    invoice = get_visible(Invoice.objects.all(), user, what="invoice", field="invoice_id", pk=payload.invoice_id)
    entry = services.write_off(invoice=invoice, amount=payload.amount, reason_code=payload.reason_code,
                               reason=payload.reason, on=payload.on, by=user)
    return Status(201, reads.write_offs().get(pk=entry.pk))


@write_offs.post("/{int:write_off_id}/reversal", response={201: WriteOffOut, **ERRORS},
                 summary="Reverse a write-off")
def reverse_write_off(request: HttpRequest, write_off_id: Id, payload: ReversalIn) -> Any:
    user = require(request, Permission.WRITE_OFF)
    original = get_or_404(reads.visible_write_offs(user), what="write-off", pk=write_off_id)
    reversal = services.reverse_write_off(entry=original, on=payload.on, reason=payload.reason, by=user)
    return Status(201, reads.write_offs().get(pk=reversal.pk))
