"""What the dispute routes read and write. Money leaves as strings in the dispute's minor unit.

Reason codes and root causes are named by their code ("pricing"), users by id, priorities by name.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_serializer

from ardesk.apikit.fields import MoneyOut, MoneyRow, display_money
from ardesk.disputes.models import Department, OfferKind, Party, Priority
from ardesk.disputes.queue import sla_state
from ardesk.disputes.rules import Settlement
from ardesk.disputes.workflow import WORKING_STATES, Outcome

DepartmentName = Literal["sales", "logistics", "billing", "customer_service", "quality", "tax", "trade_marketing",
                         "accounts_receivable", "pricing", "legal"]
PriorityName = Literal["low", "normal", "high", "urgent"]
WorkingStatus = Literal["in_review", "waiting_on_customer", "waiting_on_internal", "escalated"]
OutcomeName = Literal["accepted", "partly_accepted", "rejected"]
SettlementName = Literal["credit_memo", "write_off", "rebill"]
OfferKindName = Literal["offer", "counter_offer"]
PartyName = Literal["company", "customer"]
assert set(get_args(DepartmentName)) == set(Department.values)
assert set(get_args(WorkingStatus)) == {s.value for s in WORKING_STATES}
assert set(get_args(OutcomeName)) == {o.value for o in Outcome}
assert set(get_args(SettlementName)) == {s.value for s in Settlement} - {"none"}
assert set(get_args(OfferKindName)) == set(OfferKind.values)
assert set(get_args(PartyName)) == set(Party.values)

PRIORITY_BY_NAME: dict[str, int] = {p.name.lower(): p.value for p in Priority}
NAME_BY_PRIORITY: dict[int, str] = {v: k for k, v in PRIORITY_BY_NAME.items()}
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
Text10k = Annotated[str, Field(max_length=10_000)]
Version = Annotated[int | None, Field(None, ge=1, le=2**31 - 1,
                                      description="The version you read; or send it as If-Match. Optional here.")]


def _name(user: Any) -> str | None:
    return getattr(user, "username", None)


# --- out ----------------------------------------------------------------------------------------


class DisputeOut(MoneyRow):
    """A row of the queue."""

    id: int
    number: str
    customer_id: int
    customer_name: str
    kind: str
    channel: str
    status: str
    outcome: str
    reason_code: str | None
    owner_id: int | None
    owner: str | None = Field(description="The owner's username.")
    department: str
    priority: PriorityName
    sla_due: date
    sla_state: Literal["breached", "due_soon", "on_track", ""] = Field(description="Empty once resolved.")
    sla_breached: bool
    escalation_level: str
    amount: MoneyOut
    accepted_amount: MoneyOut
    outstanding_amount: MoneyOut = Field(description="Still in dispute: amount less what was granted.")
    raised_on: date
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj.customer.name)

    @staticmethod
    def resolve_reason_code(obj: Any) -> str | None:
        return obj.reason_code.code if obj.reason_code_id else None

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _name(obj.owner) if obj.owner_id else None

    @staticmethod
    def resolve_priority(obj: Any) -> str:
        return NAME_BY_PRIORITY[obj.priority]

    @staticmethod
    def resolve_sla_state(obj: Any) -> str:
        return sla_state(is_open=obj.is_open, sla_due=obj.sla_due, today=timezone.localdate())

    @staticmethod
    def resolve_sla_breached(obj: Any) -> bool:
        return bool(obj.is_open and obj.sla_due < timezone.localdate())


class SkuShareOut(Schema):
    sku: str = Field(description='"" when the invoice has no lines or the line no SKU.')
    share: str = Field(description="The SKU's part of the item (its lines' gross over the invoice's), e.g. 0.75.")

    @staticmethod
    def resolve_share(obj: Any) -> str:
        return f"{obj.weight.normalize():f}"


class ItemOut(MoneyRow):
    id: int
    invoice_id: int
    invoice_number: str
    line_no: int | None
    amount: MoneyOut
    accepted_amount: MoneyOut
    outstanding_amount: MoneyOut
    disputed_quantity: str | None
    claimed_unit_price: str | None
    skus: list[SkuShareOut] = Field(description="The item split over SKUs, as the report by SKU counts it.")

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.invoice.currency)

    @staticmethod
    def resolve_invoice_number(obj: Any) -> str:
        return str(obj.invoice.number)

    @staticmethod
    def resolve_line_no(obj: Any) -> int | None:
        return obj.invoice_line.line_no if obj.invoice_line_id else None

    @staticmethod
    def resolve_disputed_quantity(obj: Any) -> str | None:
        return None if obj.disputed_quantity is None else format(obj.disputed_quantity, "f")

    @staticmethod
    def resolve_claimed_unit_price(obj: Any) -> str | None:
        return None if obj.claimed_unit_price is None else format(obj.claimed_unit_price, "f")

    @staticmethod
    def resolve_skus(obj: Any) -> list[Any]:
        return list(obj.sku_shares.all())


class SettlementOut(MoneyRow):
    id: int
    invoice_id: int
    kind: SettlementName
    amount: MoneyOut = Field(description="The part granted to the customer on this invoice.")
    credit_memo_id: int | None
    write_off_id: int | None
    new_invoice_id: int | None = Field(description="A re-bill's corrected invoice.")
    created_at: datetime

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.invoice.currency)


class ApprovalOut(MoneyRow):
    id: int
    dispute_id: int
    dispute_number: str
    status: Literal["pending", "approved", "rejected"]
    outcome: str
    amount: MoneyOut = Field(description="The write-off asked for.")
    item_amounts: dict[str, str] | None = Field(
        description="Where it is to be booked: item id → amount; null: spread over the items pro rata.")
    note: str
    requested_by_id: int
    requested_by: str
    approver_id: int | None
    decision_note: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.dispute.currency)

    @staticmethod
    def resolve_dispute_number(obj: Any) -> str:
        return str(obj.dispute.number)

    @staticmethod
    def resolve_requested_by(obj: Any) -> str:
        return str(obj.requested_by.username)


class DisputeDetailOut(DisputeOut):
    """The dispute with its items, what settled it and what waits for approval."""

    description: str
    settlement: str
    reason_label: str | None
    suggested_reason: str | None
    suggestion_confidence: float | None = Field(description="0 to 1.")
    suggestion_source: str = Field(description='"model", "keywords" or empty.')
    root_cause: str | None
    responsible_department: str
    payment_id: int | None = Field(description="For a deduction: the short payment.")
    rebill_invoice_id: int | None
    raised_by_id: int | None
    resolved_at: datetime | None
    closed_at: datetime | None
    items: list[ItemOut]
    settlements: list[SettlementOut]
    pending_approval: ApprovalOut | None

    @staticmethod
    def resolve_reason_label(obj: Any) -> str | None:
        return obj.reason_code.label if obj.reason_code_id else None

    @staticmethod
    def resolve_suggested_reason(obj: Any) -> str | None:
        return obj.suggested_reason.code if obj.suggested_reason_id else None

    @staticmethod
    def resolve_suggestion_confidence(obj: Any) -> float | None:
        return None if obj.suggestion_confidence is None else float(obj.suggestion_confidence)

    @staticmethod
    def resolve_root_cause(obj: Any) -> str | None:
        return obj.root_cause.code if obj.root_cause_id else None

    @staticmethod
    def resolve_items(obj: Any) -> Any:
        return obj.item_rows

    @staticmethod
    def resolve_settlements(obj: Any) -> Any:
        return obj.settlement_rows

    @staticmethod
    def resolve_pending_approval(obj: Any) -> Any:
        return obj.pending_rows[0] if obj.pending_rows else None


class ResolutionOut(Schema):
    """What a resolve did: booked (`pending` false) or asked for approval (`pending` true, `approval` set)."""

    pending: bool
    dispute: DisputeDetailOut
    approval: ApprovalOut | None


class TimelineEventOut(Schema):
    seq: int
    at: datetime = Field(alias="created_at")
    actor_id: int | None
    actor: str = Field(alias="actor_label")
    verb: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str


class CommentOut(Schema):
    id: int
    author_id: int | None
    author: str | None
    body: str
    internal: bool
    mentions: list[str]
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return _name(obj.author) if obj.author_id else None

    @staticmethod
    def resolve_mentions(obj: Any) -> list[str]:
        return [u.username for u in obj.mentions.all()]


class TaskOut(Schema):
    id: int
    dispute_id: int
    title: str
    department: str
    assignee_id: int | None
    due_date: date | None
    done: bool
    done_at: datetime | None
    done_by_id: int | None
    outcome_note: str
    created_by_id: int | None
    created_at: datetime


class OfferOut(MoneyRow):
    id: int
    kind: str
    party: str
    amount: MoneyOut
    note: str
    recorded_by_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.dispute.currency)


class SuggestionOut(Schema):
    reason_code: str | None = Field(description="null when nothing in the text points at a reason.")
    label: str | None
    department: str | None
    confidence: float | None
    source: str = Field(description='"model" (trained on resolved disputes), "keywords" or empty.')


class ReasonCodeOut(Schema):
    id: int
    code: str
    label: str
    department: str = Field(alias="default_department")
    sla_days: int
    keywords: list[str] = Field(alias="keyword_list")
    active: bool
    position: int


class RootCauseOut(Schema):
    id: int
    code: str
    label: str
    active: bool
    position: int


class SummaryOut(Schema):
    count: int
    outstanding: dict[str, MoneyOut] = Field(description="Outstanding amount per currency.")
    sla_breached: int

    @field_serializer("outstanding")
    def _amounts(self, value: dict[str, Decimal]) -> dict[str, str]:
        return {cur: display_money(amount, cur) for cur, amount in value.items()}
