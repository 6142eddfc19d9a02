"""The dispute reports page: a report picker, the period, the table and its downloads (CSV, XLSX, JSON).

Thin: parses the query string, calls insights.dispute_tables and renders. Bad input is a message on the page
(status 400). Only disputes of customers in the user's scope are counted.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ardesk.errors import DomainError
from ardesk.identity.guards import requires
from ardesk.identity.roles import Permission
from ardesk.insights import dispute_formats as formats
from ardesk.insights.dispute_report import REPORT_TITLES, DisputeTable, ReportKind, parse_kind, parse_period
from ardesk.insights.dispute_tables import dispute_report
from ardesk.web.paging import paginate

ROWS_PER_PAGE = 100
DOWNLOADS = ("csv", "xlsx", "json")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(table: DisputeTable, kind: str) -> HttpResponse:
    name = f"disputes-{table.kind.value}-{table.period.as_of.isoformat()}"
    if kind == "csv":
        response = HttpResponse(formats.as_csv(table), content_type="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = HttpResponse(formats.as_xlsx(table), content_type=XLSX)
    else:
        response = HttpResponse(json.dumps(formats.as_json(table), indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _rendered(table: DisputeTable, rows: Any) -> dict[str, Any]:
    columns = table.columns[1:]  # the key is for machines

    def cells(values: tuple[Any, ...]) -> list[dict[str, Any]]:
        return [{"text": formats.shown(v, c, table.currency), "numeric": c.kind.value not in ("text", "flag")}
                for c, v in zip(columns, values[1:], strict=True)]

    return {"columns": columns, "rows": [cells(r) for r in rows],
            "totals": cells(table.totals) if table.totals is not None else None}


@requires(Permission.VIEW_REPORTS)
def dispute_reports(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    params = request.GET
    context: dict[str, Any] = {
        "reports": [(k.value, REPORT_TITLES[k]) for k in ReportKind], "chosen": params.get("report") or "by_reason",
        "as_of": params.get("as_of") or today.isoformat(), "raised_from": params.get("raised_from") or "",
        "raised_to": params.get("raised_to") or "", "table": None,
    }
    try:
        kind = parse_kind(params.get("report"))
        period = parse_period(params.get("as_of"), params.get("raised_from"), params.get("raised_to"), today=today)
        fmt = (params.get("format") or "").strip().lower()
        if fmt not in ("", "html", *DOWNLOADS):
            raise DomainError(f"format: unknown value {fmt!r}; expected one of html, {', '.join(DOWNLOADS)}",
                              field="format")
        table = dispute_report(kind, period=period, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "insights/dispute_reports.html", context, status=400)
    if fmt in DOWNLOADS:
        return download(table, fmt)
    base = params.copy()
    for key in ("page", "format"):
        base.pop(key, None)
    base["raised_from"], base["raised_to"] = period.raised_from.isoformat(), period.raised_to.isoformat()
    page = paginate(request, list(table.rows), per_page=ROWS_PER_PAGE)
    context.update(table=table, page=page, raised_from=period.raised_from.isoformat(),
                   raised_to=period.raised_to.isoformat(), chosen=kind.value, **_rendered(table, page.object_list),
                   downloads=[(k.upper(), "?" + _with(base, format=k)) for k in DOWNLOADS])
    return render(request, "insights/dispute_reports.html", context)


def _with(base: Any, **changes: str) -> str:
    params = base.copy()
    for key, value in changes.items():
        params[key] = value
    return str(params.urlencode())
