"""A write-off above the requester's approval limit waits here for someone else with a higher limit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ardesk.disputes.models.dispute import Dispute
from ardesk.disputes.workflow import Outcome
from ardesk.ledger.models import money_field


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ApprovalRequest(models.Model):
    """The resolution the requester asked for, booked exactly as asked when approved."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="approval_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    outcome = models.CharField(max_length=16, choices=[(o.value, o.label) for o in Outcome])
    amount = money_field()  # the write-off asked for, in the dispute's currency
    # Where it was asked for, when per item: item id → amount (strings, exact); null: spread pro rata.
    item_amounts = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="approval_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="approval_amount_positive"),
            # Segregation of duties, in the table itself: nobody approves their own request.
            models.CheckConstraint(condition=~Q(approver=F("requested_by")), name="approval_not_by_requester"),
            models.CheckConstraint(
                condition=Q(status=ApprovalStatus.PENDING, approver__isnull=True, decided_at__isnull=True)
                | (~Q(status=ApprovalStatus.PENDING) & Q(approver__isnull=False, decided_at__isnull=False)),
                name="approval_decided_has_approver",
            ),
            models.UniqueConstraint(fields=["dispute"], condition=Q(status=ApprovalStatus.PENDING),
                                    name="approval_one_pending_per_dispute"),
        ]

    def __str__(self) -> str:
        return f"write-off {self.amount} on {self.dispute_id}: {self.status}"
