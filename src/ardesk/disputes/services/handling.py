"""Working a dispute: its status, owner, priority and reason code; comments, tasks and offers.

Each change is recorded against the dispute, so its audit history is the dispute's timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.disputes import workflow
from ardesk.disputes.mentions import parse_mentions
from ardesk.disputes.models import (
    Comment,
    Department,
    Dispute,
    Offer,
    OfferKind,
    Party,
    Priority,
    ReasonCode,
    Task,
)
from ardesk.disputes.rules import shown
from ardesk.disputes.services import segregation
from ardesk.disputes.services.raising import check_owner
from ardesk.disputes.signals import dispute_assigned, dispute_changed, send_on_commit, user_mentioned
from ardesk.errors import Conflict, DomainError
from ardesk.money import InvalidAmount, check_amount

MAX_COMMENT = 10_000
MAX_MENTIONS = 20


def _user_or_none(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _state(dispute: Dispute) -> workflow.State:
    return workflow.State(workflow.Status(dispute.status),
                          workflow.Outcome(dispute.outcome) if dispute.outcome else None)


def _require_open(dispute: Dispute, doing: str) -> None:
    if not dispute.is_open:
        raise Conflict(f"dispute {dispute.number} is {dispute.status}: reopen it before you {doing}", field="status")


def _department(value: str) -> str:
    if value not in Department.values:
        raise DomainError(f"unknown department {value!r}", field="department")
    return value


@transaction.atomic
def change_status(*, dispute: Dispute, to: str, note: str = "", version: int | None = None, by: Any) -> Dispute:
    """Move a dispute between review, waiting on the customer or on the company, and escalation."""
    locked = segregation.lock_dispute(dispute.pk)
    segregation.check_version(locked, version)
    before = locked.status
    locked.status = workflow.move(_state(locked), to).status
    segregation.touch(locked, ["status"])
    record(actor=by, verb="dispute.status_changed", subject=locked, before={"status": before},
           after={"status": locked.status}, reason=note)
    send_on_commit(dispute_changed, Dispute, dispute=locked)  # escalation rules look again once committed
    return locked


@transaction.atomic
def assign(*, disputes: Sequence[Dispute], owner: Any, department: str | None = None, version: int | None = None,
           by: Any) -> list[Dispute]:
    """Give one or many disputes to an owner (None leaves them unowned), and optionally to a department.
    `version` (one dispute only) refuses the change when someone changed the dispute since it was read."""
    check_owner(owner)
    if department is not None:
        _department(department)
    if version is not None and len(disputes) != 1:
        raise DomainError("a version names one dispute: reassign many without it", field="version")
    changed: list[Dispute] = []
    for locked in segregation.lock_disputes(d.pk for d in disputes):
        segregation.check_version(locked, version)
        new_department = department or locked.department
        if locked.owner_id == getattr(owner, "pk", None) and locked.department == new_department:
            changed.append(locked)
            continue
        before = {"owner": locked.owner.username if locked.owner else None, "department": locked.department}
        locked.owner, locked.department = owner, new_department
        segregation.touch(locked, ["owner", "department"])
        record(actor=by, verb="dispute.assigned", subject=locked, before=before,
               after={"owner": getattr(owner, "username", None), "department": new_department})
        send_on_commit(dispute_assigned, Dispute, dispute=locked, owner=owner)
        changed.append(locked)
    return changed


@transaction.atomic
def set_priority(*, dispute: Dispute, priority: int, reason: str = "", version: int | None = None,
                 by: Any) -> Dispute:
    if priority not in Priority.values:
        raise DomainError(f"unknown priority {priority!r}", field="priority")
    locked = segregation.lock_dispute(dispute.pk)
    segregation.check_version(locked, version)
    if locked.priority != priority:
        before = {"priority": locked.priority}
        locked.priority = priority
        segregation.touch(locked, ["priority"])
        record(actor=by, verb="dispute.priority_changed", subject=locked, before=before,
               after={"priority": priority}, reason=reason)
    return locked


@transaction.atomic
def set_reason_code(*, dispute: Dispute, reason_code: ReasonCode, reroute: bool = False,
                    version: int | None = None, by: Any) -> Dispute:
    """The analyst's choice of reason code: it restarts the SLA clock from the day raised and is what trains the
    suggester. With `reroute`, the dispute also moves to the reason's department."""
    if not reason_code.active:
        raise DomainError(f"reason code {reason_code.code} is no longer in use", field="reason_code")
    locked = segregation.lock_dispute(dispute.pk)
    segregation.check_version(locked, version)
    _require_open(locked, "change its reason")
    before = {"reason_code": locked.reason_code.code if locked.reason_code else None, "sla_due": locked.sla_due,
              "department": locked.department}
    locked.reason_code = reason_code
    locked.sla_due = locked.raised_on + timedelta(days=reason_code.sla_days)
    if reroute:
        locked.department = reason_code.default_department
    segregation.touch(locked, ["reason_code", "sla_due", "department"])
    record(actor=by, verb="dispute.reason_set", subject=locked, before=before,
           after={"reason_code": reason_code.code, "sla_due": locked.sla_due, "department": locked.department})
    send_on_commit(dispute_changed, Dispute, dispute=locked)  # escalation rules look again once committed
    return locked


def _mentioned_users(body: str) -> list[Any]:
    names = parse_mentions(body)[:MAX_MENTIONS]
    if not names:
        return []
    query = reduce(or_, (Q(username__iexact=name) for name in names))
    return list(get_user_model().objects.filter(query, is_active=True).order_by("username"))


@transaction.atomic
def add_comment(*, dispute: Dispute, body: str, internal: bool = True, by: Any) -> Comment:
    """A note on the dispute; every active user @mentioned in it is linked (and told, once it commits)."""
    text = body.strip()
    if not text:
        raise DomainError("a comment cannot be empty", field="body")
    if len(text) > MAX_COMMENT:
        raise DomainError(f"a comment is limited to {MAX_COMMENT} characters", field="body")
    comment = Comment.objects.create(dispute=dispute, author=_user_or_none(by), body=text, internal=internal)
    users = _mentioned_users(text)
    comment.mentions.set(users)
    record(actor=by, verb="dispute.commented", subject=dispute,
           after={"comment": comment.pk, "internal": internal, "mentions": [u.username for u in users]})
    if users:
        send_on_commit(user_mentioned, Comment, comment=comment, users=users)
    return comment


@transaction.atomic
def add_task(*, dispute: Dispute, title: str, department: str, assignee: Any = None, due_date: date | None = None,
             by: Any) -> Task:
    """Ask a department (or one person in it) for something the dispute needs."""
    if not title.strip():
        raise DomainError("a task needs a title", field="title")
    if due_date is not None and due_date < timezone.localdate():
        raise DomainError("a task cannot be due in the past", field="due_date")
    check_owner(assignee)
    locked = segregation.lock_dispute(dispute.pk)
    _require_open(locked, "add a task")
    task = Task.objects.create(dispute=locked, title=title.strip()[:200], department=_department(department),
                               assignee=assignee, due_date=due_date, created_by=_user_or_none(by))
    record(actor=by, verb="dispute.task_added", subject=locked,
           after={"task": task.pk, "title": task.title, "department": task.department,
                  "assignee": getattr(assignee, "username", None), "due_date": due_date})
    return task


@transaction.atomic
def complete_task(*, task: Task, note: str = "", by: Any) -> Task:
    """Mark a task done. Done twice is done once: the second call changes nothing."""
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.done:
        return locked
    locked.done, locked.done_at, locked.done_by, locked.outcome_note = True, timezone.now(), _user_or_none(by), note
    locked.save(update_fields=["done", "done_at", "done_by", "outcome_note"])
    record(actor=by, verb="dispute.task_completed", subject=("disputes.dispute", locked.dispute_id),
           after={"task": locked.pk, "title": locked.title}, reason=note)
    return locked


@transaction.atomic
def record_offer(*, dispute: Dispute, kind: str, party: str, amount: Decimal, note: str = "", by: Any) -> Offer:
    """Note a step of the negotiation. It books nothing: the resolution does."""
    if kind not in OfferKind.values:
        raise DomainError(f"unknown offer kind {kind!r}", field="kind")
    if party not in Party.values:
        raise DomainError(f"unknown party {party!r}", field="party")
    locked = segregation.lock_dispute(dispute.pk)
    _require_open(locked, "record an offer")
    value = check_amount(amount, locked.currency, positive=False)
    if value < 0 or value > locked.outstanding_amount:
        raise InvalidAmount(f"an offer is between 0 and the {shown(locked.outstanding_amount, locked.currency)} "
                            "in dispute", field="amount")
    offer = Offer.objects.create(dispute=locked, kind=kind, party=party, amount=value, note=note,
                                 recorded_by=_user_or_none(by))
    record(actor=by, verb="dispute.offer_recorded", subject=locked,
           after={"offer": offer.pk, "kind": kind, "party": party, "amount": value}, reason=note)
    return offer
