"""What the demo's managers and analysts add around the live disputes, through the disputes services:
documents (a proof of delivery PDF, a photo of the damage), escalations by hand (to a manager, to legal),
escalation rules, an auto-resolution rule for small deductions with the disputes it settled, and
corrective actions for the most costly root causes.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ardesk.demo.context import DemoContext
from ardesk.demo.dispute_files import pdf, png
from ardesk.disputes import services
from ardesk.disputes.models import Dispute, Priority, ReasonCode, RootCause
from ardesk.errors import DomainError
from ardesk.identity.models import User

AUTO_RESOLVED = 3  # small deductions the rule settles during the load


def _documents(disputes: list[Dispute], analyst_of: Any) -> None:
    for k, dispute in enumerate(disputes):
        invoice = dispute.items.select_related("invoice").first()
        number = invoice.invoice.number if invoice else dispute.number
        by = analyst_of(dispute)
        services.attach_document(
            dispute=dispute, filename=f"POD-{number}.pdf", kind="proof_of_delivery", by=by,
            data=pdf(f"Proof of delivery for {number}", [
                f"Consignee: {dispute.customer.name}", f"Invoice: {number}", "Pallets delivered: 3",
                "Received in good order, signed: J. Miller", f"Carrier reference: TRK-{dispute.pk:08d}"]),
            note="Signed delivery note from the carrier")
        if k % 2 == 0:
            services.attach_document(dispute=dispute, filename=f"damage-{dispute.number}.png", kind="photo",
                                     data=png(96, 64, dispute.pk), note="Photo the customer sent", by=by)


def _escalations(disputes: list[Dispute], by: Any) -> None:
    for k, dispute in enumerate(disputes[:3]):
        try:
            services.escalate(dispute=dispute, level="legal" if k == 2 else "manager", by=by,
                              reason="Customer threatens to withhold every payment" if k < 2
                              else "Customer's lawyer wrote to us: legal must answer")
        except DomainError:
            continue  # already escalated that high


def _rules(manager: User, ctx: DemoContext) -> None:
    services.create_escalation_rule(
        by=manager, name="Past SLA and above 25,000", sla_breached=True, min_amount=Decimal(25_000),
        escalate_to="manager", raise_priority_to=Priority.HIGH, notify=True)
    services.create_escalation_rule(
        by=manager, name="Repeat disputer: legal review", min_repeat_count=8, escalate_to="legal", notify=True)
    services.create_escalation_rule(
        by=manager, name="Pricing disputes older than 30 days", min_age_days=30,
        reason_code=ReasonCode.objects.get(code="pricing"), raise_priority_to=Priority.HIGH, notify=False)
    rule = services.create_auto_rule(
        by=manager, name="Small deductions: write off", kind="deduction", max_amount=Decimal(100),
        monthly_cap=Decimal(2_000), max_rejected_last_year=5, root_cause=RootCause.objects.get(code="other"),
        responsible_department="accounts_receivable")
    done = 0
    small = Dispute.objects.filter(kind="deduction", status__in=["new", "in_review"]).order_by("amount", "pk")
    for dispute in small[:20]:
        if done >= AUTO_RESOLVED:
            break
        try:
            services.auto_resolve(dispute=dispute, rule=rule, today=ctx.plan.today)
            done += 1
        except DomainError:
            continue  # not this one: the rule names why (amount in the company currency, the customer's record)


def _corrective_actions(manager: User, ctx: DemoContext) -> None:
    today = ctx.plan.today
    for code, title, department, status, days in (
            ("shipping_error", "Photograph every pallet before it leaves the dock", "logistics", "in_place", 150),
            ("pricing_error", "Pricing checks each new price list before it is released", "pricing", "in_place", 90),
            ("order_entry", "Order entry refuses an order without the customer's PO", "billing", "planned", -14)):
        services.record_corrective_action(
            root_cause=RootCause.objects.get(code=code), title=title, department=department, status=status,
            effective_from=today - timedelta(days=days), owner=manager, by=manager,
            description="Agreed in the monthly dispute review.")


def add(ctx: DemoContext, live_disputes: list[int], analyst_of: Any) -> None:
    """Documents and escalations on the live disputes; rules and corrective actions from the first manager."""
    open_ones = list(Dispute.objects.filter(pk__in=live_disputes).select_related("customer").order_by("pk"))
    _documents(open_ones[:8], analyst_of)
    manager_pk = next(iter(ctx.staffing.managers.values()), 0)
    manager = User.objects.filter(pk=manager_pk).first()
    if manager is None:
        return
    escalate = [d for d in open_ones if d.is_open and d.status in ("in_review", "waiting_on_internal")]
    _escalations(escalate, manager)
    _rules(manager, ctx)
    _corrective_actions(manager, ctx)
