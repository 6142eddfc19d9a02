"""The invoice page: header, lines, applications with reversals, write-offs, credit memos, history."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ardesk.audit.queries import history
from ardesk.identity.guards import requires, scoped_or_404
from ardesk.identity.roles import Permission
from ardesk.insights.aging import bucket_for, days_past_due
from ardesk.ledger import queries as ledger
from ardesk.ledger.models import Invoice
from ardesk.web.paging import paginate
from ardesk.web.queries import invoice_history


@requires(Permission.VIEW_LEDGER)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = scoped_or_404(Invoice.objects.select_related("customer"), request.user, pk=pk)
    as_of = timezone.localdate()
    applications = list(ledger.applications_of_invoice(invoice))
    write_offs = list(ledger.write_offs_of_invoice(invoice))
    days = days_past_due(invoice.due_date, as_of)
    events_page = paginate(request, history(invoice), param="history_page", per_page=25)
    context = {
        "invoice": invoice,
        "customer": invoice.customer,
        "as_of": as_of,
        "days_past_due": days,
        "bucket": bucket_for(days, settings.ARDESK_AGING_BUCKETS) if invoice.open_amount > 0 else None,
        "applied_total": sum((a.amount for a in applications), ledger.ZERO),
        "written_off_total": sum((w.amount for w in write_offs), ledger.ZERO),
        "lines_page": paginate(request, invoice.lines.order_by("line_no"), param="lines_page", per_page=100),
        "line_totals": invoice.lines.aggregate(net=Sum("amount"), tax=Sum("tax_amount")),
        "applications": applications,
        "write_offs": write_offs,
        "credit_memos": ledger.credit_memos_of_invoice(invoice),
        "events_page": events_page,
        "history": invoice_history(events_page.object_list, invoice),
    }
    return render(request, "web/invoices/detail.html", context)
