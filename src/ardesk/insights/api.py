"""Reports over the API: GET /reports/aging (JSON or CSV), the invoices behind one of its cells, and
GET /reports/disputes/{report} (JSON or CSV).

Thin: parses the query, checks the role (reports.view) and hands the user to insights.queries, which counts
only customers in the user's scope. Bad input raises DomainError(field=…), which the API answers with 422.
"""

from __future__ import annotations

import json
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from ardesk.apikit.access import require
from ardesk.apikit.errors import ErrorOut
from ardesk.identity.roles import Permission
from ardesk.insights import dispute_formats, formats
from ardesk.insights.dispute_report import ReportKind, parse_period
from ardesk.insights.dispute_tables import dispute_report
from ardesk.insights.queries import MAX_PAGE, aging_invoices, aging_page, aging_report
from ardesk.insights.report import TOTAL, Grouping, parse_as_of
from ardesk.money import quantum

router = Router()

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 403: ErrorOut, 422: ErrorOut}
By = Literal["customer", "collector", "team", "segment", "country", "currency"]
AS_OF = Query(None, description="YYYY-MM-DD; today when left out. A past date is rebuilt from dated entries.")
FILTER = Query(None, description="narrow the report to one value (an id for customer, collector, team; "
                                 "an empty value means none)")


class BucketOut(Schema):
    key: str
    label: str
    low: int | None
    high: int | None


class AmountsOut(Schema):
    buckets: dict[str, str] = Field(description="bucket key → amount, as a string at the minor unit")
    total: str
    disputed: str
    collectible: str


class OriginalOut(AmountsOut):
    currency: str


class RowOut(AmountsOut):
    key: str
    label: str
    original: OriginalOut | None = Field(None, description="the row in its own currency (grouped by currency)")


class AgingOut(Schema):
    as_of: str
    by: str
    currency: str = Field(description="the company currency every amount is converted to")
    source: str = Field(description="cache (today), rollback or entries (a past date)")
    source_label: str
    disputed_known: bool
    filters: dict[str, str]
    buckets: list[BucketOut]
    fx_rates: dict[str, str]
    rows: list[RowOut]
    totals: AmountsOut
    notes: list[str]


class CurrencySumOut(Schema):
    currency: str
    count: int
    open_amount: str
    disputed_amount: str


class DrillInvoiceOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_number: str
    issue_date: str
    due_date: str
    days_past_due: int
    bucket: str
    currency: str
    open_amount: str
    disputed_amount: str


class DrillOut(Schema):
    count: int
    sums: list[CurrencySumOut]
    invoices: list[DrillInvoiceOut]


def _where(**values: str | None) -> dict[Grouping, str]:
    return {Grouping(name): value.strip() for name, value in values.items() if value is not None}


def _money(amount: object, currency: str) -> str:
    return f"{amount.quantize(quantum(currency)):f}"  # type: ignore[attr-defined]


@router.get("/aging", response={200: AgingOut, **ERRORS}, summary="Aging report")
def aging(
    request: HttpRequest, as_of: str | None = AS_OF, by: By = "customer",
    format: Literal["json", "csv"] = "json",
    customer: str | None = FILTER, collector: str | None = FILTER, team: str | None = FILTER,
    segment: str | None = FILTER, country: str | None = FILTER, currency: str | None = FILTER,
    limit: int | None = Query(None, ge=1, le=MAX_PAGE, description="JSON only: this many rows (largest first) "
                                                                     "and `count`; left out: every row"),
    offset: int = Query(0, ge=0, description="JSON only, with `limit`: rows to skip"),
) -> HttpResponse:
    """Open money by days past due as of a date, in the company currency, grouped as asked.

    Only customers the caller may see are counted. CSV has one line per group and a `Total` line. With
    `limit`, JSON holds one page of rows (totals are still the whole report's) and `count`, the number of rows.
    """
    user = require(request, Permission.VIEW_REPORTS)
    day, grouping = parse_as_of(as_of, today=timezone.localdate()), Grouping(by)
    where = _where(customer=customer, collector=collector, team=team, segment=segment, country=country,
                   currency=currency)
    if limit is not None and format == "json":
        page, count = aging_page(as_of=day, by=grouping, user=user, where=where, limit=limit, offset=offset)
        return HttpResponse(json.dumps({**formats.as_json(page), "count": count, "limit": limit, "offset": offset}),
                            content_type="application/json")
    report = aging_report(as_of=day, by=grouping, user=user, where=where)
    if format == "csv":
        response = HttpResponse(formats.as_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="aging-{report.as_of}-{report.by.value}.csv"'
        return response
    # Serialised here rather than through the schema: a report by customer can hold 100,000 rows.
    return HttpResponse(json.dumps(formats.as_json(report)), content_type="application/json")


@router.get("/aging/invoices", response={200: DrillOut, **ERRORS}, summary="Invoices behind an aging cell")
def aging_cell(
    request: HttpRequest, as_of: str | None = AS_OF, by: By = "customer",
    group: str | None = Query(None, description="the row's key; left out: every row"),
    bucket: str = Query(TOTAL, description="a bucket key, or `total` for the whole row"),
    limit: int = Query(50, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0),
    customer: str | None = FILTER, collector: str | None = FILTER, team: str | None = FILTER,
    segment: str | None = FILTER, country: str | None = FILTER, currency: str | None = FILTER,
) -> DrillOut:
    """The open invoices behind one cell of the aging report, oldest due date first; they add up to the cell."""
    user = require(request, Permission.VIEW_REPORTS)
    where = _where(customer=customer, collector=collector, team=team, segment=segment, country=country,
                   currency=currency)
    if group is not None:
        where[Grouping(by)] = group.strip()
    found = aging_invoices(as_of=parse_as_of(as_of, today=timezone.localdate()), user=user, where=where,
                           bucket=bucket.strip(), limit=limit, offset=offset)
    return DrillOut(
        count=found.count,
        sums=[CurrencySumOut(currency=s.currency, count=s.count, open_amount=_money(s.open_amount, s.currency),
                             disputed_amount=_money(s.disputed_amount, s.currency)) for s in found.sums],
        invoices=[DrillInvoiceOut(
            id=item.invoice.pk, number=item.invoice.number, customer_id=item.invoice.customer_id,
            customer_number=item.invoice.customer.number, issue_date=item.invoice.issue_date.isoformat(),
            due_date=item.invoice.due_date.isoformat(), days_past_due=item.days_past_due, bucket=item.bucket.key,
            currency=item.invoice.currency, open_amount=_money(item.open_amount, item.invoice.currency),
            disputed_amount=_money(item.disputed_amount, item.invoice.currency)) for item in found.invoices],
    )


DisputeReportName = Literal["by_reason", "by_root_cause", "by_status", "by_age", "by_owner", "by_customer", "by_sku",
                            "by_sales_rep", "cycle_time", "sla", "pareto", "recurring", "trends"]


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description="text, count, money, share (a fraction), days, date or flag")


class DisputeReportOut(Schema):
    report: str
    title: str
    as_of: str
    raised_from: str
    raised_to: str
    currency: str
    columns: list[ColumnOut]
    rows: list[dict[str, str | None]] = Field(description="column key → value as a string")
    totals: dict[str, str | None] | None
    fx_rates: dict[str, str]
    notes: list[str]


@router.get("/disputes/{report}", response={200: DisputeReportOut, **ERRORS}, summary="A dispute report")
def dispute_report_route(
    request: HttpRequest, report: DisputeReportName, as_of: str | None = AS_OF,
    raised_from: str | None = Query(None, description="YYYY-MM-DD; the twelve months up to as_of when left out"),
    raised_to: str | None = Query(None, description="YYYY-MM-DD; as_of when left out"),
    format: Literal["json", "csv"] = "json",
) -> HttpResponse:
    """Disputes raised in the period, of the caller's customers, in the company currency at the as-of rates."""
    user = require(request, Permission.VIEW_REPORTS)
    period = parse_period(as_of, raised_from, raised_to, today=timezone.localdate())
    table = dispute_report(ReportKind(report), period=period, user=user)
    if format == "csv":
        response = HttpResponse(dispute_formats.as_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="disputes-{report}-{period.as_of}.csv"'
        return response
    return HttpResponse(json.dumps(dispute_formats.as_json(table)), content_type="application/json")
