"""The rules managers set so no dispute sits unseen: escalate, raise priority, notify, or settle a small one.

A rule's conditions are all optional and all given must hold; the pure module
ardesk.disputes.escalation decides, these tables only keep what managers configured and what rules did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ardesk.disputes.models.catalogue import Department, ReasonCode, RootCause
from ardesk.disputes.models.dispute import Dispute, Kind, Priority
from ardesk.ledger.models import money_field


class EscalationLevel(models.TextChoices):
    MANAGER = "manager", "AR manager"
    LEGAL = "legal", "Legal"


class EscalationRule(models.Model):
    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    # Conditions (empty = any).
    min_age_days = models.PositiveIntegerField(null=True, blank=True)
    min_amount = money_field(null=True, blank=True)  # in the company currency
    segment = models.CharField(max_length=40, blank=True)
    reason_code = models.ForeignKey(ReasonCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sla_breached = models.BooleanField(default=False)  # only disputes past their SLA date
    min_repeat_count = models.PositiveIntegerField(null=True, blank=True)  # the customer's disputes in 90 days
    # Actions.
    escalate_to = models.CharField(max_length=10, choices=EscalationLevel.choices, blank=True)
    raise_priority_to = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    notify = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(escalate_to="") | Q(raise_priority_to__isnull=False) | Q(notify=True),
                                   name="escalation_rule_does_something"),
            models.CheckConstraint(condition=Q(min_amount__isnull=True) | Q(min_amount__gte=0),
                                   name="escalation_rule_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """That an escalation rule acted on a dispute, which it does once: what the rule engine reads to skip it
    (the audit event `dispute.rule_fired` tells people the same, with what the rule did)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="+")
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dispute", "rule"], name="rule_fires_once_per_dispute")]

    def __str__(self) -> str:
        return f"rule {self.rule_id} on dispute {self.dispute_id}"


class Escalation(models.Model):
    """One time a dispute was escalated, by a rule or by hand: the queue shows the latest."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="escalations")
    rule = models.ForeignKey(EscalationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    level = models.CharField(max_length=10, choices=EscalationLevel.choices)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="dispute_escalations")
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute_id", "created_at", "pk"]
        constraints = [
            # A rule escalates a dispute to a level once; reopening and breaching again is a new dispute state,
            # not a new rule firing.
            models.UniqueConstraint(fields=["dispute", "rule", "level"], condition=Q(rule__isnull=False),
                                    name="escalation_rule_fires_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} to {self.level}"


class AutoResolutionRule(models.Model):
    """What is not worth an analyst's time: settle it by itself, within limits a manager set, and list it."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DEDUCTION)
    max_amount = money_field()  # per dispute, in the company currency
    reason_code = models.ForeignKey(ReasonCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A clean record: at most this many of the customer's disputes rejected in the last 365 days.
    max_rejected_last_year = models.PositiveIntegerField(default=0)
    root_cause = models.ForeignKey(RootCause, on_delete=models.PROTECT, related_name="+")
    responsible_department = models.CharField(max_length=30, choices=Department.choices)
    # A ceiling on what the rule may write off in one calendar month, across disputes.
    monthly_cap = money_field()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_amount__gt=0) & Q(monthly_cap__gt=0),
                                   name="auto_rule_limits_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class AutoResolution(models.Model):
    """A dispute a rule settled: kept for a manager to review."""

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="auto_resolution")
    rule = models.ForeignKey(AutoResolutionRule, on_delete=models.PROTECT, related_name="resolutions")
    amount = money_field()  # in the dispute's currency
    company_amount = money_field()  # in the company currency, counted against the monthly cap
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="auto_resolution_amount_positive"),
            models.CheckConstraint(condition=Q(reviewed_by__isnull=True, reviewed_at__isnull=True)
                                   | Q(reviewed_at__isnull=False), name="auto_resolution_review_dated"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} by {self.rule_id}"
