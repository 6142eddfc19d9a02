"""Reads for escalation: a dispute's facts for the rules, the candidates a scheduled run looks at, the review
list and the SLA breach counts.

`candidates` and `auto_candidates` narrow 100,000 open disputes to the few a rule may act on in SQL (status,
age, SLA, segment, reason, repeat count, amount converted with today's rates, not already fired); the pure
module ardesk.disputes.escalation still decides for each one under its row lock, so a loose SQL filter can
only cost time, never a wrong action.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from ardesk.disputes import escalation as esc
from ardesk.disputes.models import (
    ApprovalRequest,
    ApprovalStatus,
    AutoResolution,
    AutoResolutionRule,
    Dispute,
    EscalationRule,
    RuleFiring,
)
from ardesk.disputes.queries import visible_disputes
from ardesk.disputes.workflow import OPEN_STATES, Outcome
from ardesk.ledger.models import FxRate
from ardesk.ledger.queries import NoFxRate, fx_rate
from ardesk.money import DECIMAL_PLACES, MAX_DIGITS, ZERO, convert

OPEN = [s.value for s in OPEN_STATES]
FIRED_VERB = "dispute.rule_fired"
_MONEY = DecimalField(max_digits=MAX_DIGITS + 10, decimal_places=DECIMAL_PLACES + 10)


def company_amount(amount: Decimal, currency: str, on: date) -> Decimal | None:
    """`amount` in the company currency at the rate of `on`; None when no rate is known."""
    company = settings.ARDESK_COMPANY_CURRENCY
    try:
        return amount if currency == company else convert(amount, fx_rate(currency, on, company), company)
    except NoFxRate:
        return None


def fired_rule_ids(dispute: Dispute) -> frozenset[int]:
    """Escalation rules that already fired on the dispute."""
    return frozenset(RuleFiring.objects.filter(dispute_id=dispute.pk).values_list("rule_id", flat=True))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def dispute_facts(dispute: Dispute, *, today: date) -> esc.DisputeFacts:
    """What the rules look at, read while the caller holds the dispute's row lock."""
    customer = dispute.customer
    repeat = Dispute.objects.filter(customer_id=customer.pk,
                                    raised_on__gt=today - timedelta(days=esc.REPEAT_WINDOW_DAYS)).count()
    rejected = Dispute.objects.filter(
        customer_id=customer.pk, outcome=Outcome.REJECTED.value,
        resolved_at__gte=_day_start(today - timedelta(days=esc.CLEAN_RECORD_DAYS))).count()
    return esc.DisputeFacts(
        age_days=(today - dispute.raised_on).days,
        company_amount=company_amount(dispute.outstanding_amount, dispute.currency, today),
        segment=customer.segment, reason_code=dispute.reason_code.code if dispute.reason_code else None,
        sla_breached=dispute.sla_due < today, repeat_count=repeat, kind=dispute.kind, priority=dispute.priority,
        level=dispute.escalation_level, is_open=dispute.is_open, rejected_last_year=rejected,
        fired=fired_rule_ids(dispute),
        has_auto_resolution=AutoResolution.objects.filter(dispute_id=dispute.pk).exists(),
        blocked=ApprovalRequest.objects.filter(dispute_id=dispute.pk, status=ApprovalStatus.PENDING).exists(),
    )


def month_used(rule: AutoResolutionRule, *, today: date) -> Decimal:
    """What the rule settled in the calendar month of `today` (company currency)."""
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    total = (AutoResolution.objects.filter(rule=rule, created_at__gte=_day_start(start),
                                           created_at__lt=_day_start(end))
             .aggregate(total=Sum("company_amount"))["total"])
    return total or ZERO


def _company_outstanding(today: date) -> Case:
    """(amount − accepted) × the latest rate on or before `today`, per currency; NULL without a rate."""
    company = settings.ARDESK_COMPANY_CURRENCY
    rates: dict[str, Decimal] = {company: Decimal(1)}
    for currency in Dispute.objects.filter(status__in=OPEN).exclude(currency=company).values_list(
            "currency", flat=True).distinct().order_by():
        rate = (FxRate.objects.filter(currency=currency, rate_date__lte=today).order_by("-rate_date")
                .values_list("rate", flat=True).first())
        if rate is not None:
            rates[currency] = rate
    outstanding = ExpressionWrapper(F("amount") - F("accepted_amount"), output_field=_MONEY)
    return Case(*[When(currency=c, then=outstanding * Value(r, output_field=_MONEY)) for c, r in rates.items()],
                default=None, output_field=_MONEY)


def _open(today: date) -> QuerySet[Dispute]:
    return Dispute.objects.filter(status__in=OPEN, raised_on__lte=today)


def _fired(rule_id: int) -> Exists:
    return Exists(RuleFiring.objects.filter(dispute_id=OuterRef("pk"), rule_id=rule_id))


def candidates(rule: EscalationRule, *, today: date) -> QuerySet[Dispute]:
    """Open disputes the rule may fire on today (a superset the pure module narrows)."""
    rows = _open(today)
    if rule.min_age_days is not None:
        rows = rows.filter(raised_on__lte=today - timedelta(days=rule.min_age_days))
    if rule.sla_breached:
        rows = rows.filter(sla_due__lt=today)
    if rule.segment:
        rows = rows.filter(customer__segment=rule.segment)
    if rule.reason_code_id is not None:
        rows = rows.filter(reason_code_id=rule.reason_code_id)
    if rule.min_repeat_count is not None:
        busy = (Dispute.objects.filter(raised_on__gt=today - timedelta(days=esc.REPEAT_WINDOW_DAYS))
                .values("customer_id").annotate(n=Count("pk")).filter(n__gte=rule.min_repeat_count)
                .values("customer_id"))
        rows = rows.filter(customer_id__in=busy)
    if rule.min_amount is not None:
        rows = rows.annotate(company=_company_outstanding(today)).filter(company__gte=rule.min_amount)
    return rows.exclude(_fired(rule.pk))


def auto_candidates(rule: AutoResolutionRule, *, today: date) -> QuerySet[Dispute]:
    """Open disputes the auto-resolution rule may settle (kind, reason, amount within the rule's maximum and what
    is left of its monthly cap, the customer's record, no write-off waiting; not settled by a rule before)."""
    room = min(rule.max_amount, rule.monthly_cap - month_used(rule, today=today))
    if room <= 0:
        return Dispute.objects.none()
    rows = _open(today).filter(kind=rule.kind, reason_code__isnull=False, auto_resolution__isnull=True)
    if rule.reason_code_id is not None:
        rows = rows.filter(reason_code_id=rule.reason_code_id)
    too_often_wrong = (Dispute.objects.filter(
        outcome=Outcome.REJECTED.value, resolved_at__gte=_day_start(today - timedelta(days=esc.CLEAN_RECORD_DAYS)))
        .values("customer_id").annotate(n=Count("pk")).filter(n__gt=rule.max_rejected_last_year).values("customer_id"))
    waiting = ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).values("dispute_id")
    rows = rows.exclude(customer_id__in=too_often_wrong).exclude(pk__in=waiting)
    return rows.annotate(company=_company_outstanding(today)).filter(company__gt=0, company__lte=room)


def manager_for(dispute: Dispute) -> Any:
    """The manager of the customer's team: who a dispute escalated to a manager goes to (None if none)."""
    team = dispute.customer.team
    manager = team.manager if team is not None else None
    return manager if manager is not None and manager.is_active else None


def visible_auto_resolutions(user: Any) -> QuerySet[AutoResolution]:
    """The review list: auto-resolved disputes of customers the user may see, newest first."""
    return (AutoResolution.objects.filter(dispute__in=visible_disputes(user))
            .select_related("dispute", "dispute__customer", "rule", "reviewed_by").order_by("-created_at", "-pk"))


def sla_breaches(user: Any, *, today: date) -> dict[str, list[dict[str, Any]]]:
    """Open disputes past their SLA date in the user's scope, counted by reason code and by owner."""
    breached = visible_disputes(user).filter(status__in=OPEN, sla_due__lt=today).order_by()
    by_reason = (breached.values(label=F("reason_code__label")).annotate(count=Count("pk"))
                 .order_by("-count", "label"))
    by_owner = (breached.values(label=F("owner__username")).annotate(count=Count("pk"))
                .order_by("-count", "label"))
    return {"by_reason": [{"label": r["label"] or "(no reason yet)", "count": r["count"]} for r in by_reason],
            "by_owner": [{"label": r["label"] or "(unowned)", "count": r["count"]} for r in by_owner]}


def escalations_of(dispute: Dispute) -> QuerySet[Any]:
    return dispute.escalations.select_related("rule", "escalated_to", "created_by").order_by("-created_at", "-pk")


def escalation_rules() -> QuerySet[EscalationRule]:
    return EscalationRule.objects.select_related("reason_code").order_by("-active", "position", "pk")


def auto_rules() -> QuerySet[AutoResolutionRule]:
    return (AutoResolutionRule.objects.select_related("reason_code", "root_cause", "approved_by")
            .order_by("-active", "name"))
