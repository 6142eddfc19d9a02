"""Writes the API layer makes outside the idempotency guard: clearing old Idempotency-Key records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from ardesk.apikit.models import IdempotencyRecord
from ardesk.audit.services import record


@transaction.atomic
def purge_idempotency_keys(*, older_than: datetime, by: Any) -> int:
    """Forget the responses kept for keys used before `older_than`; a retry after that runs afresh."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=older_than).delete()
    if deleted:
        record(actor=by, verb="api.idempotency_keys_purged", subject=("apikit.idempotencyrecord", "*"),
               after={"deleted": deleted, "older_than": older_than})
    return deleted
