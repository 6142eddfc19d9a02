"""The work around a dispute: comments (with @mentions), internal tasks, offers and counter-offers.

The timeline itself is the audit log (ardesk.audit.queries.history(dispute)): every service here
records its event against the dispute, so these tables hold only what the log does not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ardesk.disputes.models.catalogue import Department
from ardesk.disputes.models.dispute import Dispute
from ardesk.ledger.models import money_field


class Comment(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="dispute_comments")
    body = models.TextField()
    # Internal notes stay inside the company; the portal shows only comments marked otherwise.
    internal = models.BooleanField(default=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="dispute_mentions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute_id", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="dispute_comment_not_empty")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.dispute_id}"


class Task(models.Model):
    """Work another department owes the dispute (check the delivery note, confirm the price list …)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    department = models.CharField(max_length=30, choices=Department.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="dispute_tasks")
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    outcome_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done", "due_date", "pk"]
        indexes = [models.Index(fields=["department", "done", "due_date"], name="dispute_task_queue_idx"),
                   models.Index(fields=["assignee", "done"], name="dispute_task_assignee_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="dispute_task_titled"),
            models.CheckConstraint(condition=Q(done=True, done_at__isnull=False) | Q(done=False, done_at__isnull=True),
                                   name="dispute_task_done_has_time"),
        ]

    def __str__(self) -> str:
        return self.title


class OfferKind(models.TextChoices):
    OFFER = "offer", "Offer"
    COUNTER_OFFER = "counter_offer", "Counter-offer"


class Party(models.TextChoices):
    COMPANY = "company", "Our company"
    CUSTOMER = "customer", "The customer"


class Offer(models.Model):
    """A step of the negotiation: how much one side proposes to grant (company) or accept (customer)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(max_length=16, choices=OfferKind.choices)
    party = models.CharField(max_length=10, choices=Party.choices)
    amount = money_field()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute_id", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="dispute_offer_not_negative")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.amount} by {self.party}"
