"""Managers tune the catalogues: reason codes (department, SLA, keywords) and root causes.

Codes are never deleted (disputes point at them); a code that is no longer wanted is made inactive,
which takes it out of the pickers and the suggester but keeps every old dispute readable.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import Max

from ardesk.audit.services import record, snapshot
from ardesk.disputes.models import Department, ReasonCode, RootCause
from ardesk.errors import Conflict, DomainError

MAX_SLA_DAYS = 365
MAX_KEYWORDS = 200
MAX_KEYWORD = 100
MAX_LABEL = 100
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_REASON_FIELDS = ["code", "label", "default_department", "sla_days", "keywords", "active", "position"]
_CAUSE_FIELDS = ["code", "label", "active", "position"]


def _code(value: str) -> str:
    code = value.strip().lower()
    if not _CODE.match(code):
        raise DomainError("a code is 1 to 40 lower-case letters, digits, - or _, such as late_delivery", field="code")
    return code


def _label(value: str) -> str:
    label = " ".join(value.split())
    if not label or len(label) > MAX_LABEL:
        raise DomainError(f"a label is 1 to {MAX_LABEL} characters", field="label")
    return label


def _department(value: str) -> str:
    if value not in Department.values:
        raise DomainError(f"unknown department {value!r}: use one of {', '.join(Department.values)}",
                          field="department")
    return value


def _sla_days(value: int) -> int:
    if not 0 <= value <= MAX_SLA_DAYS:
        raise DomainError(f"sla_days is from 0 to {MAX_SLA_DAYS}", field="sla_days")
    return value


def _keywords(values: Sequence[str]) -> str:
    """One keyword or phrase a line, as the suggester reads them; blanks and repeats dropped."""
    kept: list[str] = []
    for index, raw in enumerate(values):
        word = " ".join(raw.split()).lower()
        if len(word) > MAX_KEYWORD:
            raise DomainError(f"keyword {index} is longer than {MAX_KEYWORD} characters", field=f"keywords.{index}")
        if word and word not in kept:
            kept.append(word)
    if len(kept) > MAX_KEYWORDS:
        raise DomainError(f"a reason code has at most {MAX_KEYWORDS} keywords", field="keywords")
    return "\n".join(kept)


def _position(value: int | None, model: type[ReasonCode] | type[RootCause]) -> int:
    if value is None:
        return int(model.objects.aggregate(top=Max("position"))["top"] or 0) + 10
    if value < 0:
        raise DomainError("position cannot be negative", field="position")
    return value


@transaction.atomic
def create_reason_code(*, code: str, label: str, department: str, sla_days: int, keywords: Sequence[str] = (),
                       active: bool = True, position: int | None = None, by: Any) -> ReasonCode:
    """A new reason a customer may give, with the department it routes to and the days it may take."""
    code = _code(code)
    if ReasonCode.objects.filter(code=code).exists():
        raise Conflict(f"reason code {code} already exists: change it instead", field="code")
    row = ReasonCode.objects.create(code=code, label=_label(label), default_department=_department(department),
                                    sla_days=_sla_days(sla_days), keywords=_keywords(keywords), active=active,
                                    position=_position(position, ReasonCode))
    record(actor=by, verb="reason_code.created", subject=row, after=snapshot(row, _REASON_FIELDS))
    return row


@transaction.atomic
def update_reason_code(*, reason_code: ReasonCode, label: str | None = None, department: str | None = None,
                       sla_days: int | None = None, keywords: Sequence[str] | None = None,
                       active: bool | None = None, position: int | None = None, by: Any) -> ReasonCode:
    """Change what is given; a new SLA applies to disputes raised (or re-coded) from now on."""
    row = ReasonCode.objects.select_for_update().get(pk=reason_code.pk)
    before = snapshot(row, _REASON_FIELDS)
    if label is not None:
        row.label = _label(label)
    if department is not None:
        row.default_department = _department(department)
    if sla_days is not None:
        row.sla_days = _sla_days(sla_days)
    if keywords is not None:
        row.keywords = _keywords(keywords)
    if active is not None:
        row.active = active
    if position is not None:
        row.position = _position(position, ReasonCode)
    after = snapshot(row, _REASON_FIELDS)
    if after != before:
        row.save()
        record(actor=by, verb="reason_code.updated", subject=row, before=before, after=after)
    return row


@transaction.atomic
def create_root_cause(*, code: str, label: str, active: bool = True, position: int | None = None,
                      by: Any) -> RootCause:
    """A new answer to "what really went wrong", offered when a dispute is closed."""
    code = _code(code)
    if RootCause.objects.filter(code=code).exists():
        raise Conflict(f"root cause {code} already exists: change it instead", field="code")
    row = RootCause.objects.create(code=code, label=_label(label), active=active,
                                   position=_position(position, RootCause))
    record(actor=by, verb="root_cause.created", subject=row, after=snapshot(row, _CAUSE_FIELDS))
    return row


@transaction.atomic
def update_root_cause(*, root_cause: RootCause, label: str | None = None, active: bool | None = None,
                      position: int | None = None, by: Any) -> RootCause:
    row = RootCause.objects.select_for_update().get(pk=root_cause.pk)
    before = snapshot(row, _CAUSE_FIELDS)
    if label is not None:
        row.label = _label(label)
    if active is not None:
        row.active = active
    if position is not None:
        row.position = _position(position, RootCause)
    after = snapshot(row, _CAUSE_FIELDS)
    if after != before:
        row.save()
        record(actor=by, verb="root_cause.updated", subject=row, before=before, after=after)
    return row


def ensure_default_catalogues() -> bool:
    """Put back the reason codes and root causes migration 0002 seeds, when both tables are empty.

    A database emptied by `flush` (or a test framework's) loses them although its migrations are applied;
    the demo needs them. Returns whether anything was written; nothing is touched when any row exists.
    """
    if ReasonCode.objects.exists() or RootCause.objects.exists():
        return False
    seed = importlib.import_module("ardesk.disputes.migrations.0002_seed_catalogues").seed
    with transaction.atomic():
        seed(django_apps, None)
    return True
