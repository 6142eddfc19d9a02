"""Tampering with the audit log the way an intruder with database access would, for tests only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

TRIGGER = "pgtrigger_audit_append_only_f6eda"


@contextmanager
def append_only_trigger_disabled() -> Iterator[None]:
    """On PostgreSQL, switch the append-only trigger off for the block; SQLite has no trigger to switch."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {TRIGGER}")


def raw_update_reason(seq: int, reason: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", [reason, seq])


def raw_delete(seq: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [seq])
