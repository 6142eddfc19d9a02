"""The hash chain of the audit log. Pure: an event is a dict of plain values.

Each event stores the hash of the event before it; `verify` walks the chain
and reports every event whose content no longer matches its hash (altered)
and every break in the sequence (missing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq", "created_at", "actor_id", "actor_label", "verb", "subject_type", "subject_id",
    "before", "after", "reason", "request_id", "prev_hash",
)


def canonical(event: Mapping[str, Any]) -> bytes:
    body = {name: event.get(name) for name in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False).encode()


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str  # "altered", "missing" or "relinked"

    def __str__(self) -> str:
        return f"event {self.seq}: {self.problem}"


def verify(events: Iterable[Mapping[str, Any]]) -> list[Break]:
    """Check events given in `seq` order; an empty list means the chain is whole."""
    breaks: list[Break] = []
    expected_seq = 1
    prev_hash = GENESIS
    for event in events:
        seq = int(event["seq"])
        if seq != expected_seq:
            breaks.extend(Break(missing, "missing") for missing in range(expected_seq, seq))
        if event["prev_hash"] != prev_hash and seq == expected_seq:
            breaks.append(Break(seq, "relinked"))
        if event_hash(event) != event["hash"]:
            breaks.append(Break(seq, "altered"))
        prev_hash = str(event["hash"])
        expected_seq = seq + 1
    return breaks
