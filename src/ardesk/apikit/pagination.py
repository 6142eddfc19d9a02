"""Cursor pagination over a stable order (a key, then the primary key).

The cursor is opaque to clients: a signed note of the last row's key and pk, tied to the
resource it came from. A page is read with `key >= k AND NOT (key = k AND pk <= p)`, so rows added or
removed between two calls neither repeat nor vanish from the walk, and deep pages cost what the
first one does (no OFFSET).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet
from ninja import Field, Schema
from pydantic import create_model

from ardesk.errors import DomainError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "ardesk.apikit.cursor"

M = TypeVar("M", bound=Model)


class PageQuery(Schema):
    """The query parameters every list route takes."""

    cursor: str | None = Field(None, max_length=500, description="`next_cursor` of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Rows per page; more than {MAX_LIMIT} is cut to {MAX_LIMIT}.")


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(resource: str, key_value: Any, pk: int) -> str:
    return signing.dumps([resource, _plain(key_value), pk], salt=_SALT, compress=True)


def decode_cursor(cursor: str, resource: str) -> tuple[Any, int]:
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise DomainError("this cursor was not issued by this server", field="cursor") from None
    if not (isinstance(data, list) and len(data) == 3 and data[0] == resource and isinstance(data[2], int)):
        raise DomainError(f"this cursor belongs to another list than {resource}", field="cursor")
    return data[1], data[2]


def paginate(queryset: QuerySet[M], *, key: str, page: PageQuery, resource: str,
             newest_first: bool = False) -> Page[M]:
    """One page of `queryset` ordered by (`key`, pk), or both descending; `key` is a non-null field."""
    limit = min(page.limit, MAX_LIMIT)
    sign, from_, through = ("-", "lte", "gte") if newest_first else ("", "gte", "lte")
    rows = queryset.order_by(f"{sign}{key}", f"{sign}pk")
    if page.cursor:
        raw_value, last_pk = decode_cursor(page.cursor, resource)
        value = queryset.model._meta.get_field(key).to_python(raw_value)  # type: ignore[union-attr]
        # "key ≥ k, except the rows of key k up to pk p": the range lets an index on `key` start at k.
        rows = rows.filter(Q(**{f"{key}__{from_}": value}) & ~Q(**{key: value, f"pk__{through}": last_pk}))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return Page(found, None)
    last = found[limit - 1]
    return Page(found[:limit], encode_cursor(resource, getattr(last, key), last.pk))


def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a list route: `{"items": [...], "next_cursor": "…" | null}`."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name, __base__=Schema, items=(list[item], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, Field(None, description="Pass as `cursor` for the next page; null on the last.")),
    )
