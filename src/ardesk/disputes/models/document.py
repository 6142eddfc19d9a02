"""Proof kept with a dispute: delivery notes, orders, contracts, photos, the customer's own mail attachments.

The bytes live outside the web root (settings.ARDESK_FILES_DIR) under a name ardesk chose; this row
holds what a page needs to list and serve them only to users who may see the dispute.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ardesk.disputes.models.dispute import Dispute


class DocumentKind(models.TextChoices):
    PROOF_OF_DELIVERY = "proof_of_delivery", "Proof of delivery"
    PURCHASE_ORDER = "purchase_order", "Purchase order"
    CONTRACT = "contract", "Contract or price agreement"
    PHOTO = "photo", "Photo"
    INVOICE_COPY = "invoice_copy", "Invoice copy"
    CORRESPONDENCE = "correspondence", "Correspondence"
    OTHER = "other", "Other"


class DocumentSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded"
    EMAIL = "email", "E-mail attachment"
    API = "api", "API"


class Document(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    filename = models.CharField(max_length=200)  # the sender's name for it, cleaned for display and download
    content_type = models.CharField(max_length=100)  # what the bytes are, found by reading them
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=120, unique=True)  # relative to ARDESK_FILES_DIR
    source = models.CharField(max_length=10, choices=DocumentSource.choices, default=DocumentSource.UPLOAD)
    note = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dispute_id", "created_at", "pk"]
        constraints = [
            # The same file attached twice to one dispute is one document: uploading again changes nothing.
            models.UniqueConstraint(fields=["dispute", "sha256"], name="dispute_document_once"),
            models.CheckConstraint(condition=~Q(filename="") & ~Q(storage_name=""), name="dispute_document_named"),
            models.CheckConstraint(condition=Q(size__gt=0), name="dispute_document_not_empty"),
        ]

    def __str__(self) -> str:
        return self.filename
