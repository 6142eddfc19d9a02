"""Raising a dispute from an invoice page (whole invoice or some lines) or an account page (several invoices),
and the reason-code suggestion the page refreshes while the customer's words are typed in.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ardesk.customers.models import Customer
from ardesk.disputes import forms, services
from ardesk.disputes.rules import LikelyDuplicate
from ardesk.disputes.views.actions import refusal
from ardesk.errors import DomainError
from ardesk.identity.guards import acting_user, customer_or_404, requires, scoped_or_404
from ardesk.identity.roles import Permission
from ardesk.ledger.models import Invoice, InvoiceLine

MAX_ACCOUNT_INVOICES = 200
MAX_LINES = 200


class LineInputError(DomainError):
    pass


def _number(raw: str, field: str) -> Decimal | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise LineInputError(f"{text[:20]!r} is not a number", field=field) from None
    if not value.is_finite():
        raise LineInputError(f"{text[:20]!r} is not a number", field=field)
    return value


def _line_items(invoice: Invoice, lines: list[InvoiceLine], post: Any) -> list[services.ItemInput]:
    items = []
    for line in lines:
        quantity = _number(post.get(f"qty_{line.pk}", ""), f"line {line.line_no} quantity short")
        price = _number(post.get(f"price_{line.pk}", ""), f"line {line.line_no} agreed unit price")
        if quantity is not None or price is not None:
            items.append(services.ItemInput(invoice=invoice, line=line, disputed_quantity=quantity,
                                            claimed_unit_price=price))
    if not items:
        raise LineInputError("fill in the quantity short or the agreed unit price of at least one line",
                             field="lines")
    return items


def _items(kind: str, data: dict[str, Any], invoice: Invoice | None, lines: list[InvoiceLine],
           open_invoices: list[Invoice], post: Any) -> list[services.ItemInput]:
    if kind == "invoice" and invoice is not None:
        return [services.ItemInput(invoice=invoice, amount=data["amount"])]
    if kind == "lines" and invoice is not None:
        return _line_items(invoice, lines, post)
    chosen = set(data["invoices"])
    return [services.ItemInput(invoice=inv) for inv in open_invoices if inv.pk in chosen]


@requires(Permission.RAISE_DISPUTES)
def raise_dispute(request: HttpRequest) -> HttpResponse:
    """`?invoice=<pk>` (whole invoice or lines) or `?customer=<pk>` (account); both stay in the user's scope."""
    user = acting_user(request)
    invoice: Invoice | None = None
    if request.GET.get("invoice"):
        invoice = scoped_or_404(Invoice.objects.select_related("customer"), user, pk=_pk(request.GET["invoice"]))
        customer: Customer = invoice.customer
    else:
        customer = customer_or_404(user, request.GET.get("customer"))
    lines = list(invoice.lines.order_by("line_no")[:MAX_LINES]) if invoice else []
    open_invoices = [] if invoice else list(
        Invoice.objects.filter(customer=customer, open_amount__gt=0).order_by("due_date", "pk")[:MAX_ACCOUNT_INVOICES])
    open_invoices = [inv for inv in open_invoices if inv.collectible_amount > 0]
    kinds = (["invoice", "lines"] if lines else ["invoice"]) if invoice else ["account"]
    choices = [(inv.pk, inv.number) for inv in open_invoices]
    form = forms.RaiseForm(request.POST or None, invoice_choices=choices, kinds=kinds)
    errors: list[str] = []
    duplicates: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispute = services.raise_dispute(
                    customer=customer, kind=data["kind"],
                    items=_items(data["kind"], data, invoice, lines, open_invoices, request.POST),
                    description=data["description"], reason_code=data["reason_code"], owner=data["owner"],
                    priority=data["priority"], confirm_duplicate=data["confirm_duplicate"], by=user)
            except LikelyDuplicate as exc:
                duplicates, status = exc.numbers, 409
                errors = [refusal(exc)[0]]
            except DomainError as exc:
                message, status = refusal(exc)
                errors = [f"{exc.field}: {message}" if exc.field and exc.field not in form.fields else message]
                if exc.field in form.fields:
                    form.add_error(exc.field, message)
            else:
                messages.success(request, f"Dispute {dispute.number} raised for "
                                          f"{dispute.amount:.2f} {dispute.currency}.")
                return redirect(reverse("disputes:detail", args=[dispute.pk]))
        else:
            errors = forms.error_messages(form)
    suggestion = services.suggest_reason(form.data.get("description", "")) if form.is_bound else None
    context = {"form": form, "customer": customer, "invoice": invoice, "lines": lines,
               "open_invoices": open_invoices, "kinds": kinds, "errors": errors, "duplicates": duplicates,
               "suggestion": suggestion,
               "line_rows": [(line, request.POST.get(f"qty_{line.pk}", ""), request.POST.get(f"price_{line.pk}", ""))
                             for line in lines]}
    return render(request, "disputes/raise.html", context, status=status)


def _pk(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


@requires(Permission.RAISE_DISPUTES)
def suggest(request: HttpRequest) -> HttpResponse:
    """The suggested reason code for the words typed so far (an htmx fragment)."""
    text = request.GET.get("description", "")[:10_000]
    return render(request, "disputes/_suggestion.html", {"suggestion": services.suggest_reason(text)})
