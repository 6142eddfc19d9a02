"""The querysets the dispute routes read through, scoped to the caller, and the queue's cursor.

The queue sorts on up to three keys (its page's sorts, ardesk.disputes.queue.SORTS), so its cursor
holds the last row's value of each key: the next page starts strictly after that tuple, in the sort's
own directions, and a walk meets every row once even while rows are added or removed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from ardesk.apikit.access import get_or_404
from ardesk.apikit.pagination import MAX_LIMIT, Page, PageQuery, decode_cursor, encode_cursor
from ardesk.apikit.versions import parse_if_match
from ardesk.disputes.models import (
    ApprovalRequest,
    ApprovalStatus,
    Dispute,
    DisputeItem,
    DisputeSettlement,
    ItemSkuShare,
    ReasonCode,
    RootCause,
)
from ardesk.disputes.queries import visible_disputes
from ardesk.disputes.queue import SORTS
from ardesk.errors import DomainError
from ardesk.identity.models import User

_KEY_TYPES: dict[str, type] = {"sla_due": date, "raised_on": date, "priority": int, "outstanding": Decimal,
                               "customer__name": str, "customer__number": str}


def dispute(user: Any, pk: int, *, field: str | None = None) -> Dispute:
    """A dispute the user may see, or NotFound (outside the scope looks exactly like missing)."""
    return get_or_404(visible_disputes(user), what="dispute", field=field, pk=pk)


def dispute_detail(user: Any, pk: int) -> Dispute:
    rows = visible_disputes(user).select_related(
        "customer", "reason_code", "owner", "suggested_reason", "root_cause",
    ).prefetch_related(
        Prefetch("items", queryset=DisputeItem.objects.select_related("invoice", "invoice_line").order_by("pk")
                 .prefetch_related(Prefetch("sku_shares", queryset=ItemSkuShare.objects.order_by("-weight", "sku"))),
                 to_attr="item_rows"),
        Prefetch("settlements", queryset=DisputeSettlement.objects.select_related("invoice").order_by("pk"),
                 to_attr="settlement_rows"),
        Prefetch("approval_requests", to_attr="pending_rows",
                 queryset=ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING)
                 .select_related("dispute", "requested_by")),
    )
    return get_or_404(rows, what="dispute", pk=pk)


def approvals(user: Any) -> QuerySet[ApprovalRequest]:
    return (ApprovalRequest.objects.filter(dispute__in=visible_disputes(user))
            .select_related("dispute", "requested_by"))


def reason_code(code: str, *, field: str = "reason_code") -> ReasonCode:
    """An active reason code by its code: retired codes stay on old disputes but are not chosen anew."""
    return get_or_404(ReasonCode.objects.filter(active=True), what=f"reason code {code!r} in use", field=field,
                      code=code.lower())


def root_cause(code: str) -> RootCause:
    return get_or_404(RootCause.objects.filter(active=True), what=f"root cause {code!r} in use", field="root_cause",
                      code=code.lower())


def user(pk: int | None, *, field: str) -> User | None:
    """An active user named by id in a body (an owner, an assignee); None stays None."""
    if pk is None:
        return None
    return get_or_404(User.objects.filter(is_active=True), what="active user", field=field, pk=pk)


def version(request: HttpRequest, body_version: int | None) -> int | None:
    """The version the caller read, from If-Match or the body (they must agree); None means "do not check"."""
    header = parse_if_match(request.headers.get("If-Match"))
    if header is not None and body_version is not None and header != body_version:
        raise DomainError("If-Match and version name different versions", field="version")
    return header if header is not None else body_version


# --- the queue's cursor -------------------------------------------------------------------------


def _typed(name: str, raw: Any) -> Any:
    kind = _KEY_TYPES[name]
    try:
        if kind is date:
            return date.fromisoformat(str(raw))
        if kind is Decimal:
            value = Decimal(str(raw))
            if not value.is_finite():
                raise ValueError(raw)
            return value
        return kind(raw)
    except (TypeError, ValueError, InvalidOperation):
        raise DomainError("this cursor does not fit this list", field="cursor") from None


def _value(row: Any, name: str) -> Any:
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value


def _after(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in `order` (each key ascending, or descending when it starts with -)."""
    result, same = Q(pk__in=[]), Q()
    for key, value in zip(order, values, strict=True):
        name = key.lstrip("-")
        result |= same & Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": value})
        same &= Q(**{name: value})
    return result


def page_queue(rows: QuerySet[Dispute], *, sort: str, page: PageQuery) -> Page[Dispute]:
    """One page of the queue as `queue()` sorted it; every sort ends with the primary key."""
    order = SORTS[sort]
    keys = [key.lstrip("-") for key in order[:-1]]
    resource = f"disputes:{sort}"
    limit = min(page.limit, MAX_LIMIT)
    if page.cursor:
        raw, last_pk = decode_cursor(page.cursor, resource)
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise DomainError("this cursor does not fit this list", field="cursor")
        rows = rows.filter(_after(order, [*(_typed(k, v) for k, v in zip(keys, raw, strict=True)), last_pk]))
    # The page's keys first, sorted on the bare table (an index, or a narrow sort), then those rows with
    # their joins: sorting 100,000 joined rows to keep 51 is what made "every status by amount" slow.
    ids = list(rows.values_list("pk", flat=True)[: limit + 1])
    loaded = rows.in_bulk(ids)
    found = [loaded[pk] for pk in ids if pk in loaded]
    if len(found) <= limit:
        return Page(found, None)
    last = found[limit - 1]
    values = [_value(last, key) for key in keys]
    plain = [v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v for v in values]
    return Page(found[:limit], encode_cursor(resource, plain, last.pk))
