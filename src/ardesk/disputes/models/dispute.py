"""A dispute, the invoice money it holds back, and the ledger entries that settled it.

While a dispute is open, each item's outstanding amount (disputed less already accepted) is
segregated on its invoice: `Invoice.disputed_amount` is their sum, kept by the same transaction
that moves it (ardesk.disputes.services.segregation), so the collectible amount is right at once.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ardesk.disputes.models.catalogue import Department
from ardesk.disputes.rules import Settlement
from ardesk.disputes.workflow import OPEN_STATES, Outcome, Status
from ardesk.ledger.models import money_field

_OPEN = sorted(s.value for s in OPEN_STATES)  # sorted: index conditions must not change between runs
_SETTLED = [Status.RESOLVED.value, Status.CLOSED.value]


class Kind(models.TextChoices):
    INVOICE = "invoice", "Whole invoice"
    LINES = "lines", "Invoice lines"
    ACCOUNT = "account", "Account"
    DEDUCTION = "deduction", "Deduction"


class Channel(models.TextChoices):
    MANUAL = "manual", "Entered by staff"
    PORTAL = "portal", "Customer portal"
    EMAIL = "email", "E-mail"
    API = "api", "API"
    CASH_APPLICATION = "cash_application", "Cash application"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class Dispute(models.Model):
    number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="disputes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.MANUAL)
    status = models.CharField(max_length=24, choices=[(s.value, s.label) for s in Status], default=Status.NEW.value)
    outcome = models.CharField(max_length=16, choices=[(o.value, o.label) for o in Outcome], blank=True)
    settlement = models.CharField(max_length=12, choices=[(s.value, s.value.replace("_", " ")) for s in Settlement],
                                  blank=True)
    reason_code = models.ForeignKey("disputes.ReasonCode", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="disputes")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_disputes")
    department = models.CharField(max_length=30, choices=Department.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # The highest level the dispute was escalated to ("" = not escalated); kept by the escalation service
    # beside its Escalation rows so the queue can filter without a join.
    escalation_level = models.CharField(max_length=10, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    sla_due = models.DateField()
    currency = models.CharField(max_length=3)
    amount = money_field()  # Σ item amounts, fixed when raised
    accepted_amount = money_field(default=Decimal(0))  # Σ item accepted amounts, across every resolution
    description = models.TextField(blank=True)  # the customer's own words
    root_cause = models.ForeignKey("disputes.RootCause", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="disputes")
    responsible_department = models.CharField(max_length=30, choices=Department.choices, blank=True)
    suggested_reason = models.ForeignKey("disputes.ReasonCode", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    suggestion_confidence = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    suggestion_source = models.CharField(max_length=10, blank=True)
    payment = models.ForeignKey("ledger.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deductions")
    rebill_invoice = models.ForeignKey("ledger.Invoice", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="rebilled_from")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    version = models.PositiveIntegerField(default=1)
    raised_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "sla_due"], name="dispute_status_sla_idx"),
            models.Index(fields=["customer", "status"], name="dispute_customer_status_idx"),
            models.Index(fields=["owner", "status"], name="dispute_owner_status_idx"),
            models.Index(fields=["department", "status"], name="dispute_department_status_idx"),
            # The queue at 100,000 disputes (ardesk.disputes.queue, benchmarks/bench_disputes.py): open disputes
            # in the default order, carrying what the summary and the scope/owner filters read (index-only);
            # the default order and the amount order over every status (deep pages, "all statuses by amount");
            # the amount and age sorts of open disputes (a full index would first walk the settled ones).
            models.Index(fields=["sla_due", "-priority", "id"], condition=Q(status__in=_OPEN),
                         include=["customer", "owner", "reason_code", "status", "currency", "amount",
                                  "accepted_amount"], name="dispute_open_queue_idx"),
            models.Index(fields=["sla_due", "-priority", "id"], name="dispute_sla_order_idx"),
            models.Index(F("amount") - F("accepted_amount"), F("id"), name="dispute_outstanding_idx"),
            models.Index(F("amount") - F("accepted_amount"), F("id"), condition=Q(status__in=_OPEN),
                         name="dispute_open_outstanding_idx"),
            models.Index(fields=["raised_on", "id"], condition=Q(status__in=_OPEN), name="dispute_open_age_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(condition=Q(accepted_amount__gte=0) & Q(accepted_amount__lte=F("amount")),
                                   name="dispute_accepted_within_amount"),
            models.CheckConstraint(condition=(Q(status__in=_SETTLED) & ~Q(outcome=""))
                                   | (~Q(status__in=_SETTLED) & Q(outcome="")),
                                   name="dispute_outcome_iff_resolved"),
            models.CheckConstraint(condition=~Q(status=Status.CLOSED.value) | (Q(root_cause__isnull=False)
                                                                         & ~Q(responsible_department="")),
                                   name="dispute_closed_has_root_cause"),
            models.CheckConstraint(condition=Q(kind=Kind.DEDUCTION, payment__isnull=False)
                                   | (~Q(kind=Kind.DEDUCTION) & Q(payment__isnull=True)),
                                   name="dispute_deduction_has_payment"),
            models.CheckConstraint(condition=Q(suggestion_confidence__isnull=True)
                                   | (Q(suggestion_confidence__gte=0) & Q(suggestion_confidence__lte=1)),
                                   name="dispute_confidence_is_a_share"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    @property
    def outstanding_amount(self) -> Decimal:
        """What is still in dispute: the amount less what resolutions already granted."""
        return self.amount - self.accepted_amount


class DisputeItem(models.Model):
    """Money of one invoice (or one of its lines) held in a dispute."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.PROTECT, related_name="dispute_items")
    invoice_line = models.ForeignKey("ledger.InvoiceLine", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="dispute_items")
    amount = money_field()
    accepted_amount = money_field(default=Decimal(0))
    # Line detail: the units the customer says are short, or the unit price they say was agreed.
    disputed_quantity = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    claimed_unit_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["dispute_id", "pk"]
        indexes = [models.Index(fields=["invoice", "dispute"], name="dispute_item_invoice_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_item_amount_positive"),
            models.CheckConstraint(condition=Q(accepted_amount__gte=0) & Q(accepted_amount__lte=F("amount")),
                                   name="dispute_item_accepted_within_amount"),
            models.CheckConstraint(condition=Q(disputed_quantity__isnull=True) | Q(disputed_quantity__gt=0),
                                   name="dispute_item_quantity_positive"),
            models.CheckConstraint(condition=Q(claimed_unit_price__isnull=True) | Q(claimed_unit_price__gte=0),
                                   name="dispute_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.amount} on invoice {self.invoice_id}"

    @property
    def outstanding_amount(self) -> Decimal:
        return self.amount - self.accepted_amount


class ItemSkuShare(models.Model):
    """One SKU's share of a dispute item, stored so the report by SKU sums a narrow table instead of splitting
    every disputed invoice over its lines at each request (ardesk.disputes.sku_split writes it).

    `weight` is the SKU's part of the item: its lines' gross over the invoice's, to 20 decimal places (outside
    0..1 when a discount line is negative); `first` marks one row per dispute and SKU, so a dispute counts once
    per SKU however many of its items carry it.
    """

    item = models.ForeignKey(DisputeItem, on_delete=models.CASCADE, related_name="sku_shares")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(max_length=60, blank=True)  # "" when the invoice has no lines or the line no SKU
    weight = models.DecimalField(max_digits=40, decimal_places=20)
    first = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "sku"], name="item_sku_share_unique"),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id}: {self.sku or '(no SKU)'} × {self.weight}"


class DisputeSettlement(models.Model):
    """The ledger entry that booked the accepted part of a dispute on one invoice."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="settlements")
    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.PROTECT, related_name="dispute_settlements")
    kind = models.CharField(max_length=12, choices=[(s.value, s.value.replace("_", " ")) for s in Settlement
                                                    if s is not Settlement.NONE])
    amount = money_field()  # the part granted to the customer on this invoice
    credit_memo = models.ForeignKey("ledger.CreditMemo", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="dispute_settlements")
    write_off = models.ForeignKey("ledger.WriteOff", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="dispute_settlements")
    new_invoice = models.ForeignKey("ledger.Invoice", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_settlement_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind=Settlement.CREDIT_MEMO.value, credit_memo__isnull=False, write_off__isnull=True,
                            new_invoice__isnull=True)
                | Q(kind=Settlement.WRITE_OFF.value, credit_memo__isnull=True, write_off__isnull=False,
                    new_invoice__isnull=True)
                | Q(kind=Settlement.REBILL.value, credit_memo__isnull=False, write_off__isnull=True,
                    new_invoice__isnull=False),
                name="dispute_settlement_entry_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on invoice {self.invoice_id}"
