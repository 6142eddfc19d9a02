"""Pagination that counts the cheap queryset and slices the expensive one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


class _Counted:
    """A sliceable list whose length comes from a separate, cheaper count (no aggregation in the count)."""

    def __init__(self, rows: Any, count: Callable[[], int]) -> None:
        self._rows = rows
        self._count = count

    def count(self) -> int:
        return self._count()

    def __len__(self) -> int:
        return self._count()

    def __getitem__(self, index: Any) -> Any:
        return self._rows[index]


def paginate(request: HttpRequest, rows: Any, *, param: str = "page", per_page: int = 25,
             count: Callable[[], int] | None = None) -> Page:
    """The page named by `?<param>=`; a missing, malformed or too-large number gives the nearest page."""
    object_list: Any = _Counted(rows, count) if count is not None else rows
    paginator = Paginator(object_list, per_page)
    page = paginator.get_page(request.GET.get(param))
    page.param = param  # type: ignore[attr-defined]
    return page
