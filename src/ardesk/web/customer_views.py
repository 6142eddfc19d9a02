"""The customer list (search, filters, sort, pages; htmx refreshes the results) and the account page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ardesk.customers import queries as customers
from ardesk.customers import ranking
from ardesk.identity.guards import customer_or_404, requires
from ardesk.identity.roles import Permission
from ardesk.insights.aging import bucket_for, days_past_due
from ardesk.ledger import queries as ledger
from ardesk.web.figures import Settlement, average_days_late, credit_used_percent
from ardesk.web.forms import SEARCH_HELP, CustomerFilterForm
from ardesk.web.paging import paginate
from ardesk.web.timeline import timeline_for

PAGE_SIZE = 50
TIMELINE_STEP = 25
TIMELINE_MAX = 500


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


@requires(Permission.VIEW_LEDGER)
def customer_list(request: HttpRequest) -> HttpResponse:
    as_of = timezone.localdate()
    form = CustomerFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "as_of": as_of, "search_help": SEARCH_HELP, "rows": [],
                               "page": None, "errors": [], "sort": "number"}
    status = 200
    if form.is_valid():
        query = form.to_query()
        count, ordered = ranking.list_customers(request.user, query, as_of=as_of)
        page = paginate(request, ordered, per_page=PAGE_SIZE, count=lambda: count)
        context.update(page=page, rows=customers.customer_rows(page.object_list, as_of=as_of),
                       sort=query.sort, shortened=form.shortened)
    else:
        context["errors"] = form.error_messages()
        status = 400
    if is_htmx(request):
        response = render(request, "web/customers/_results.html", context, status=status)
    else:
        choices = customers.filter_choices(request.user)
        context.update(collectors=choices.collectors, segments=choices.segments, countries=choices.countries)
        response = render(request, "web/customers/list.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _timeline_limit(raw: str | None) -> int:
    try:
        return max(TIMELINE_STEP, min(int(raw or TIMELINE_STEP), TIMELINE_MAX))
    except ValueError:
        return TIMELINE_STEP


@requires(Permission.VIEW_LEDGER)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The account on one page; `?group=1` rolls up the subsidiaries the user may also see."""
    customer = customer_or_404(request.user, pk)
    as_of = timezone.localdate()
    group = request.GET.get("group") == "1"
    members = [customer, *(customers.visible_descendants(request.user, customer) if group else [])]
    ids = [c.pk for c in members]
    totals = customers.totals_for(ids, as_of=as_of)
    own = next((f for f in totals if f.currency == customer.currency), None)
    settlements = [Settlement(paid, due, amount)
                   for paid, due, amount in ledger.settlements_since(ids, as_of - timedelta(days=365))]

    open_page = paginate(request, ledger.open_invoices_of(ids), param="open_page", per_page=25)
    limits = settings.ARDESK_AGING_BUCKETS
    open_items = [(inv, bucket_for(days_past_due(inv.due_date, as_of), limits)) for inv in open_page.object_list]
    timeline_limit = _timeline_limit(request.GET.get("timeline"))
    timeline = timeline_for(ids, limit=timeline_limit)
    context = {
        "customer": customer,
        "members": members,
        "group": group,
        "has_children": customers.has_children(customer),
        "as_of": as_of,
        "totals": totals,
        "credit_used": credit_used_percent(own.open if own else ledger.ZERO, customer.credit_limit),
        "days_late": average_days_late(settlements),
        "open_page": open_page,
        "open_items": open_items,
        "payments_page": paginate(request, ledger.payments_of(ids), param="payments_page", per_page=10),
        "memos_page": paginate(request, ledger.credit_memos_of(ids), param="memos_page", per_page=10),
        "write_offs_page": paginate(request, ledger.write_offs_of(ids), param="write_offs_page", per_page=10),
        "unapplied": ledger.unapplied_of(ids),
        "contacts": customers.contacts_of(members),
        "timeline": timeline,
        "timeline_more": timeline_limit + TIMELINE_STEP if len(timeline) >= timeline_limit
        and timeline_limit < TIMELINE_MAX else None,
    }
    return render(request, "web/customers/detail.html", context)
