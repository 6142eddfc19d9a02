"""What the access matrix needs for escalation pages and routes, built on demand on top of a World.

Rules are company-wide; the dispute and the auto-resolution belong to `other` (the South customer), so
only roles that see every customer reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ardesk.audit.services import SYSTEM
from ardesk.disputes.models import AutoResolution, AutoResolutionRule, Dispute, EscalationRule, RootCause
from ardesk.disputes.services import ItemInput, create_escalation_rule, raise_dispute
from ardesk.identity.roles import Role
from tests.access.world import World

PARAMS = ("escalation_rule_id", "auto_rule_id", "auto_resolution_id", "dispute_id")


@dataclass
class EscalationWorld:
    rule: EscalationRule
    auto_rule: AutoResolutionRule
    dispute: Dispute
    auto_resolution: AutoResolution


def escalation_world(world: World) -> EscalationWorld:
    built: EscalationWorld | None = getattr(world, "_escalation", None)
    if built is not None:
        return built
    admin = world.users[Role.ADMIN]
    rule = create_escalation_rule(name="Matrix rule", escalate_to="manager", by=admin)
    auto_rule = AutoResolutionRule.objects.create(
        name="Matrix auto rule", max_amount=Decimal("10"), monthly_cap=Decimal("100"),
        root_cause=RootCause.objects.get_or_create(code="customer_error", defaults={"label": "Customer error"})[0],
        responsible_department="sales", approved_by=admin)
    disputes = [raise_dispute(customer=world.other, kind="invoice", confirm_duplicate=True, by=SYSTEM,
                              items=[ItemInput(invoice=world.other_invoice, amount=Decimal(amount))])
                for amount in ("10.00", "5.00")]
    resolution = AutoResolution.objects.create(dispute=disputes[1], rule=auto_rule, amount=Decimal("5.00"),
                                               company_amount=Decimal("5.00"))
    built = EscalationWorld(rule=rule, auto_rule=auto_rule, dispute=disputes[0], auto_resolution=resolution)
    world._escalation = built  # type: ignore[attr-defined]
    return built


def escalation_params(world: World, template: str) -> dict[str, Any]:
    """The path parameters of an escalation route, built only when the route names one of them."""
    if not any(f"{{{name}}}" in template for name in PARAMS):
        return {}
    e = escalation_world(world)
    return {"escalation_rule_id": e.rule.pk, "auto_rule_id": e.auto_rule.pk,
            "auto_resolution_id": e.auto_resolution.pk, "dispute_id": e.dispute.pk}
