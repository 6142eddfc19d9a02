"""What the company does so a root cause stops costing money, and notes handed to sales."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ardesk.disputes.models.catalogue import Department, RootCause
from ardesk.disputes.models.dispute import Dispute


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PLACE = "in_place", "In place"
    DROPPED = "dropped", "Dropped"


class CorrectiveAction(models.Model):
    """A fix for a root cause. `effective_from` splits its disputes into before and after, to see if it worked."""

    root_cause = models.ForeignKey(RootCause, on_delete=models.PROTECT, related_name="corrective_actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    department = models.CharField(max_length=30, choices=Department.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    effective_from = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["root_cause_id", "-effective_from", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="corrective_action_titled")]

    def __str__(self) -> str:
        return self.title


class SalesNote(models.Model):
    """A sales opportunity found in a dispute (another product, other terms), handed to the account's rep."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sales_notes")
    sales_rep = models.CharField(max_length=100)  # the rep named on the disputed invoices
    sent_to = models.EmailField(blank=True)  # where the note was mailed, when the rep's address is known
    body = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(body="") & ~Q(sales_rep=""), name="sales_note_complete")]

    def __str__(self) -> str:
        return f"note to {self.sales_rep} on {self.dispute_id}"
