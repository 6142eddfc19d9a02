"""The account's activity timeline: one list merged from sources that capabilities register.

A source is a function `(customer_ids, limit) -> Iterable[TimelineEntry]` returning at most `limit`
of its newest entries; the timeline merges them and keeps the newest `limit`. Today the audit log
is the only source; calls, notes, reminders, promises and disputes add theirs with `register`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

TimelineSource = Callable[[Sequence[int], int], Iterable["TimelineEntry"]]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # the source's name, e.g. "audit", "call", "reminder"
    title: str
    detail: str = ""
    actor: str = ""
    url: str = ""
    sort_key: int = 0  # tie-breaker for entries at the same instant (e.g. the audit sequence)


_SOURCES: dict[str, TimelineSource] = {}


def register(name: str) -> Callable[[TimelineSource], TimelineSource]:
    """Decorator: add a timeline source under `name` (registering the same name again replaces it)."""

    def decorator(source: TimelineSource) -> TimelineSource:
        _SOURCES[name] = source
        return source

    return decorator


def sources() -> dict[str, TimelineSource]:
    return dict(_SOURCES)


def timeline_for(customer_ids: Sequence[int], *, limit: int = 25) -> list[TimelineEntry]:
    """The newest `limit` entries of every source for these customers, newest first."""
    entries: list[TimelineEntry] = []
    for source in _SOURCES.values():
        entries.extend(source(customer_ids, limit))
    return heapq.nlargest(limit, entries, key=lambda e: (e.at, e.sort_key))
