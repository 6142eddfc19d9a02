"""The life of a dispute as data: its states, the legal moves between them, and what each move needs.

Pure: no Django import. Services read the current state under a row lock, ask this module
for the next one, and store it; tests drive the machine directly and with hypothesis.

    new → in_review ⇄ waiting_on_customer / waiting_on_internal ⇄ escalated
        → resolved (accepted | partly_accepted | rejected) → closed
    resolved / closed → in_review (reopen)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ardesk.errors import Conflict, DomainError


class Status(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_INTERNAL = "waiting_on_internal"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# States in which the disputed money is segregated from what collectors may chase.
OPEN_STATES = frozenset({
    Status.NEW, Status.IN_REVIEW, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_INTERNAL, Status.ESCALATED,
})
# States an analyst moves between while working a dispute (change_status); the others have their own service.
WORKING_STATES = frozenset({Status.IN_REVIEW, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_INTERNAL,
                            Status.ESCALATED})
_WORKING_BUT = {state: frozenset(WORKING_STATES - {state}) for state in WORKING_STATES}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.IN_REVIEW, Status.WAITING_ON_CUSTOMER, Status.WAITING_ON_INTERNAL,
                           Status.ESCALATED}),
    Status.IN_REVIEW: _WORKING_BUT[Status.IN_REVIEW] | {Status.RESOLVED},
    Status.WAITING_ON_CUSTOMER: _WORKING_BUT[Status.WAITING_ON_CUSTOMER] | {Status.RESOLVED},
    Status.WAITING_ON_INTERNAL: _WORKING_BUT[Status.WAITING_ON_INTERNAL] | {Status.RESOLVED},
    Status.ESCALATED: _WORKING_BUT[Status.ESCALATED] | {Status.RESOLVED},
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_REVIEW}),
    Status.CLOSED: frozenset({Status.IN_REVIEW}),
}


class IllegalTransition(Conflict):
    """A move the workflow does not allow from the dispute's current state."""

    def __init__(self, from_status: Status | str, to_status: Status | str, *, why: str = "") -> None:
        allowed = ", ".join(sorted(TRANSITIONS.get(Status(from_status), ()))) or "nothing"
        message = f"a dispute cannot go from {from_status} to {to_status}"
        message += f": {why}" if why else f" (from {from_status} it may go to: {allowed})"
        super().__init__(message, field="status")
        self.from_status, self.to_status = Status(from_status), Status(to_status)


class MissingForClose(DomainError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"a dispute needs a {' and a '.join(missing)} before it is closed",
                         field=missing[0].replace(" ", "_"))
        self.missing = missing


@dataclass(frozen=True)
class State:
    """What the workflow knows of a dispute: where it is, and how it was resolved (while resolved or closed)."""

    status: Status = Status.NEW
    outcome: Outcome | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


def can_move(from_status: Status | str, to_status: Status | str) -> bool:
    return Status(to_status) in TRANSITIONS[Status(from_status)]


def _check(state: State, to: Status, *, why: str = "") -> None:
    if not can_move(state.status, to):
        raise IllegalTransition(state.status, to, why=why)


def move(state: State, to: Status | str) -> State:
    """Move between the working states (in review, waiting on someone, escalated)."""
    target = Status(to)
    if target not in WORKING_STATES:
        why = {Status.RESOLVED: "resolve it with an outcome", Status.CLOSED: "close it with a root cause",
               Status.NEW: "a dispute is new only once"}[target]
        raise IllegalTransition(state.status, target, why=why)
    if state.status in (Status.RESOLVED, Status.CLOSED):
        raise IllegalTransition(state.status, target, why="reopen it first")
    _check(state, target)
    return replace(state, status=target)


def resolve(state: State, outcome: Outcome | str) -> State:
    _check(state, Status.RESOLVED)
    return State(status=Status.RESOLVED, outcome=Outcome(outcome))


def close(state: State, *, has_root_cause: bool, has_responsible_department: bool) -> State:
    """Close a resolved dispute. The root cause and the department at fault feed the reports that prevent the next."""
    _check(state, Status.CLOSED, why="only a resolved dispute can be closed")
    missing = [name for name, present in (("root cause", has_root_cause),
                                          ("responsible department", has_responsible_department)) if not present]
    if missing:
        raise MissingForClose(missing)
    return replace(state, status=Status.CLOSED)


def reopen(state: State) -> State:
    """Back to review. The outcome is cleared: the dispute will be resolved again."""
    if state.status not in (Status.RESOLVED, Status.CLOSED):
        raise IllegalTransition(state.status, Status.IN_REVIEW, why="only a resolved or closed dispute is reopened")
    return State(status=Status.IN_REVIEW, outcome=None)
