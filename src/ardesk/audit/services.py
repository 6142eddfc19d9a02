"""Writing to the audit log. Call `record` inside the transaction of the change it describes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from ardesk.audit import chain
from ardesk.audit.context import current_request_id
from ardesk.audit.models import AuditEvent

# Any constant: the advisory lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK = 7_246_153


class SystemActor:
    """An actor for work no person started (schedules, migrations of data)."""

    pk = None
    username = "system"

    def __init__(self, label: str = "system") -> None:
        self.username = label


SYSTEM = SystemActor()


def _json_number(text: str) -> int | float:
    # jsonb stores numbers as decimals and hands 1e16 back as the integer 10000000000000000:
    # keep integral floats as ints so the hashed payload is the one the database returns.
    number = float(text)
    return int(number) if number.is_integer() else number


def _jsonable(value: Any) -> Any:
    """Plain JSON as the database will give it back (Decimal and dates as text, NaN as "NaN")."""
    return json.loads(json.dumps(value, default=str), parse_float=_json_number, parse_constant=str)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of a row as plain JSON values, for `before` and `after`."""
    return _jsonable({name: getattr(instance, name) for name in fields})


def subject_of(subject: models.Model | tuple[str, object]) -> tuple[str, str]:
    if isinstance(subject, tuple):
        return subject[0], str(subject[1])
    return subject._meta.label_lower, str(subject.pk)


def _lock_chain() -> None:
    """Take the chain's lock, held to the commit; first run the transaction's deferred foreign-key checks.

    Checked at the commit, those would lock the rows they point at while this transaction holds the chain,
    and a transaction holding one of those rows and waiting for the chain would deadlock with it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


@transaction.atomic
def record(
    *,
    actor: Any,
    verb: str,
    subject: models.Model | tuple[str, object],
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain. The caller's transaction decides whether it lands."""
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
    subject_type, subject_id = subject_of(subject)
    event = AuditEvent(
        seq=seq,
        created_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=getattr(actor, "username", None) or str(actor),
        verb=verb,
        subject_type=subject_type,
        subject_id=subject_id,
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        reason=reason,
        request_id=current_request_id(),
        prev_hash=prev_hash,
    )
    event.hash = chain.event_hash(event.as_chain_dict())
    event.save(force_insert=True)
    return event


# --- Bulk append (added for ERP imports) -----------------------------------------------------------
# An import may change thousands of rows in one transaction. `record_many` appends one event per
# change under the same advisory lock as `record`, computes the hash chain here in order, and writes
# the rows in batches: the same chain, far fewer round trips.


@dataclass(frozen=True)
class EventSpec:
    verb: str
    subject: tuple[str, object]
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str = ""


@transaction.atomic
def record_many(*, actor: Any, events: Iterable[EventSpec], batch_size: int = 2000) -> int:
    """Append every event of `events` to the chain, in order; returns how many were written."""
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0], last[1]) if last else (0, chain.GENESIS)
    now, request_id = timezone.now(), current_request_id()
    actor_id = getattr(actor, "pk", None)
    actor_label = getattr(actor, "username", None) or str(actor)
    pending: list[AuditEvent] = []
    written = 0
    for spec in events:
        seq += 1
        subject_type, subject_id = subject_of(spec.subject)
        event = AuditEvent(
            seq=seq, created_at=now, actor_id=actor_id, actor_label=actor_label, verb=spec.verb,
            subject_type=subject_type, subject_id=subject_id,
            before=_jsonable(dict(spec.before)) if spec.before is not None else None,
            after=_jsonable(dict(spec.after)) if spec.after is not None else None,
            reason=spec.reason, request_id=request_id, prev_hash=prev_hash,
        )
        event.hash = prev_hash = chain.event_hash(event.as_chain_dict())
        pending.append(event)
        if len(pending) >= batch_size:
            AuditEvent.objects.bulk_create(pending)
            written += len(pending)
            pending.clear()
    if pending:
        AuditEvent.objects.bulk_create(pending)
        written += len(pending)
    return written
