"""The dispute queue page (filters, sort, pages, SLA state per row) and its bulk reassignment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ardesk.disputes import forms, queue_export, services
from ardesk.disputes.models import Department, Priority, ReasonCode
from ardesk.disputes.queries import visible_disputes
from ardesk.disputes.queue import SLA_STATES, BadFilter, QueueRows, page_summary, parse_filter, queue, sla_state
from ardesk.disputes.views.actions import refusal
from ardesk.disputes.views.approvals import waiting_for
from ardesk.disputes.workflow import OPEN_STATES, Status
from ardesk.errors import DomainError
from ardesk.identity.guards import acting_user, requires
from ardesk.identity.models import Team
from ardesk.identity.roles import Permission
from ardesk.web.paging import paginate

PAGE_SIZE = 50
SORT_COLUMNS = (("sla_due", "SLA due"), ("age", "Age"), ("amount", "Outstanding"), ("priority", "Priority"),
                ("customer", "Customer"))


def _params(query: QueryDict) -> dict[str, str]:
    """The query string as the filter reads it: several ticked statuses become one comma-separated value."""
    params = {key: query.get(key, "") for key in query if key not in ("status", "format")}
    statuses = [s for s in query.getlist("status") if s]
    if statuses:
        params["status"] = ",".join(statuses)
    return params


def _choices() -> dict[str, Any]:
    return {
        "statuses": [(s.value, s.label, s in OPEN_STATES) for s in Status],
        "reasons": list(ReasonCode.objects.filter(active=True).values_list("code", "label")),
        "owners": [(u.pk, u.get_full_name() or u.username) for u in forms.possible_owners()],
        "teams": list(Team.objects.order_by("name").values_list("pk", "name")),
        "departments": Department.choices,
        "priorities": Priority.choices,
        "sla_states": [(s, s.replace("_", " ")) for s in SLA_STATES],
    }


@requires(Permission.VIEW_LEDGER)
def queue_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today, "errors": [], "page": None, "rows": [], "summary": None,
                               "may_reassign": user.may(Permission.REASSIGN_DISPUTES),
                               "sort_columns": SORT_COLUMNS, "back": request.GET.urlencode(), **_choices()}
    status = 200
    try:
        f = parse_filter(_params(request.GET))
    except BadFilter as exc:
        context["errors"] = [f"{exc.field}: {exc.message}"]
        f = parse_filter({})
        status = 400
    selected = queue(user, f, today)
    summary = page_summary(selected, today)
    page = paginate(request, QueueRows(selected), per_page=PAGE_SIZE, count=lambda: summary["count"])
    rows = [(d, sla_state(is_open=d.is_open, sla_due=d.sla_due, today=today), (today - d.raised_on).days)
            for d in page.object_list]
    context.update(filter=f, summary=summary, page=page, rows=rows, sort=f.sort,
                   selected_status={s.value for s in f.status},
                   assign_form=forms.AssignForm() if context["may_reassign"] else None,
                   approvals_waiting=(waiting_for(user).count() if user.may(Permission.RESOLVE_DISPUTES)
                                      and user.may(Permission.WRITE_OFF) else 0))
    return render(request, "disputes/queue.html", context, status=status)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@requires(Permission.VIEW_LEDGER)
def queue_export_file(request: HttpRequest) -> HttpResponseBase:
    """Every dispute the queue's filter selects (not one page), as CSV (streamed) or XLSX."""
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return _plain(f"format: csv or xlsx, not {kind[:20]!r}")
    try:
        f = parse_filter(_params(request.GET))
    except BadFilter as exc:
        return _plain(f"{exc.field}: {exc.message}")
    today = timezone.localdate()
    selected = queue(acting_user(request), f, today)
    response: HttpResponse | StreamingHttpResponse
    if kind == "csv":
        response = StreamingHttpResponse(queue_export.csv_lines(queue_export.rows(selected, today)),
                                         content_type="text/csv; charset=utf-8")
    else:
        count = selected.count()
        if count > queue_export.XLSX_MAX_ROWS:
            return _plain(f"format=xlsx: {count:,} disputes is more than a workbook takes here "
                          f"({queue_export.XLSX_MAX_ROWS:,}); narrow the filter or download CSV")
        response = HttpResponse(queue_export.as_xlsx(queue_export.rows(selected, today)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="disputes-{today.isoformat()}.{kind}"'
    return response


def _plain(message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")


def _back_to_queue(back: str) -> str:
    query = QueryDict(back[:2000])  # only our own path, with whatever filter the user had
    return reverse("disputes:queue") + ("?" + query.urlencode() if query else "")


@require_POST
@requires(Permission.REASSIGN_DISPUTES)
def bulk_assign(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = forms.BulkAssignForm(request.POST)
    target = _back_to_queue(request.POST.get("back", ""))
    if not form.is_valid():
        for message in forms.error_messages(form):
            messages.error(request, message)
        return redirect(target)
    wanted = set(form.cleaned_data["disputes"])
    disputes = list(visible_disputes(user).filter(pk__in=wanted))
    if len(disputes) != len(wanted):
        raise Http404("no such dispute")
    owner, department = form.cleaned_data["owner"], form.cleaned_data["department"] or None
    try:
        services.assign(disputes=disputes, owner=owner, department=department, by=user)
    except DomainError as exc:
        messages.error(request, refusal(exc)[0])
        return redirect(target)
    who = owner.username if owner else "nobody"
    messages.success(request, f"{len(disputes)} dispute{'s' if len(disputes) != 1 else ''} reassigned to {who}"
                              + (f" in {dict(Department.choices)[department]}." if department else "."))
    return redirect(target)
