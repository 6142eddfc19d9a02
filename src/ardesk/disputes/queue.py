"""The dispute queue: a filter parsed from a query string, the scoped queryset it selects, and its summary.

`parse_filter` is pure (it names the parameter at fault); `queue` and `queue_summary` read the
database through `visible_disputes`, so a user only ever sees disputes of customers in scope. The
page, the API and the benchmark share these three functions.

Kept fast on 100,000 disputes (figures: benchmarks/bench_disputes.py): the open disputes have partial
indexes in the default, amount and age orders, the first carrying what the summary and the scope, owner
and reason filters read, so those are index-only; every status has an index in the default and amount
orders, so a deep page walks it instead of sorting the table; text search goes through indexed numbers and ids, never
a join that needs DISTINCT. The page's summary (`page_summary`) counts at most PAGE_COUNT_CAP disputes:
above it the page says "10,000+" instead of adding up the whole table on every request; the API's
summary stays exact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.http import Http404

from ardesk.customers.models import Customer
from ardesk.disputes.escalation import DUE_SOON_DAYS, Sla
from ardesk.disputes.escalation import sla_state as sla_state  # the one SLA rule; the pages import it here
from ardesk.disputes.models import Dispute, DisputeItem
from ardesk.disputes.queries import visible_disputes
from ardesk.disputes.workflow import OPEN_STATES, Status
from ardesk.errors import DomainError, NotFound
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS

MAX_TEXT = 100
MAX_TEXT_CUSTOMERS = 2000  # a search matching more customers than this is too broad to be useful
PAGE_COUNT_CAP = 10_000  # the queue page counts and totals up to this many disputes; above, it says "10,000+"
SORTS: dict[str, tuple[str, ...]] = {
    "sla_due": ("sla_due", "-priority", "pk"),
    "-sla_due": ("-sla_due", "-priority", "-pk"),
    "age": ("-raised_on", "-pk"),  # youngest first
    "-age": ("raised_on", "pk"),  # oldest first
    "amount": ("outstanding", "pk"),
    "-amount": ("-outstanding", "-pk"),
    "priority": ("priority", "sla_due", "pk"),
    "-priority": ("-priority", "sla_due", "pk"),
    "customer": ("customer__name", "customer__number", "pk"),
}
SLA_STATES = ("breached", "due_soon", "on_track")
OPEN_STATUS: tuple[Status, ...] = tuple(s for s in Status if s in OPEN_STATES)
ALL_STATUS: tuple[Status, ...] = tuple(Status)
Owner = int | Literal["none", "me"] | None

_SLUG = re.compile(r"^[-a-z0-9_]{1,40}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MONEY = DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)


class BadFilter(DomainError):
    """A queue parameter that cannot be understood; `field` names it."""


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. Empty values mean "any"; `status` defaults to the open states."""

    status: tuple[Status, ...] = OPEN_STATUS
    reason: str = ""
    owner: Owner = None
    team: int | None = None
    department: str = ""
    min_age_days: int | None = None
    max_age_days: int | None = None
    sla: Sla = ""
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    customer: int | None = None
    q: str = ""
    escalated: bool | None = None
    priority: int | None = None
    sort: str = "sla_due"

    @property
    def all_statuses(self) -> bool:
        return set(self.status) == set(ALL_STATUS)

    def as_params(self) -> dict[str, str]:
        """The filter back as query parameters (without defaults), for page links and sort headers."""
        params: dict[str, str] = {}
        if self.status != OPEN_STATUS:
            params["status"] = "all" if self.all_statuses else ",".join(s.value for s in self.status)
        for name in ("reason", "department", "sla", "q"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        for name in ("owner", "team", "min_age_days", "max_age_days", "min_amount", "max_amount", "customer",
                     "priority"):
            value = getattr(self, name)
            if value is not None:
                params[name] = str(value)
        if self.escalated is not None:
            params["escalated"] = "1" if self.escalated else "0"
        if self.sort != "sla_due":
            params["sort"] = self.sort
        return params


def _int(params: Mapping[str, str], name: str, *, minimum: int = 0, maximum: int = 10**9) -> int | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise BadFilter(f"{name} must be a whole number from {minimum} to {maximum}, not {raw[:20]!r}", field=name)
    return int(raw)


def _amount(params: Mapping[str, str], name: str) -> Decimal | None:
    raw = str(params.get(name) or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadFilter(f"{name} must be an amount such as 1000.00, not {raw[:20]!r}", field=name) from None
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        raise BadFilter(f"{name} must be an amount of zero or more, not {raw[:20]!r}", field=name)
    return value


def _status(raw: str) -> tuple[Status, ...]:
    raw = raw.strip().lower()
    if not raw or raw == "open":
        return OPEN_STATUS
    if raw == "all":
        return ALL_STATUS
    chosen: list[Status] = []
    for part in (p.strip() for p in raw.split(",")):
        if part == "open":
            chosen.extend(OPEN_STATUS)
            continue
        try:
            chosen.append(Status(part))
        except ValueError:
            names = ", ".join(s.value for s in Status)
            raise BadFilter(f"status {part[:30]!r} is unknown: use open, all or one of {names}",
                            field="status") from None
    return tuple(s for s in Status if s in chosen)  # in workflow order, without repeats


def parse_filter(params: Mapping[str, Any]) -> QueueFilter:
    """A QueueFilter from query parameters; a bad one raises BadFilter naming the parameter."""
    owner_raw = str(params.get("owner") or "").strip().lower()
    owner: Owner
    if owner_raw in ("", "any"):
        owner = None
    elif owner_raw in ("none", "me"):
        owner = owner_raw  # type: ignore[assignment]
    else:
        owner = _int(params, "owner", minimum=1)
    reason = str(params.get("reason") or "").strip().lower()
    if reason and not _SLUG.match(reason):
        raise BadFilter("reason must be a reason code such as pricing", field="reason")
    department = str(params.get("department") or "").strip().lower()
    if department and not _SLUG.match(department):
        raise BadFilter("department must be a department code such as sales", field="department")
    sla = str(params.get("sla") or "").strip().lower()
    if sla and sla not in SLA_STATES:
        raise BadFilter(f"sla must be one of {', '.join(SLA_STATES)}", field="sla")
    escalated_raw = str(params.get("escalated") or "").strip().lower()
    if escalated_raw and escalated_raw not in _TRUE | _FALSE:
        raise BadFilter("escalated must be yes or no", field="escalated")
    sort = str(params.get("sort") or "").strip() or "sla_due"
    if sort not in SORTS:
        raise BadFilter(f"sort must be one of {', '.join(SORTS)}", field="sort")
    q = " ".join(str(params.get("q") or "").replace("\x00", "").split())
    if len(q) > MAX_TEXT:
        raise BadFilter(f"q is longer than {MAX_TEXT} characters", field="q")
    min_age, max_age = _int(params, "min_age_days", maximum=36500), _int(params, "max_age_days", maximum=36500)
    if min_age is not None and max_age is not None and min_age > max_age:
        raise BadFilter("min_age_days is above max_age_days", field="min_age_days")
    min_amount, max_amount = _amount(params, "min_amount"), _amount(params, "max_amount")
    if min_amount is not None and max_amount is not None and min_amount > max_amount:
        raise BadFilter("min_amount is above max_amount", field="min_amount")
    return QueueFilter(
        status=_status(str(params.get("status") or "")), reason=reason, owner=owner,
        team=_int(params, "team", minimum=1), department=department, min_age_days=min_age, max_age_days=max_age,
        sla=sla,  # type: ignore[arg-type]
        min_amount=min_amount, max_amount=max_amount, customer=_int(params, "customer", minimum=1), q=q,
        escalated=None if not escalated_raw else escalated_raw in _TRUE,
        priority=_int(params, "priority", minimum=1, maximum=4), sort=sort,
    )


def _text_condition(text: str) -> Q:
    """Dispute number, customer number or name, invoice number; each found through an index, then OR-ed.

    The matching customers and invoices are looked up first (small, indexed reads), so the disputes table
    is reached through its unique number, customer and primary-key indexes instead of a scan of every row.
    """
    numbers = {text, text.upper()}
    if text.isdigit() and len(text) <= 7:
        numbers.add(f"DSP-{int(text):07d}")
    customer_ids = list(Customer.objects.filter(Q(number__in=numbers) | Q(name__icontains=text))
                        .values_list("pk", flat=True)[:MAX_TEXT_CUSTOMERS])
    dispute_ids = list(DisputeItem.objects.filter(invoice__number__in=numbers)
                       .values_list("dispute_id", flat=True)[:MAX_TEXT_CUSTOMERS])
    return Q(number__in=numbers) | Q(customer_id__in=customer_ids) | Q(pk__in=dispute_ids)


def _filtered(user: Any, f: QueueFilter, today: date) -> QuerySet[Dispute]:
    rows = visible_disputes(user)
    statuses = set(f.status)
    if f.sla:  # an SLA state only exists while a dispute is open
        statuses &= set(OPEN_STATES)
        soon = today + timedelta(days=DUE_SOON_DAYS)
        rows = rows.filter(**{"breached": {"sla_due__lt": today},
                              "due_soon": {"sla_due__gte": today, "sla_due__lte": soon},
                              "on_track": {"sla_due__gt": soon}}[f.sla])
    if statuses != set(ALL_STATUS):
        rows = rows.filter(status__in=sorted(statuses))
    if f.reason:
        rows = rows.filter(reason_code__code=f.reason)
    if f.owner == "none":
        rows = rows.filter(owner__isnull=True)
    elif f.owner == "me":
        rows = rows.filter(owner_id=getattr(user, "pk", None))
    elif f.owner is not None:
        rows = rows.filter(owner_id=f.owner)
    if f.team is not None:
        rows = rows.filter(customer__team_id=f.team)
    if f.department:
        rows = rows.filter(department=f.department)
    if f.min_age_days is not None:
        rows = rows.filter(raised_on__lte=today - timedelta(days=f.min_age_days))
    if f.max_age_days is not None:
        rows = rows.filter(raised_on__gte=today - timedelta(days=f.max_age_days))
    if f.customer is not None:
        rows = rows.filter(customer_id=f.customer)
    if f.escalated is not None:
        rows = rows.exclude(escalation_level="") if f.escalated else rows.filter(escalation_level="")
    if f.priority is not None:
        rows = rows.filter(priority=f.priority)
    if f.min_amount is not None or f.max_amount is not None or f.sort in ("amount", "-amount"):
        rows = rows.annotate(outstanding=ExpressionWrapper(F("amount") - F("accepted_amount"), output_field=_MONEY))
        if f.min_amount is not None:
            rows = rows.filter(outstanding__gte=f.min_amount)
        if f.max_amount is not None:
            rows = rows.filter(outstanding__lte=f.max_amount)
    if f.q:
        rows = rows.filter(_text_condition(f.q))
    return rows


def queue(user: Any, f: QueueFilter, today: date) -> QuerySet[Dispute]:
    """The disputes the filter selects among those the user may see, sorted, with what a row shows."""
    return (_filtered(user, f, today).select_related("customer", "reason_code", "owner")
            .order_by(*SORTS[f.sort]))


class QueueRows:
    """The queue's rows for a paginator: a page first picks its primary keys from the bare table (sorted,
    filtered, without joins), then loads those few rows with what a row shows. Sorting a narrow index-only
    list is what keeps a page of 100,000 disputes fast; the joins run for 50 rows, not for all of them.
    """

    def __init__(self, rows: QuerySet[Dispute]) -> None:
        self._rows = rows

    def __getitem__(self, index: slice) -> list[Dispute]:
        ids = list(self._rows.values_list("pk", flat=True)[index])
        loaded = self._rows.model.objects.select_related("customer", "reason_code", "owner").in_bulk(ids)
        return [loaded[pk] for pk in ids if pk in loaded]


def _summary(rows: QuerySet[Dispute], today: date) -> dict[str, Any]:
    per_currency = (rows.order_by().values("currency")
                    .annotate(n=Count("pk"), total=Sum(F("amount") - F("accepted_amount"), output_field=_MONEY),
                              breached=Count("pk", filter=Q(status__in=[s.value for s in OPEN_STATES],
                                                              sla_due__lt=today)))
                    .order_by("currency"))
    outstanding: dict[str, Decimal] = {}
    count = breached = 0
    for row in per_currency:
        outstanding[row["currency"]] = row["total"] or Decimal(0)
        count += row["n"]
        breached += row["breached"]
    return {"count": count, "outstanding": outstanding, "sla_breached": breached}


def queue_summary(user: Any, f: QueueFilter, today: date) -> dict[str, Any]:
    """How many disputes the filter selects, their outstanding amount per currency, and how many breach SLA.

    `outstanding` maps currency to Σ (amount − accepted); `sla_breached` counts open disputes past their SLA.
    """
    return _summary(_filtered(user, f, today), today)


def page_summary(rows: QuerySet[Dispute], today: date, *, cap: int | None = None) -> dict[str, Any]:
    """The summary of `queue()`'s rows as the page shows it on every request: it stops counting at `cap`.

    Up to `cap` disputes it is `queue_summary`'s, with `capped` False. Above it, `count` is `cap` and
    `capped` True (the page shows "10,000+"), `outstanding` is empty (adding up 100,000 amounts on each
    request is what made the page slow; the API's summary gives the exact figures), and `sla_breached`
    is still exact: it only counts open disputes, which the open-queue index reads without the table.
    Taking the rows (not the filter) means a text search looks its customers and invoices up once.
    """
    cap = PAGE_COUNT_CAP if cap is None else cap
    rows = rows.order_by()
    if rows.values("pk")[: cap + 1].count() <= cap:
        return {**_summary(rows, today), "capped": False}
    breached = rows.filter(status__in=[s.value for s in OPEN_STATES], sla_due__lt=today).count()
    return {"count": cap, "outstanding": {}, "sla_breached": breached, "capped": True}


def get_visible_dispute(user: Any, pk: Any) -> Dispute:
    """The dispute if the user may see it; NotFound otherwise (a guessed id reveals nothing)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound("no such dispute", field="pk") from None
    if not 0 < key < 2**63:
        raise NotFound("no such dispute", field="pk")
    # Not the payment or the re-bill: few disputes have one, and two more wide joins cost PostgreSQL more
    # to plan than the one query a deduction's page makes to read its payment.
    dispute = (visible_disputes(user).select_related("customer", "reason_code", "owner", "suggested_reason",
                                                     "root_cause", "raised_by")
               .filter(pk=key).first())
    if dispute is None:
        raise NotFound("no such dispute", field="pk")
    return dispute


def dispute_or_404(user: Any, pk: Any) -> Dispute:
    """`get_visible_dispute` for views: Http404 outside the user's scope."""
    try:
        return get_visible_dispute(user, pk)
    except NotFound as exc:
        raise Http404("no such dispute") from exc
