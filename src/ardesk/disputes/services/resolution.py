"""Resolving a dispute books its outcome in the ledger; closing records why it happened; reopening undoes neither.

- accepted / partly accepted: the accepted part is booked as a credit memo (applied to the invoice),
  a write-off (within the user's approval limit, else an ApprovalRequest for someone else) or a re-bill
  (the old invoice credited in full and a corrected one booked); the rest goes back to collectible.
- rejected: nothing is booked; the whole amount goes back to collectible.

Two analysts resolving the same dispute at once: the dispute row is locked first, so the second waits,
then finds it resolved and gets AlreadyResolved (a Conflict). Nothing is booked twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.disputes import rules, workflow
from ardesk.disputes.models import (
    ApprovalRequest,
    ApprovalStatus,
    Department,
    Dispute,
    DisputeItem,
    DisputeSettlement,
    RootCause,
)
from ardesk.disputes.rules import Settlement
from ardesk.disputes.services import segregation
from ardesk.disputes.signals import approval_requested, dispute_changed, dispute_resolved, send_on_commit
from ardesk.errors import Conflict, DomainError, PermissionDenied
from ardesk.identity.roles import Permission
from ardesk.ledger import services as ledger
from ardesk.ledger.models import CreditMemo, Invoice
from ardesk.ledger.queries import fx_rate
from ardesk.ledger.services import LineInput
from ardesk.money import check_amount, convert

ZERO = Decimal(0)


class AlreadyResolved(Conflict):
    def __init__(self, dispute: Dispute) -> None:
        super().__init__(f"dispute {dispute.number} is already {dispute.status} ({dispute.outcome}); "
                         "reload it, and reopen it to resolve it again", field="status")


class SelfApproval(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("you cannot decide your own approval request: another approver must", field="approver")


class OverApprovalLimit(PermissionDenied):
    def __init__(self, *, amount: Decimal, limit: Decimal, currency: str) -> None:
        company = settings.ARDESK_COMPANY_CURRENCY
        super().__init__(f"a write-off of {rules.shown(amount, currency)} is above your approval limit of "
                         f"{rules.shown(limit, company)}", field="amount")


@dataclass(frozen=True)
class Resolution:
    """What a resolve call did: the ledger entries booked, or the approval it now waits for."""

    dispute: Dispute
    settlements: list[DisputeSettlement] = field(default_factory=list)
    approval: ApprovalRequest | None = None

    @property
    def pending(self) -> bool:
        return self.approval is not None


def _today() -> date:
    return timezone.localdate()


def _company_amount(amount: Decimal, currency: str, on: date) -> Decimal:
    company = settings.ARDESK_COMPANY_CURRENCY
    return amount if currency == company else convert(amount, fx_rate(currency, on, company), company)


def may_write_off(user: Any, amount: Decimal, currency: str, on: date) -> bool:
    """Within the user's approval limit, which is kept in the company currency."""
    if not getattr(user, "pk", None) or not user.may(Permission.WRITE_OFF):
        return False
    return _company_amount(amount, currency, on) <= user.approval_limit


def _state(dispute: Dispute) -> workflow.State:
    return workflow.State(workflow.Status(dispute.status),
                          workflow.Outcome(dispute.outcome) if dispute.outcome else None)


def _next_number(model: type[CreditMemo] | type[Invoice], prefix: str) -> str:
    """The first free `<prefix>1`, `<prefix>2` …: a prefix names one dispute or invoice, so this stops at once
    or after a few tries, each an exact look-up on the unique number."""
    n = 1
    while model.objects.filter(number=f"{prefix}{n}").exists():
        n += 1
    return f"{prefix}{n}"


def _credit(dispute: Dispute, invoice: Invoice, amount: Decimal, on: date, by: Any) -> CreditMemo:
    memo = ledger.book_credit_memo(
        customer=invoice.customer, number=_next_number(CreditMemo, f"{dispute.number}-CM"), issue_date=on,
        currency=invoice.currency, amount=amount, invoice=invoice,
        reason=f"dispute {dispute.number}: {dispute.reason_code}", by=by)
    ledger.apply_credit_memo(credit_memo=memo, invoice=invoice, amount=amount, on=on,
                             note=f"dispute {dispute.number}", by=by)
    return memo


def _rebill(dispute: Dispute, invoice: Invoice, accepted: Decimal, lines: Sequence[LineInput] | None, on: date,
            by: Any) -> tuple[CreditMemo, Invoice]:
    credited = invoice.open_amount
    corrected = credited - accepted
    if corrected <= 0:
        raise DomainError(f"nothing is left to re-bill on {invoice.number}: book a credit memo instead",
                          field="settlement")
    memo = _credit(dispute, invoice, credited, on, by)
    new = ledger.book_invoice(
        customer=invoice.customer, number=_next_number(Invoice, f"{invoice.number[:34]}-R"), issue_date=on,
        due_date=max(invoice.due_date, on), currency=invoice.currency,
        amount=None if lines else corrected, lines=list(lines) if lines else None, po_number=invoice.po_number,
        sales_rep=invoice.sales_rep, description=f"corrects {invoice.number} (dispute {dispute.number})", by=by)
    if new.amount != corrected:
        cur = invoice.currency
        raise DomainError(f"the corrected lines add up to {rules.shown(new.amount, cur)}; with "
                          f"{rules.shown(accepted, cur)} accepted of the {rules.shown(credited, cur)} open they "
                          f"must add up to {rules.shown(corrected, cur)}", field="rebill_lines")
    return memo, new


def _settle(dispute: Dispute, *, outcome: workflow.Outcome, settlement: Settlement, accepted: Decimal, note: str,
            on: date, rebill_lines: Sequence[LineInput] | None, by: Any, requested_by: Any = None,
            item_amounts: Mapping[int, Decimal] | None = None) -> Resolution:
    """Book the accepted part, mark the dispute resolved and give the rest back to collectible. Locks held.
    The accepted part is booked per item as named in `item_amounts`, else spread pro rata."""
    items = list(dispute.items.select_related("invoice", "invoice_line").order_by("pk"))
    by_pk = {inv.pk: inv for inv in segregation.lock_invoices_of(dispute)}
    if settlement is Settlement.REBILL and len(by_pk) != 1:
        raise DomainError(f"a re-bill corrects one invoice; this dispute spans {len(by_pk)}", field="settlement")
    write_off_code = f"dispute:{dispute.reason_code.code if dispute.reason_code else 'other'}"[:40]
    if item_amounts is not None:
        parts = rules.item_parts(item_amounts, _labelled(items), accepted=accepted, currency=dispute.currency)
    else:
        parts = rules.allocate(accepted, [item.outstanding_amount for item in items], dispute.currency)
    per_invoice: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item, part in zip(items, parts, strict=True):
        per_invoice[item.invoice_id] += part
    made: list[DisputeSettlement] = []
    for invoice_pk, part in sorted(per_invoice.items()):
        if part <= 0:
            continue
        invoice = by_pk[invoice_pk]
        row = DisputeSettlement(dispute=dispute, invoice=invoice, kind=settlement, amount=part,
                                created_by=by if getattr(by, "pk", None) else None)
        if settlement is Settlement.CREDIT_MEMO:
            row.credit_memo = _credit(dispute, invoice, part, on, by)
        elif settlement is Settlement.WRITE_OFF:
            row.write_off = ledger.write_off(invoice=invoice, amount=part, reason_code=write_off_code,
                                             reason=note or f"dispute {dispute.number}", on=on, by=by)
        else:
            row.credit_memo, row.new_invoice = _rebill(dispute, invoice, part, rebill_lines, on, by)
            dispute.rebill_invoice = row.new_invoice
        row.save()
        made.append(row)
    for item, part in zip(items, parts, strict=True):
        if part:
            item.accepted_amount += part
    DisputeItem.objects.bulk_update(items, ["accepted_amount"])
    before = {"status": dispute.status, "accepted_amount": dispute.accepted_amount}
    dispute.status, dispute.outcome = workflow.resolve(_state(dispute), outcome).status, outcome
    dispute.settlement, dispute.accepted_amount = settlement, dispute.accepted_amount + accepted
    dispute.resolved_at = timezone.now()
    segregation.touch(dispute, ["status", "outcome", "settlement", "accepted_amount", "resolved_at",
                                "rebill_invoice"])
    segregation.refresh_disputed(list(by_pk), dispute=dispute, by=by)
    record(actor=by, verb="dispute.resolved", subject=dispute, before=before, reason=note, after={
        "status": dispute.status, "outcome": outcome, "settlement": settlement, "accepted": accepted,
        "accepted_amount": dispute.accepted_amount,
        "credit_memos": [r.credit_memo.number for r in made if r.credit_memo],
        "write_offs": [r.write_off.pk for r in made if r.write_off],
        "new_invoice": dispute.rebill_invoice.number if dispute.rebill_invoice else None,
        "requested_by": getattr(requested_by, "username", None),
        "items": {str(item.pk): part for item, part in zip(items, parts, strict=True)},
    })
    send_on_commit(dispute_resolved, Dispute, dispute=dispute)
    return Resolution(dispute=dispute, settlements=made)


@transaction.atomic
def resolve(
    *, dispute: Dispute, outcome: str, settlement: str | None = None, accepted_amount: Decimal | None = None,
    note: str = "", rebill_lines: Sequence[LineInput] | None = None, on: date | None = None,
    item_amounts: Mapping[int, Decimal] | None = None, version: int | None = None, by: Any,
) -> Resolution:
    """Decide a dispute. `settlement` defaults to a credit memo (nothing for a rejection). `item_amounts` (item
    id → amount granted on it) books the accepted part where the analyst says, e.g. one invoice of an account
    dispute; without it the accepted part is spread over the items in proportion to what each holds."""
    outcome_ = workflow.Outcome(outcome)
    settlement_ = rules.check_settlement(outcome=outcome_, settlement=settlement or (
        Settlement.NONE if outcome_ is workflow.Outcome.REJECTED else Settlement.CREDIT_MEMO))
    locked = segregation.lock_dispute(dispute.pk)
    if not locked.is_open:
        raise AlreadyResolved(locked)
    segregation.check_version(locked, version)
    workflow.resolve(_state(locked), outcome_)  # refuses new → resolved before anything is booked
    if locked.reason_code is None:
        raise DomainError("choose the reason code before resolving: it is what the suggester learns from",
                          field="reason_code")
    if ApprovalRequest.objects.filter(dispute=locked, status=ApprovalStatus.PENDING).exists():
        raise Conflict(f"dispute {locked.number} has a write-off waiting for approval", field="status")
    asked = check_amount(accepted_amount, locked.currency, positive=False) if accepted_amount is not None else None
    per_item = None
    if item_amounts is not None:
        per_item = {int(pk): check_amount(amount, locked.currency, positive=False, field=f"items[{pk}].accepted_amount")
                    for pk, amount in item_amounts.items()}
        items = list(locked.items.select_related("invoice", "invoice_line").order_by("pk"))
        asked = sum(rules.item_parts(per_item, _labelled(items), accepted=asked, currency=locked.currency), ZERO)
    accepted = rules.accepted_for(outcome=outcome_, outstanding=locked.outstanding_amount, accepted=asked,
                                  currency=locked.currency)
    day = on or _today()
    if settlement_ is Settlement.WRITE_OFF and not may_write_off(by, accepted, locked.currency, day):
        return Resolution(dispute=locked, approval=_request_approval(locked, outcome_, accepted, note, by, per_item))
    return _settle(locked, outcome=outcome_, settlement=settlement_, accepted=accepted, note=note, on=day,
                   rebill_lines=rebill_lines, by=by, item_amounts=per_item)


def _labelled(items: Sequence[DisputeItem]) -> list[tuple[int, str, Decimal]]:
    """(id, how an error names it, outstanding) of each item, for rules.item_parts."""
    return [(item.pk, f"invoice {item.invoice.number}" + (f" line {item.invoice_line.line_no}"
                                                           if item.invoice_line is not None else ""),
             item.outstanding_amount) for item in items]


def _request_approval(dispute: Dispute, outcome: workflow.Outcome, amount: Decimal, note: str,
                      by: Any, item_amounts: Mapping[int, Decimal] | None) -> ApprovalRequest:
    if not getattr(by, "pk", None):
        raise PermissionDenied("only a person can ask for an approval", field="by")
    items = {str(pk): str(part) for pk, part in item_amounts.items()} if item_amounts is not None else None
    request = ApprovalRequest.objects.create(dispute=dispute, requested_by=by, outcome=outcome, amount=amount,
                                             note=note, item_amounts=items)
    segregation.touch(dispute, [])
    record(actor=by, verb="dispute.approval_requested", subject=dispute, reason=note,
           after={"approval": request.pk, "outcome": outcome, "amount": amount, "items": items})
    send_on_commit(approval_requested, ApprovalRequest, request=request)
    return request


@transaction.atomic
def decide_approval(*, request: ApprovalRequest, approve: bool, note: str = "", on: date | None = None,
                    by: Any) -> ApprovalRequest:
    """Approve (and book the write-off as asked) or reject. Never by the requester; approving needs the limit."""
    dispute = segregation.lock_dispute(request.dispute_id)
    locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ApprovalStatus.PENDING:
        raise Conflict(f"this approval request was already {locked.status}", field="status")
    if getattr(by, "pk", None) == locked.requested_by_id:
        raise SelfApproval()
    if not getattr(by, "pk", None) or not by.may(Permission.WRITE_OFF):
        raise PermissionDenied("deciding a write-off needs the write-off permission", field="approver")
    day = on or _today()
    if approve:
        if not may_write_off(by, locked.amount, dispute.currency, day):
            raise OverApprovalLimit(amount=locked.amount, limit=by.approval_limit, currency=dispute.currency)
        accepted = rules.accepted_for(outcome=locked.outcome, outstanding=dispute.outstanding_amount,
                                      accepted=locked.amount, currency=dispute.currency)
        asked = ({int(pk): Decimal(part) for pk, part in locked.item_amounts.items()}
                 if locked.item_amounts is not None else None)
        _settle(dispute, outcome=workflow.Outcome(locked.outcome), settlement=Settlement.WRITE_OFF,
                accepted=accepted, note=locked.note, on=day, rebill_lines=None, by=by,
                requested_by=locked.requested_by, item_amounts=asked)
    locked.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    locked.approver, locked.decided_at, locked.decision_note = by, timezone.now(), note
    locked.save(update_fields=["status", "approver", "decided_at", "decision_note"])
    record(actor=by, verb=f"dispute.approval_{locked.status}", subject=dispute, reason=note,
           after={"approval": locked.pk, "amount": locked.amount, "requested_by": locked.requested_by.username})
    return locked


@transaction.atomic
def close(*, dispute: Dispute, root_cause: RootCause | None, responsible_department: str, note: str = "",
          version: int | None = None, by: Any) -> Dispute:
    """Close a resolved dispute with what really went wrong and which department it was."""
    if responsible_department and responsible_department not in Department.values:
        raise DomainError(f"unknown department {responsible_department!r}", field="responsible_department")
    locked = segregation.lock_dispute(dispute.pk)
    segregation.check_version(locked, version)
    workflow.close(_state(locked), has_root_cause=root_cause is not None,
                   has_responsible_department=bool(responsible_department))
    locked.status, locked.root_cause = workflow.Status.CLOSED, root_cause
    locked.responsible_department, locked.closed_at = responsible_department, timezone.now()
    segregation.touch(locked, ["status", "root_cause", "responsible_department", "closed_at"])
    record(actor=by, verb="dispute.closed", subject=locked, before={"status": workflow.Status.RESOLVED},
           after={"status": locked.status, "root_cause": root_cause.code if root_cause else None,
                  "responsible_department": responsible_department}, reason=note)
    return locked


@transaction.atomic
def reopen(*, dispute: Dispute, reason: str, version: int | None = None, by: Any) -> Dispute:
    """Back to review. Bookings stay; what was not granted is held back from collection again."""
    if not reason.strip():
        raise DomainError("say why the dispute is reopened", field="reason")
    locked = segregation.lock_dispute(dispute.pk)
    segregation.check_version(locked, version)
    state = workflow.reopen(_state(locked))
    if locked.outstanding_amount <= 0:
        raise Conflict(f"everything disputed in {locked.number} was granted: there is nothing left to reopen",
                       field="status")
    invoice_ids = [inv.pk for inv in segregation.lock_invoices_of(locked)]
    before = {"status": locked.status, "outcome": locked.outcome}
    locked.status, locked.outcome, locked.settlement = state.status, "", ""
    locked.resolved_at = locked.closed_at = None
    segregation.touch(locked, ["status", "outcome", "settlement", "resolved_at", "closed_at"])
    segregation.refresh_disputed(invoice_ids, dispute=locked, by=by)
    record(actor=by, verb="dispute.reopened", subject=locked, before=before,
           after={"status": locked.status, "outstanding": locked.outstanding_amount}, reason=reason)
    send_on_commit(dispute_changed, Dispute, dispute=locked)  # escalation rules look again once committed
    return locked
