"""The catalogues a company tunes: reason codes (with their department, SLA and keywords) and root causes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Department(models.TextChoices):
    SALES = "sales", "Sales"
    LOGISTICS = "logistics", "Logistics"
    BILLING = "billing", "Billing"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    QUALITY = "quality", "Quality"
    TAX = "tax", "Tax"
    TRADE_MARKETING = "trade_marketing", "Trade marketing"
    ACCOUNTS_RECEIVABLE = "accounts_receivable", "Accounts receivable"
    PRICING = "pricing", "Pricing"
    LEGAL = "legal", "Legal"


class ReasonCode(models.Model):
    """Why a customer disputes. Routes the dispute (department), sets its clock (SLA) and feeds the suggester."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    default_department = models.CharField(max_length=30, choices=Department.choices)
    sla_days = models.PositiveIntegerField()
    # Words and phrases (one a line) that point at this reason in a customer's description.
    keywords = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code="") & ~Q(label=""), name="reason_code_named"),
            models.CheckConstraint(condition=Q(sla_days__lte=365), name="reason_code_sla_within_a_year"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class RootCause(models.Model):
    """What really went wrong, found when a dispute is closed: the figure that prevents the next one."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.CheckConstraint(condition=~Q(code="") & ~Q(label=""), name="root_cause_named")]

    def __str__(self) -> str:
        return self.label
