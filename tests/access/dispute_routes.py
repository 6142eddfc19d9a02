"""Who may use each disputes API route (the disputes part of test_matrix.ROUTES), and its path parameters.

The world's `other_dispute` belongs to the South team's customer: only roles that see every customer reach
it, and of those only the administrator may also work it (cash clerks raise, auditors read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ardesk.disputes.models import ReasonCode, RootCause
from ardesk.identity.roles import Role
from tests.access.world import ADMIN, EVERYONE, SEES_EVERY_CUSTOMER, World

Body = Callable[[World, Role], dict[str, Any]]
_V1 = "/api/v1/disputes"
_ONE = f"{_V1}/{{dispute_id}}"
RAISERS = frozenset({Role.COLLECTOR, Role.DISPUTE_ANALYST, Role.CASH_CLERK, Role.AR_MANAGER, Role.ADMIN})
DECIDERS = frozenset({Role.DISPUTE_ANALYST, Role.AR_MANAGER, Role.ADMIN})  # may write off
RULE_MAKERS = frozenset({Role.AR_MANAGER, Role.ADMIN})
CLERK_OR_ADMIN = frozenset({Role.CASH_CLERK, Role.ADMIN})
MATRIX_CODE = "matrix"


def dispute_params(world: World) -> dict[str, Any]:
    """The ids the dispute routes' paths name; a reason code and root cause of the matrix's own."""
    assert world.other_dispute and world.other_task and world.other_approval
    reason, _ = ReasonCode.objects.get_or_create(code=MATRIX_CODE, defaults={
        "label": "Matrix", "default_department": "sales", "sla_days": 5})
    cause, _ = RootCause.objects.get_or_create(code=MATRIX_CODE, defaults={"label": "Matrix"})
    return {"dispute_id": world.other_dispute.pk, "task_id": world.other_task.pk,
            "approval_id": world.other_approval.pk, "reason_code_id": reason.pk, "root_cause_id": cause.pk}


DISPUTE_ROUTES: dict[str, tuple[frozenset[Role], Body | None]] = {
    f"GET {_V1}": (EVERYONE, None),
    f"GET {_V1}/summary": (EVERYONE, None),
    f"POST {_V1}": (CLERK_OR_ADMIN, lambda w, r: {
        "kind": "invoice", "items": [{"invoice_id": w.other_invoice.pk, "amount": "1.00"}], "allow_duplicate": True}),
    f"POST {_V1}/deductions": (CLERK_OR_ADMIN, lambda w, r: {
        "payment_id": w.other_payment.pk, "invoice_id": w.other_invoice.pk, "amount": "1.00"}),
    f"POST {_V1}/suggest-reason": (RAISERS, lambda w, r: {"text": "the price is wrong"}),
    f"GET {_ONE}": (SEES_EVERY_CUSTOMER, None),
    f"GET {_ONE}/timeline": (SEES_EVERY_CUSTOMER, None),
    f"GET {_ONE}/comments": (SEES_EVERY_CUSTOMER, None),
    f"GET {_ONE}/tasks": (SEES_EVERY_CUSTOMER, None),
    f"GET {_ONE}/offers": (SEES_EVERY_CUSTOMER, None),
    f"POST {_ONE}/status": (ADMIN, lambda w, r: {"to": "in_review"}),
    f"POST {_ONE}/assign": (ADMIN, lambda w, r: {"owner_id": None}),
    f"POST {_V1}/assign": (ADMIN, lambda w, r: {"ids": [w.other_dispute.pk], "owner_id": None}),  # type: ignore[union-attr]
    f"POST {_ONE}/priority": (ADMIN, lambda w, r: {"priority": "high"}),
    f"POST {_ONE}/reason-code": (ADMIN, lambda w, r: {"reason_code": MATRIX_CODE}),
    f"POST {_ONE}/comments": (ADMIN, lambda w, r: {"body": f"seen by {r}"}),
    f"POST {_ONE}/tasks": (ADMIN, lambda w, r: {"title": "Check", "department": "sales"}),
    f"POST {_ONE}/tasks/{{task_id}}/complete": (ADMIN, lambda w, r: {}),
    f"POST {_ONE}/offers": (ADMIN, lambda w, r: {"party": "company", "amount": "1.00"}),
    f"POST {_ONE}/resolve": (ADMIN, lambda w, r: {"outcome": "rejected"}),
    f"POST {_ONE}/close": (ADMIN, lambda w, r: {"root_cause": MATRIX_CODE, "responsible_department": "sales"}),
    f"POST {_ONE}/reopen": (ADMIN, lambda w, r: {"reason": "more proof"}),
    f"GET {_V1}/approvals": (DECIDERS, None),
    f"POST {_V1}/approvals/{{approval_id}}/decide": (ADMIN, lambda w, r: {"approve": False}),
    f"GET {_V1}/reason-codes": (EVERYONE, None),
    f"POST {_V1}/reason-codes": (RULE_MAKERS, lambda w, r: {
        "code": f"m_{r}", "label": "M", "department": "sales", "sla_days": 3}),
    f"PATCH {_V1}/reason-codes/{{reason_code_id}}": (RULE_MAKERS, lambda w, r: {"sla_days": 6}),
    f"GET {_V1}/root-causes": (EVERYONE, None),
    f"POST {_V1}/root-causes": (RULE_MAKERS, lambda w, r: {"code": f"m_{r}", "label": "M"}),
    f"PATCH {_V1}/root-causes/{{root_cause_id}}": (RULE_MAKERS, lambda w, r: {"label": "Renamed"}),
}
