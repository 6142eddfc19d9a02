"""Invoices, credit memos and payments: list, get, book. Each book is one ledger service call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from ardesk.apikit.access import get_or_404, get_visible, require
from ardesk.apikit.errors import ERROR_RESPONSES
from ardesk.apikit.fields import Id
from ardesk.apikit.pagination import page_of, paginate
from ardesk.customers.models import Customer
from ardesk.identity.roles import Permission
from ardesk.ledger import services
from ardesk.ledger.api import reads
from ardesk.ledger.api.schemas import (
    ApplicationOut,
    CreditMemoApplicationIn,
    CreditMemoDetailOut,
    CreditMemoFilters,
    CreditMemoIn,
    CreditMemoOut,
    InvoiceDetailOut,
    InvoiceFilters,
    InvoiceIn,
    InvoiceOut,
    PaymentDetailOut,
    PaymentFilters,
    PaymentIn,
    PaymentOut,
)
from ardesk.ledger.models import Invoice, Source

ERRORS = ERROR_RESPONSES

invoices = Router()
credit_memos = Router()
payments = Router()


def _customer(user: Any, pk: int) -> Customer:
    return get_visible(Customer.objects.all(), user, what="customer", via="", field="customer_id", pk=pk)


# --- invoices -----------------------------------------------------------------------------------


def _filter_invoices(rows: QuerySet[Invoice], f: InvoiceFilters) -> QuerySet[Invoice]:
    if f.customer:
        rows = rows.filter(customer_id=f.customer)
    if f.status == "paid":
        rows = rows.filter(open_amount=0)
    elif f.status == "open":
        rows = rows.filter(open_amount__gt=0)
    elif f.status == "overdue":
        rows = rows.filter(open_amount__gt=0, due_date__lt=timezone.localdate())
    if f.due_before:
        rows = rows.filter(due_date__lt=f.due_before)
    if f.due_after:
        rows = rows.filter(due_date__gt=f.due_after)
    if f.currency:
        rows = rows.filter(currency=f.currency)
    if f.po_number:
        rows = rows.filter(po_number=f.po_number)
    return rows


@invoices.get("", response={200: page_of(InvoiceOut), **ERRORS}, summary="List invoices")
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> Any:
    """Invoices of customers the caller may see, in the order they were issued."""
    user = require(request, Permission.VIEW_LEDGER)
    return paginate(_filter_invoices(reads.invoices(user), filters), key="issue_date", page=filters,
                    resource="invoices")


@invoices.get("/{int:invoice_id}", response={200: InvoiceDetailOut, **ERRORS}, summary="Get an invoice")
def get_invoice(request: HttpRequest, invoice_id: Id) -> Any:
    """The invoice with its lines, applications and write-offs (reversals included)."""
    user = require(request, Permission.VIEW_LEDGER)
    return reads.invoice_detail(user, invoice_id)


@invoices.post("", response={201: InvoiceDetailOut, **ERRORS}, summary="Book an invoice")
def book_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    """Book an invoice with an amount, or with lines whose sum (net plus tax) becomes the amount."""
    user = require(request, Permission.BOOK_INVOICES)
    customer = _customer(user, payload.customer_id)
    lines = [services.LineInput(sku=ln.sku, description=ln.description, quantity=ln.quantity,
                                unit_price=ln.unit_price, tax_amount=ln.tax_amount) for ln in payload.lines or []]
    extra = {"tax_amount": payload.tax_amount} if payload.tax_amount is not None else {}
    invoice = services.book_invoice(
        customer=customer, number=payload.number, issue_date=payload.issue_date,
        due_date=payload.due_date or payload.issue_date + timedelta(days=customer.payment_terms_days),
        currency=payload.currency or customer.currency, amount=payload.amount, lines=lines or None,
        po_number=payload.po_number, sales_rep=payload.sales_rep, description=payload.description,
        source=Source.API, by=user, **extra)
    return Status(201, reads.invoice_detail(user, invoice.pk))


# --- credit memos -------------------------------------------------------------------------------


@credit_memos.get("", response={200: page_of(CreditMemoOut), **ERRORS}, summary="List credit memos")
def list_credit_memos(request: HttpRequest, filters: Query[CreditMemoFilters]) -> Any:
    """Credit memos of customers the caller may see, in the order they were booked."""
    user = require(request, Permission.VIEW_LEDGER)
    rows = reads.credit_memos(user)
    if filters.customer:
        rows = rows.filter(customer_id=filters.customer)
    if filters.invoice:
        rows = rows.filter(invoice_id=filters.invoice)
    if filters.unapplied is not None:
        rows = rows.filter(unapplied_amount__gt=0) if filters.unapplied else rows.filter(unapplied_amount=0)
    if filters.currency:
        rows = rows.filter(currency=filters.currency)
    return paginate(rows, key="id", page=filters, resource="credit-memos")


@credit_memos.get("/{int:credit_memo_id}", response={200: CreditMemoDetailOut, **ERRORS},
                  summary="Get a credit memo")
def get_credit_memo(request: HttpRequest, credit_memo_id: Id) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    return reads.credit_memo_detail(user, credit_memo_id)


@credit_memos.post("", response={201: CreditMemoDetailOut, **ERRORS}, summary="Book a credit memo")
def book_credit_memo(request: HttpRequest, payload: CreditMemoIn) -> Any:
    """Book a credit memo; it credits nothing until applied to an invoice."""
    user = require(request, Permission.BOOK_INVOICES)
    customer = _customer(user, payload.customer_id)
    invoice = (get_visible(Invoice.objects.all(), user, what="invoice", field="invoice_id", pk=payload.invoice_id)
               if payload.invoice_id else None)
    memo = services.book_credit_memo(
        customer=customer, number=payload.number, issue_date=payload.issue_date,
        currency=payload.currency or customer.currency, amount=payload.amount, reason=payload.reason,
        invoice=invoice, source=Source.API, by=user)
    return Status(201, reads.credit_memo_detail(user, memo.pk))


@credit_memos.post("/{int:credit_memo_id}/applications", response={201: ApplicationOut, **ERRORS},
                   summary="Apply a credit memo to an invoice")
def apply_credit_memo(request: HttpRequest, credit_memo_id: Id, payload: CreditMemoApplicationIn) -> Any:
    user = require(request, Permission.APPLY_CASH)
    memo = get_or_404(reads.credit_memos(user), what="credit memo", pk=credit_memo_id)
    invoice = get_visible(Invoice.objects.all(), user, what="invoice", field="invoice_id", pk=payload.invoice_id)
    application = services.apply_credit_memo(credit_memo=memo, invoice=invoice, amount=payload.amount,
                                             on=payload.on, note=payload.note, by=user)
    return Status(201, reads.applications().get(pk=application.pk))


# --- payments -----------------------------------------------------------------------------------


@payments.get("", response={200: page_of(PaymentOut), **ERRORS}, summary="List payments")
def list_payments(request: HttpRequest, filters: Query[PaymentFilters]) -> Any:
    """Payments of customers the caller may see, in the order they were recorded."""
    user = require(request, Permission.VIEW_LEDGER)
    rows = reads.payments(user)
    if filters.customer:
        rows = rows.filter(customer_id=filters.customer)
    if filters.unapplied is not None:
        rows = rows.filter(unapplied_amount__gt=0) if filters.unapplied else rows.filter(unapplied_amount=0)
    if filters.received_before:
        rows = rows.filter(received_on__lt=filters.received_before)
    if filters.received_after:
        rows = rows.filter(received_on__gt=filters.received_after)
    if filters.currency:
        rows = rows.filter(currency=filters.currency)
    return paginate(rows, key="id", page=filters, resource="payments")


@payments.get("/{int:payment_id}", response={200: PaymentDetailOut, **ERRORS}, summary="Get a payment")
def get_payment(request: HttpRequest, payment_id: Id) -> Any:
    user = require(request, Permission.VIEW_LEDGER)
    return reads.payment_detail(user, payment_id)


@payments.post("", response={201: PaymentDetailOut, **ERRORS}, summary="Record a payment")
def record_payment(request: HttpRequest, payload: PaymentIn) -> Any:
    """Record cash received; until applied it is unapplied (on-account) cash."""
    user = require(request, Permission.BOOK_PAYMENTS)
    customer = _customer(user, payload.customer_id)
    payment = services.record_payment(
        customer=customer, number=payload.number, received_on=payload.received_on,
        currency=payload.currency or customer.currency, amount=payload.amount, method=payload.method,
        bank_reference=payload.bank_reference, source=Source.API, by=user)
    return Status(201, reads.payment_detail(user, payment.pk))
