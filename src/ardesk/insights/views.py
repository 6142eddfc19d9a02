"""The aging page: the report with its filters and downloads, and the drill-down from a cell to its invoices.

Thin: it parses the query string, calls insights.queries and renders. Bad input is a message on the page
(status 400), never a 500. Only customers in the user's scope are counted or listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ardesk.customers.queries import collector_choices, country_choices, segment_choices
from ardesk.errors import DomainError
from ardesk.identity.guards import requires
from ardesk.identity.models import Team
from ardesk.identity.roles import Permission
from ardesk.identity.scoping import visible_customers
from ardesk.insights import formats
from ardesk.insights.queries import DrillPage, aging_invoices, aging_page, aging_report
from ardesk.insights.report import (
    GROUPING_LABELS,
    TOTAL,
    AgingReport,
    Amounts,
    Grouping,
    InvalidReportInput,
    parse_as_of,
    parse_choice,
)
from ardesk.money import quantum
from ardesk.web.paging import paginate

ROWS_PER_PAGE = 100
INVOICES_PER_PAGE = 50
DOWNLOADS = ("csv", "xlsx", "json")
# Query-string keys that are not report filters (paging, drill-down, download).
NOT_FILTERS = frozenset({"as_of", "by", "page", "dpage", "group", "bucket", "format"})


@dataclass(frozen=True)
class AgingQuery:
    as_of: date
    by: Grouping
    where: dict[Grouping, str]
    group: str | None  # the drilled group's key ("" for "none"), or None for every group
    bucket: str | None  # the drilled bucket's key or `total`; None when not drilling
    download: str  # "" for the page itself


def parse_query(params: QueryDict, *, today: date) -> AgingQuery:
    as_of = parse_as_of(params.get("as_of"), today=today)
    by = parse_choice(Grouping, params.get("by"), field="by", default=Grouping.CUSTOMER)
    where = {g: value.strip() for g in Grouping if (value := params.get(g.value) or "").strip()}
    download = (params.get("format") or "").strip().lower()
    if download not in ("", "html", *DOWNLOADS):
        raise InvalidReportInput(f"format: unknown value {download!r}; expected one of html, {', '.join(DOWNLOADS)}",
                                 field="format")
    group = params.get("group")
    bucket = params.get("bucket")
    return AgingQuery(as_of, by, where, group.strip() if group is not None else None,
                      bucket.strip() or TOTAL if bucket is not None else None, "" if download == "html" else download)


def _text(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(quantum(currency)):,f}"


def _link(base: QueryDict, **changes: str) -> str:
    params = base.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


def _cells(amounts: Amounts, report: AgingReport, base: QueryDict, key: str | None) -> list[dict[str, Any]]:
    """One cell per bucket and the total, each linking to its invoices when there is money in it.
    `key` is the row's group; None for the totals row (every group)."""
    cells = []
    for bucket, amount in [*zip(report.buckets, amounts.buckets, strict=True), (None, amounts.total)]:
        target = {"bucket": bucket.key if bucket else TOTAL, **({"group": key} if key is not None else {})}
        cells.append({"text": _text(amount, report.currency),
                      "url": _link(base, **target) + "#drill" if amount else "",
                      "label": bucket.label if bucket else "Total"})
    return cells


def _rows(report: AgingReport, rows: Any, base: QueryDict) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        customer_url = (reverse("web:customer_detail", args=[int(row.key)])
                        if report.by is Grouping.CUSTOMER else "")
        result.append({"key": row.key, "label": row.label, "customer_url": customer_url,
                       "cells": _cells(row.amounts, report, base, row.key),
                       "disputed": _text(row.amounts.disputed, report.currency),
                       "collectible": _text(row.amounts.collectible, report.currency)})
    return result


def _download(report: AgingReport, kind: str) -> HttpResponse:
    name = f"aging-{report.as_of.isoformat()}-{report.by.value}"
    if kind == "csv":
        response = HttpResponse(formats.as_csv(report), content_type="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = HttpResponse(formats.as_xlsx(report), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        response = HttpResponse(json.dumps(formats.as_json(report), indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _choices(user: Any) -> dict[str, Any]:
    teams = Team.objects.filter(pk__in=visible_customers(user).filter(team__isnull=False).values("team_id"))
    return {"collectors": collector_choices(user), "teams": [(t.pk, t.name) for t in teams.order_by("name")],
            "segments": segment_choices(user), "countries": country_choices(user),
            "groupings": [(g.value, GROUPING_LABELS[g]) for g in Grouping]}


@requires(Permission.VIEW_REPORTS)
def aging(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {"as_of": request.GET.get("as_of") or today.isoformat(),
                               "by": request.GET.get("by") or Grouping.CUSTOMER.value,
                               "filters": {k: v for k, v in request.GET.items() if k not in NOT_FILTERS},
                               "report": None, "drill": None, **_choices(request.user)}
    try:
        query = parse_query(request.GET, today=today)
        if query.download:
            return _download(aging_report(as_of=query.as_of, by=query.by, user=request.user, where=query.where,
                                          today=today), query.download)
        number = _page_number(request.GET.get("page"))
        report, count = aging_page(as_of=query.as_of, by=query.by, user=request.user, where=query.where,
                                   today=today, limit=ROWS_PER_PAGE, offset=(number - 1) * ROWS_PER_PAGE)
        drill = _drill(request, report, query, today) if query.bucket is not None else None
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "insights/aging.html", context, status=400)
    base = request.GET.copy()
    for key in ("page", "dpage", "group", "bucket", "format"):
        base.pop(key, None)
    page = paginate(request, range(count), per_page=ROWS_PER_PAGE)
    context.update(
        report=report, title=formats.title(report), page=page, rows=_rows(report, report.rows, base),
        totals={"cells": _cells(report.totals, report, base, None),
                "disputed": _text(report.totals.disputed, report.currency),
                "collectible": _text(report.totals.collectible, report.currency)},
        group_label=GROUPING_LABELS[report.by], drill=drill,
        downloads=[(kind.upper(), _link(base, format=kind)) for kind in DOWNLOADS],
    )
    return render(request, "insights/aging.html", context)


def _drill(request: HttpRequest, report: AgingReport, query: AgingQuery, today: date) -> dict[str, Any]:
    """The invoices behind one cell: a group (or every group) and a bucket (or the whole row)."""
    where = dict(query.where) if query.group is None else {**query.where, query.by: query.group}

    def fetch(number: int) -> DrillPage:
        return aging_invoices(as_of=query.as_of, user=request.user, where=where, bucket=query.bucket or TOTAL,
                              today=today, limit=INVOICES_PER_PAGE, offset=(number - 1) * INVOICES_PER_PAGE)

    found = fetch(_page_number(request.GET.get("dpage")))
    page = paginate(request, range(found.count), param="dpage", per_page=INVOICES_PER_PAGE)
    if not found.invoices and found.count:
        found = fetch(page.number)  # a page number past the end shows the last page
    if query.group is None:
        label = "All " + GROUPING_LABELS[report.by].lower() + "s"
    else:
        label = _group_label(report, query.group, request.user)
    back = request.GET.copy()
    for key in ("dpage", "group", "bucket"):
        back.pop(key, None)
    return {"label": label, "bucket_label": next((b.label for b in report.buckets if b.key == query.bucket), "Total"),
            "invoices": found.invoices, "sums": found.sums, "count": found.count, "page": page,
            "back": "?" + back.urlencode()}


def _group_label(report: AgingReport, key: str, user: Any) -> str:
    """The drilled row's label: from the page when it is on it, else from the customer it names (if in scope)."""
    label = next((r.label for r in report.rows if r.key == key), None)
    if label is None and report.by is Grouping.CUSTOMER and key.isdigit():
        customer = visible_customers(user).filter(pk=int(key)).values_list("number", "name").first()
        label = f"{customer[0]} {customer[1]}" if customer else None
    return label or key or "(none)"


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1
