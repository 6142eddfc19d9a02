"""The ledger: invoices, credit memos, payments, applications, write-offs, FX rates.

An invoice's open amount follows from its entries:

    open = amount - erp_settled_amount - Σ applications - Σ write-offs

`open_amount` on the invoice and `unapplied_amount` on payments and credit
memos are caches kept by the same transaction that books an entry;
`ardesk ledger verify` recomputes them from the entries. Entries are never
deleted: an application or write-off is undone by a reversing entry with the
opposite sign, dated, so any past date can be rebuilt.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ardesk.money import DECIMAL_PLACES, MAX_DIGITS


def money_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)  # type: ignore[arg-type]


class Source(models.TextChoices):
    MANUAL = "manual", "Entered in ardesk"
    IMPORT = "import", "ERP import"
    API = "api", "API"
    DEMO = "demo", "Demo data"


class Invoice(models.Model):
    # Unique through a constraint, not `unique=True`: that would add a second, pattern-ops index for LIKE
    # searches nobody makes, and every index costs each import.
    number = models.CharField(max_length=40)
    # No index of its own: invoice_customer_due_idx leads with the customer (one index less to keep on import).
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="invoices",
                                 db_index=False)
    issue_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3)
    amount = money_field()
    tax_amount = money_field(default=Decimal(0))
    # Settled in the ERP before ardesk took the invoice over (an import's `open_amount`).
    erp_settled_amount = money_field(default=Decimal(0))
    erp_settled_on = models.DateField(null=True, blank=True)
    open_amount = money_field()  # cache, see module docstring
    disputed_amount = money_field(default=Decimal(0))  # cache kept by disputes
    po_number = models.CharField(max_length=60, blank=True)
    sales_rep = models.CharField(max_length=100, blank=True)
    description = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["customer", "due_date"], name="invoice_customer_due_idx"),
            # Open invoices per customer are read through insights_open_invoice_aging_idx (a covering
            # partial index on customer, currency, due date); a second partial index only slowed imports.
            models.Index(fields=["po_number"], name="invoice_po_idx"),
            models.Index(fields=["issue_date"], name="invoice_issue_idx"),  # the API lists invoices in issue order
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="invoice_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
            models.CheckConstraint(condition=Q(open_amount__gte=0), name="invoice_not_over_settled"),
            models.CheckConstraint(condition=Q(open_amount__lte=F("amount")), name="invoice_open_within_amount"),
            models.CheckConstraint(condition=Q(erp_settled_amount__gte=0) & Q(erp_settled_amount__lte=F("amount")),
                                   name="invoice_erp_settled_within_amount"),
            models.CheckConstraint(condition=Q(disputed_amount__gte=0), name="invoice_disputed_not_negative"),
            models.CheckConstraint(condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def collectible_amount(self) -> Decimal:
        """What a collector may chase: the open amount less money under open dispute."""
        # A dispute can exceed what is open after a partial credit memo.
        return max(self.open_amount - self.disputed_amount, Decimal(0))


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    sku = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=4)
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)
    tax_amount = money_field(default=Decimal(0))
    amount = money_field()  # net line amount, quantity × unit price rounded to the currency

    class Meta:
        ordering = ["invoice_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="invoice_line_unique_no"),
        ]
        indexes = [models.Index(fields=["sku"], name="invoice_line_sku_idx")]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.line_no}"


class CreditMemo(models.Model):
    number = models.CharField(max_length=40, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_memos")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_memos"
    )
    issue_date = models.DateField()
    currency = models.CharField(max_length=3)
    amount = money_field()
    unapplied_amount = money_field()  # cache
    reason = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issue_date", "pk"]
        indexes = [models.Index(fields=["customer", "issue_date"], name="credit_memo_customer_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_memo_amount_positive"),
            models.CheckConstraint(condition=Q(unapplied_amount__gte=0) & Q(unapplied_amount__lte=F("amount")),
                                   name="credit_memo_not_over_applied"),
        ]

    def __str__(self) -> str:
        return self.number


class PaymentMethod(models.TextChoices):
    WIRE = "wire", "Wire transfer"
    SEPA = "sepa", "SEPA credit transfer"
    ACH = "ach", "ACH"
    CHECK = "check", "Cheque"
    CARD = "card", "Card"
    DIRECT_DEBIT = "direct_debit", "Direct debit"
    OTHER = "other", "Other"


class Payment(models.Model):
    number = models.CharField(max_length=60, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField()
    currency = models.CharField(max_length=3)
    amount = money_field()
    unapplied_amount = money_field()  # cache; what is left is on-account cash
    method = models.CharField(max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.WIRE)
    bank_reference = models.CharField(max_length=140, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "pk"]
        indexes = [
            models.Index(fields=["customer", "received_on"], name="payment_customer_idx"),
            models.Index(fields=["customer"], condition=Q(unapplied_amount__gt=0), name="payment_unapplied_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(unapplied_amount__gte=0) & Q(unapplied_amount__lte=F("amount")),
                                   name="payment_not_over_applied"),
        ]

    def __str__(self) -> str:
        return self.number


class Application(models.Model):
    """Money of one payment or credit memo applied to one invoice. A reversal is a negative twin."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    credit_memo = models.ForeignKey(
        CreditMemo, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="applications")
    amount = money_field()
    applied_on = models.DateField()
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["applied_on", "pk"]
        indexes = [
            models.Index(fields=["invoice", "applied_on"], name="application_invoice_idx"),
            models.Index(fields=["applied_on"], name="application_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_memo__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_memo__isnull=False)),
                name="application_one_source",
            ),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="application_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_number} → {self.invoice_id}: {self.amount}"

    @property
    def source_number(self) -> str:
        return self.payment.number if self.payment_id else self.credit_memo.number  # type: ignore[union-attr]


class WriteOff(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="write_offs")
    amount = money_field()
    written_off_on = models.DateField()
    reason_code = models.CharField(max_length=40)
    reason = models.CharField(max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written_off_on", "pk"]
        indexes = [models.Index(fields=["invoice", "written_off_on"], name="write_off_invoice_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="write_off_sign_matches_kind",
            ),
            models.CheckConstraint(condition=~Q(reason_code=""), name="write_off_has_reason"),
        ]

    def __str__(self) -> str:
        return f"write-off {self.amount} on {self.invoice_id}"


class FxRate(models.Model):
    """Units of the company currency for one unit of `currency`, on `rate_date`."""

    currency = models.CharField(max_length=3)
    rate_date = models.DateField()
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["currency", "-rate_date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "rate_date"], name="fx_rate_unique_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_date}: {self.rate}"
