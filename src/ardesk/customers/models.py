"""Customers (with parent groups) and their contacts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ardesk.money import DECIMAL_PLACES, MAX_DIGITS


class Customer(models.Model):
    number = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    country = models.CharField(max_length=2, blank=True)
    currency = models.CharField(max_length=3)
    language = models.CharField(max_length=12, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    payment_terms_days = models.PositiveIntegerField(default=30)
    credit_limit = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=Decimal(0))
    segment = models.CharField(max_length=40, blank=True)
    risk_class = models.CharField(max_length=10, blank=True)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="portfolio"
    )
    team = models.ForeignKey(
        "identity.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    do_not_contact = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        indexes = [
            models.Index(fields=["name"], name="customer_name_idx"),
            models.Index(fields=["collector", "number"], name="customer_collector_idx"),
            models.Index(fields=["team", "number"], name="customer_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="customer_credit_limit_not_negative"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="customer_not_own_parent"),
            models.CheckConstraint(condition=~Q(number=""), name="customer_number_present"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ContactRole(models.TextChoices):
    BILLING = "billing", "Billing"
    ACCOUNTS_PAYABLE = "accounts_payable", "Accounts payable"
    PURCHASING = "purchasing", "Purchasing"
    MANAGEMENT = "management", "Management"
    LEGAL = "legal", "Legal"
    OTHER = "other", "Other"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    PORTAL = "portal", "Portal"


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)
    role = models.CharField(max_length=20, choices=ContactRole.choices, default=ContactRole.BILLING)
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    is_primary = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["customer_id", "-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "email"], name="contact_unique_email_per_customer"),
        ]
        indexes = [models.Index(fields=["email"], name="contact_email_idx")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
