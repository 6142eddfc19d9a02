"""Every write of the disputes app. Import the use cases from here; the modules split them by stage."""

from ardesk.disputes.services.handling import (
    add_comment,
    add_task,
    assign,
    change_status,
    complete_task,
    record_offer,
    set_priority,
    set_reason_code,
)
from ardesk.disputes.services.learning import suggest_reason, train_reason_model
from ardesk.disputes.services.raising import ItemInput, raise_deduction, raise_dispute
from ardesk.disputes.services.resolution import (
    AlreadyResolved,
    OverApprovalLimit,
    Resolution,
    SelfApproval,
    close,
    decide_approval,
    reopen,
    resolve,
)

__all__ = [
    "AlreadyResolved", "ItemInput", "OverApprovalLimit", "Resolution", "SelfApproval", "add_comment", "add_task",
    "assign", "change_status", "close", "complete_task", "decide_approval", "raise_deduction", "raise_dispute",
    "record_offer", "reopen", "resolve", "set_priority", "set_reason_code", "suggest_reason", "train_reason_model",
]
