"""Preventing the next dispute: corrective actions per root cause, and sales notes handed to a rep.

A note goes to every sales rep named on the dispute's invoices. When ARDESK_SALES_REP_EMAILS maps the rep
to an address ("Rita Rep=rita@example.com, Sam=sam@example.com"), it is also mailed, once the note commits.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.disputes.mail_hold import mail_held
from ardesk.disputes.models import ActionStatus, CorrectiveAction, Department, Dispute, RootCause, SalesNote
from ardesk.errors import DomainError, PermissionDenied
from ardesk.identity.roles import Permission

log = logging.getLogger(__name__)
MAX_NOTE = 5_000
MAX_TITLE = 200


class NoSalesRep(DomainError):
    def __init__(self, dispute: Dispute, invoices: list[str]) -> None:
        listed = ", ".join(invoices) or "none"
        super().__init__(f"no sales rep is named on the invoices of {dispute.number} ({listed}): set the invoice's "
                         "sales rep in the ERP, or tell sales another way", field="sales_rep")


def _may(by: Any, permission: Permission) -> None:
    if getattr(by, "pk", None) and not by.may(permission):
        raise PermissionDenied(f"the role {by.role_label} does not grant {permission.value}", field="by")


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def sales_rep_emails() -> dict[str, str]:
    """ARDESK_SALES_REP_EMAILS as {rep name (case-folded): address}; a malformed entry is ignored (and logged)."""
    # A setting when the lead adds one to settings.py; until then the environment variable of the same name.
    raw = getattr(settings, "ARDESK_SALES_REP_EMAILS", None) or os.environ.get("ARDESK_SALES_REP_EMAILS", "")
    pairs = raw.items() if isinstance(raw, dict) else (part.split("=", 1) for part in raw.split(",") if part.strip())
    found: dict[str, str] = {}
    for pair in pairs:
        name, address = (str(x).strip() for x in pair) if len(pair) == 2 else ("", "")
        if not name or "@" not in address:
            log.warning("ARDESK_SALES_REP_EMAILS: ignoring %r (expected Name=address)", "=".join(map(str, pair)))
            continue
        found[name.casefold()] = address
    return found


def _check_action(title: str, department: str, status: str) -> str:
    text = title.strip()
    if not text:
        raise DomainError("a corrective action needs a title", field="title")
    if len(text) > MAX_TITLE:
        raise DomainError(f"a title is limited to {MAX_TITLE} characters", field="title")
    if department not in Department.values:
        raise DomainError(f"unknown department {department!r}", field="department")
    if status not in ActionStatus.values:
        raise DomainError(f"unknown status {status!r}; expected one of {', '.join(ActionStatus.values)}",
                          field="status")
    return text


@transaction.atomic
def record_corrective_action(*, root_cause: RootCause, title: str, department: str, effective_from: date,
                             description: str = "", owner: Any = None, status: str = ActionStatus.PLANNED,
                             by: Any) -> CorrectiveAction:
    """What the company changes so a root cause stops costing money, from the day it takes effect."""
    _may(by, Permission.MANAGE_DISPUTE_RULES)
    action = CorrectiveAction.objects.create(
        root_cause=root_cause, title=_check_action(title, department, status), description=description.strip(),
        department=department, owner=owner, status=status, effective_from=effective_from, created_by=_user(by))
    record(actor=by, verb="dispute.corrective_action_recorded", subject=action, after={
        "root_cause": root_cause.code, "title": action.title, "department": department, "status": status,
        "effective_from": effective_from, "owner": getattr(owner, "username", None)})
    return action


UPDATABLE = ("title", "description", "department", "owner", "status", "effective_from")


@transaction.atomic
def update_corrective_action(*, action: CorrectiveAction, by: Any, **changes: Any) -> CorrectiveAction:
    """Change any of title, description, department, owner, status, effective_from; the audit keeps the old."""
    _may(by, Permission.MANAGE_DISPUTE_RULES)
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise DomainError(f"cannot change {', '.join(unknown)} of a corrective action", field=unknown[0])
    locked = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    merged = {name: changes.get(name, getattr(locked, name)) for name in UPDATABLE}
    merged["title"] = _check_action(merged["title"], merged["department"], merged["status"])
    merged["description"] = (merged["description"] or "").strip()
    changed = [name for name in UPDATABLE if merged[name] != getattr(locked, name)]
    if not changed:
        return locked

    def shown(name: str, value: Any) -> Any:
        return getattr(value, "username", None) if name == "owner" else value

    before = {name: shown(name, getattr(locked, name)) for name in changed}
    for name in changed:
        setattr(locked, name, merged[name])
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*changed, "updated_at"])
    record(actor=by, verb="dispute.corrective_action_updated", subject=locked, before=before,
           after={name: shown(name, merged[name]) for name in changed})
    return locked


def _mail(note: SalesNote) -> None:
    dispute = note.dispute
    subject = f"Sales opportunity from dispute {dispute.number} ({dispute.customer.name})"
    body = (f"{note.body}\n\n--\nCustomer: {dispute.customer.number} {dispute.customer.name}\n"
            f"Dispute: {dispute.number}\nFrom: {getattr(note.created_by, 'username', 'ardesk')}\n")
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [note.sent_to])
    except OSError:
        # The note is kept and listed for sales either way; a mail server down must not lose it.
        log.exception("sales note %s could not be mailed to %s", note.pk, note.sent_to)


@transaction.atomic
def hand_to_sales(*, dispute: Dispute, body: str, by: Any) -> list[SalesNote]:
    """A sales opportunity found in a dispute, noted for each sales rep named on its invoices (mailed when the
    rep's address is known). Refused when no invoice names a rep."""
    _may(by, Permission.HANDLE_DISPUTES)
    text = body.strip()
    if not text:
        raise DomainError("a note for sales cannot be empty", field="body")
    if len(text) > MAX_NOTE:
        raise DomainError(f"a note for sales is limited to {MAX_NOTE} characters", field="body")
    invoices = sorted({(item.invoice.number, item.invoice.sales_rep.strip())
                       for item in dispute.items.select_related("invoice")})
    reps = sorted({rep for _, rep in invoices if rep})
    if not reps:
        raise NoSalesRep(dispute, [number for number, _ in invoices])
    addresses = sales_rep_emails()
    notes = [SalesNote.objects.create(dispute=dispute, sales_rep=rep, sent_to=addresses.get(rep.casefold(), ""),
                                      body=text, created_by=_user(by)) for rep in reps]
    record(actor=by, verb="dispute.handed_to_sales", subject=dispute, after={
        "notes": [n.pk for n in notes], "sales_reps": reps, "mailed_to": [n.sent_to for n in notes if n.sent_to]})
    for note in notes:
        if note.sent_to and not mail_held():  # a bulk load (the demo) keeps the note and mails nobody
            transaction.on_commit(lambda note=note: _mail(note))  # type: ignore[misc]
    return notes
