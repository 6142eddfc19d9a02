"""The disputes app's tables, one module per concern; import them from here."""

from ardesk.disputes.models.approval import ApprovalRequest, ApprovalStatus
from ardesk.disputes.models.catalogue import Department, ReasonCode, RootCause
from ardesk.disputes.models.collaboration import Comment, Offer, OfferKind, Party, Task
from ardesk.disputes.models.dispute import (
    Channel,
    Dispute,
    DisputeItem,
    DisputeSettlement,
    ItemSkuShare,
    Kind,
    Priority,
)
from ardesk.disputes.models.document import Document, DocumentKind, DocumentSource
from ardesk.disputes.models.escalation import (
    AutoResolution,
    AutoResolutionRule,
    Escalation,
    EscalationLevel,
    EscalationRule,
    RuleFiring,
)
from ardesk.disputes.models.learning import ReasonModel
from ardesk.disputes.models.prevention import ActionStatus, CorrectiveAction, SalesNote

__all__ = [
    "ActionStatus",
    "ApprovalRequest",
    "ApprovalStatus",
    "AutoResolution",
    "AutoResolutionRule",
    "Channel",
    "Comment",
    "CorrectiveAction",
    "Department",
    "Dispute",
    "DisputeItem",
    "DisputeSettlement",
    "Document",
    "DocumentKind",
    "DocumentSource",
    "Escalation",
    "EscalationLevel",
    "EscalationRule",
    "ItemSkuShare",
    "Kind",
    "Offer",
    "OfferKind",
    "Party",
    "Priority",
    "ReasonCode",
    "ReasonModel",
    "RootCause",
    "RuleFiring",
    "SalesNote",
    "Task",
]
