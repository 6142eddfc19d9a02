"""Every write of the disputes app. Import the use cases from here; the modules split them by stage."""

from ardesk.disputes.services.catalogues import (
    create_reason_code,
    create_root_cause,
    update_reason_code,
    update_root_cause,
)
from ardesk.disputes.services.documents import FileRefused, attach_document, remove_document, verify_files
from ardesk.disputes.services.escalation import auto_resolve, escalate, evaluate, review_auto_resolution, run_all
from ardesk.disputes.services.escalation_rules import (
    create_auto_rule,
    create_escalation_rule,
    deactivate_auto_rule,
    deactivate_escalation_rule,
    update_auto_rule,
    update_escalation_rule,
)
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
from ardesk.disputes.services.learning import suggest_reason, suggest_reasons, train_reason_model
from ardesk.disputes.services.prevention import (
    NoSalesRep,
    hand_to_sales,
    record_corrective_action,
    update_corrective_action,
)
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
__all__ += ["create_reason_code", "create_root_cause", "update_reason_code", "update_root_cause"]
__all__ += ["FileRefused", "attach_document", "remove_document", "verify_files"]
__all__ += ["auto_resolve", "create_auto_rule", "create_escalation_rule", "deactivate_auto_rule",
            "deactivate_escalation_rule", "escalate", "evaluate", "review_auto_resolution", "run_all",
            "update_auto_rule", "update_escalation_rule"]
__all__ += ["NoSalesRep", "hand_to_sales", "record_corrective_action", "update_corrective_action"]
__all__ += ["suggest_reasons"]
