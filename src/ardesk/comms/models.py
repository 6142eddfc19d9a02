"""Mail kept with disputes: every message sent to a customer's contact and every mail received.

A sent message carries our own Message-ID and a "[DSP-…]" tag in its subject, so a reply finds its
dispute again; a received one keeps its raw file (settings.ARDESK_FILES_DIR / "mail") and, when it
could not be matched, the reason in words for the analyst who files it by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Direction(models.TextChoices):
    IN = "in", "Received"
    OUT = "out", "Sent"


class MessageStatus(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed to send"
    RECEIVED = "received", "Received (raised a dispute)"
    THREADED = "threaded", "Received (threaded into a dispute)"
    UNMATCHED = "unmatched", "Received (not matched)"


OUTBOUND = [MessageStatus.SENT.value, MessageStatus.FAILED.value]
INBOUND = [MessageStatus.RECEIVED.value, MessageStatus.THREADED.value, MessageStatus.UNMATCHED.value]


class Message(models.Model):
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    dispute = models.ForeignKey("disputes.Dispute", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="messages")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="messages")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="messages")
    from_address = models.CharField(max_length=320)
    to_addresses = models.TextField(blank=True)  # comma-separated, as in the header
    cc_addresses = models.TextField(blank=True)
    subject = models.CharField(max_length=998)  # RFC 5322's line limit
    body = models.TextField(blank=True)  # plain text; an HTML-only mail is kept as its text
    message_id = models.CharField(max_length=998, unique=True)  # with angle brackets, as in the header
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    error = models.TextField(blank=True)  # why sending failed
    note = models.TextField(blank=True)  # why a mail was not matched; attachments that were refused
    template_code = models.CharField(max_length=40, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    source = models.CharField(max_length=100, blank=True)  # where an inbound mail came from: file, imap, api
    raw_file = models.CharField(max_length=200, blank=True)  # relative to ARDESK_FILES_DIR
    attachment_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["dispute", "created_at"], name="message_dispute_idx"),
            models.Index(fields=["status", "created_at"], name="message_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(direction=Direction.OUT, status__in=OUTBOUND)
                                   | Q(direction=Direction.IN, status__in=INBOUND),
                                   name="message_status_fits_direction"),
            # Only an unmatched mail may stand without a dispute; we never send outside one.
            models.CheckConstraint(condition=Q(dispute__isnull=False) | Q(status=MessageStatus.UNMATCHED),
                                   name="message_has_dispute_unless_unmatched"),
            models.CheckConstraint(condition=~Q(status=MessageStatus.UNMATCHED) | ~Q(note=""),
                                   name="message_unmatched_says_why"),
            models.CheckConstraint(condition=~Q(status=MessageStatus.FAILED) | ~Q(error=""),
                                   name="message_failed_says_why"),
            models.CheckConstraint(condition=~Q(message_id=""), name="message_id_present"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.subject[:60]}"

    @property
    def is_inbound(self) -> bool:
        return self.direction == Direction.IN


class MessageTemplate(models.Model):
    """A message managers word once: subject and body are Django template text, rendered per dispute."""

    code = models.CharField(max_length=40)
    language = models.CharField(max_length=12, default="en")
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="message_template_once_per_language"),
            models.CheckConstraint(condition=~Q(code="") & ~Q(subject="") & ~Q(body=""),
                                   name="message_template_complete"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.language})"
