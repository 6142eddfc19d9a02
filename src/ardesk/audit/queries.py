"""Reads of the audit log: an object's history, and the whole chain for verification."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models import QuerySet

from ardesk.audit import chain
from ardesk.audit.models import AuditEvent
from ardesk.audit.services import subject_of


def history(subject: models.Model | tuple[str, object]) -> QuerySet[AuditEvent]:
    subject_type, subject_id = subject_of(subject)
    return AuditEvent.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("-seq")


def _chain_rows(batch: int = 5000) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        for row in rows:
            yield row.as_chain_dict()
        last = rows[-1].seq


def verify_chain() -> tuple[int, list[chain.Break]]:
    """Walk the whole log; returns how many events were read and every break found."""
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for row in _chain_rows():
            count += 1
            yield row

    breaks = chain.verify(counted())
    return count, breaks
