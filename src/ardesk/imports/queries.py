"""Reads of import batches for the upload page."""

from __future__ import annotations

from django.db.models import QuerySet

from ardesk.imports.models import ImportBatch


def recent_batches(*, kind: str | None = None, limit: int = 10) -> QuerySet[ImportBatch]:
    rows = ImportBatch.objects.select_related("by").order_by("-started_at", "-pk")
    if kind:
        rows = rows.filter(kind=kind)
    return rows[:limit]
