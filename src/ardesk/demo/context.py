"""What the generators share during one demo load: the plan, the staff's ids, key and number counters. Pure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from ardesk.demo.plan import DemoPlan
from ardesk.demo.records import Ids


@dataclass(frozen=True)
class Staffing:
    """The demo users' primary keys, as the loader created them."""

    teams: dict[str, int]  # team key -> Team id
    collectors: dict[str, tuple[int, ...]]  # team key -> collector ids
    analysts: dict[str, int]  # team key -> dispute analyst id
    managers: dict[str, int]  # team key -> AR manager id
    cash_clerk: int | None


@dataclass
class DemoContext:
    plan: DemoPlan
    staffing: Staffing
    ids: Ids
    counters: Counter[str] = field(default_factory=Counter)
    # Reference data the loader read from the database before generating (catalogue ids), by key.
    refs: dict[str, Any] = field(default_factory=dict)
    # What a capability's generator leaves for its live step (ardesk.demo.capabilities: `work`), by key.
    handover: dict[str, list[Any]] = field(default_factory=dict)

    def next_number(self, key: str) -> int:
        """The next document number in a series ("invoice-2025", "payment", …), from 1."""
        self.counters[key] += 1
        return self.counters[key]


def at(day: date, hour: int = 9) -> datetime:
    """A moment on a day, in UTC: when a demo document was created."""
    return datetime.combine(day, time(hour), tzinfo=UTC)
