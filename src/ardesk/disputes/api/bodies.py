"""What the dispute routes take: query parameters and request bodies (unknown fields are refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from ardesk.apikit.fields import Id, IsoDate, MoneyIn, QuantityIn, Reason, Text200, Text300
from ardesk.apikit.pagination import PageQuery
from ardesk.disputes.api.schemas import (
    Code,
    DepartmentName,
    OfferKindName,
    OutcomeName,
    PartyName,
    PriorityName,
    SettlementName,
    Text10k,
    Version,
    WorkingStatus,
)
from ardesk.ledger.api.schemas import LineIn

# --- queries ------------------------------------------------------------------------------------


class QueueQuery(PageQuery):
    """The queue page's filters, with the same names and meaning (see the disputes page)."""

    status: str | None = Field(None, max_length=200, description="open (default), all, or statuses, comma separated.")
    reason: str | None = Field(None, max_length=40, description="A reason code.")
    owner: str | None = Field(None, max_length=20, description="A user id, me, or none (unowned).")
    team: str | None = Field(None, max_length=20, description="Id of the customer's team.")
    department: str | None = Field(None, max_length=40)
    min_age_days: str | None = Field(None, max_length=10)
    max_age_days: str | None = Field(None, max_length=10)
    sla: str | None = Field(None, max_length=20, description="breached, due_soon or on_track.")
    min_amount: str | None = Field(None, max_length=30, description="Outstanding amount at least this.")
    max_amount: str | None = Field(None, max_length=30)
    customer: str | None = Field(None, max_length=20, description="Customer id.")
    q: str | None = Field(None, max_length=100, description="Dispute, customer or invoice number, customer name.")
    escalated: str | None = Field(None, max_length=5, description="yes or no.")
    priority: str | None = Field(None, max_length=2, description="1 (low) to 4 (urgent).")
    sort: str | None = Field(None, max_length=20, description="sla_due (default), -sla_due, age, -age, amount, "
                                                              "-amount, priority, -priority, customer.")


class ListQuery(PageQuery):
    pass


class ApprovalQuery(PageQuery):
    status: Literal["pending", "approved", "rejected"] = "pending"


# --- bodies -------------------------------------------------------------------------------------


class _Body(Schema):
    model_config = ConfigDict(extra="forbid")


class ItemIn(_Body):
    invoice_id: Id
    amount: MoneyIn | None = Field(None, description="Default: what is collectible (whole invoice) or the "
                                                     "line's money behind the quantity or price claimed.")
    line_no: int | None = Field(None, ge=1, le=100_000, description="For a dispute on lines: the line.")
    disputed_quantity: QuantityIn | None = Field(None, description="Units the customer says are short.")
    claimed_unit_price: QuantityIn | None = Field(None, description="The unit price the customer says was agreed.")


class DisputeIn(_Body):
    kind: Literal["invoice", "lines", "account"]
    customer_id: Id | None = Field(None, description="Required for an account dispute without items; "
                                                     "otherwise the customer of the first invoice.")
    items: list[ItemIn] = Field(default_factory=list, max_length=500)
    description: Text10k = Field("", description="The customer's own words: they feed the reason suggester.")
    reason_code: Code | None = None
    owner_id: Id | None = None
    priority: PriorityName = "normal"
    allow_duplicate: bool = Field(False, description="Raise it even if an open dispute covers the same invoice.")


class DeductionIn(_Body):
    payment_id: Id
    invoice_id: Id
    amount: MoneyIn = Field(description="The short part of the payment.")
    description: Text10k = ""
    reason_code: Code | None = None


class SuggestIn(_Body):
    text: Text10k


class StatusIn(_Body):
    to: WorkingStatus
    note: Text300 = ""
    version: Version = None


class _OwnerIn(_Body):
    owner_id: Id | None = Field(description="null leaves the dispute unowned.")
    department: DepartmentName | None = None


class AssignIn(_OwnerIn):
    version: Version = None


class BulkAssignIn(_OwnerIn):
    ids: list[Id] = Field(min_length=1, max_length=500)


class PriorityIn(_Body):
    priority: PriorityName
    reason: Text300 = ""
    version: Version = None


class ReasonCodeChoiceIn(_Body):
    reason_code: Code
    reroute: bool = Field(False, description="Also move the dispute to the reason's department.")
    version: Version = None


class CommentIn(_Body):
    body: Text10k = Field(min_length=1)
    internal: bool = True


class TaskIn(_Body):
    title: Text200 = Field(min_length=1)
    department: DepartmentName
    assignee_id: Id | None = None
    due_date: IsoDate | None = None


class TaskCompleteIn(_Body):
    note: Text300 = ""


class OfferIn(_Body):
    kind: OfferKindName = "offer"
    party: PartyName
    amount: MoneyIn
    note: Text300 = ""


class ItemAcceptIn(_Body):
    item: Id = Field(description="The id of one of the dispute's items (`items[].id` of the dispute).")
    accepted_amount: MoneyIn = Field(description="Granted on this item: 0 up to what it still has in dispute.")


class ResolveIn(_Body):
    outcome: OutcomeName
    settlement: SettlementName | None = Field(None, description="Default: credit_memo; nothing for a rejection.")
    accepted_amount: MoneyIn | None = Field(None, description="Required when partly accepted (or give `items`).")
    items: list[ItemAcceptIn] | None = Field(
        None, max_length=1000, description="Where the accepted part is booked, per item (items not named get "
                                           "nothing; the total is their sum). Default: spread over the items in "
                                           "proportion to what each holds.")
    rebill_lines: list[LineIn] | None = Field(None, max_length=1000,
                                              description="A re-bill's corrected lines (default: one amount).")
    note: Text300 = ""
    on: IsoDate | None = Field(None, description="Booking date; default today.")
    version: Version = None


class CloseIn(_Body):
    root_cause: Code
    responsible_department: DepartmentName
    note: Text300 = ""
    version: Version = None


class ReopenIn(_Body):
    reason: Reason
    version: Version = None


class DecideIn(_Body):
    approve: bool
    note: Text300 = ""


class ReasonCodeIn(_Body):
    code: Code
    label: str = Field(min_length=1, max_length=100)
    department: DepartmentName
    sla_days: int = Field(ge=0, le=365)
    keywords: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=200)
    active: bool = True
    position: int | None = Field(None, ge=0, le=100_000)


class ReasonCodePatch(_Body):
    label: str | None = Field(None, min_length=1, max_length=100)
    department: DepartmentName | None = None
    sla_days: int | None = Field(None, ge=0, le=365)
    keywords: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=200)
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=100_000)


class RootCauseIn(_Body):
    code: Code
    label: str = Field(min_length=1, max_length=100)
    active: bool = True
    position: int | None = Field(None, ge=0, le=100_000)


class RootCausePatch(_Body):
    label: str | None = Field(None, min_length=1, max_length=100)
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=100_000)
