"""Import batches: one row for each import that changed something, with its file and its counts.

An import that changes nothing (every row already matched) or that is
rejected writes no batch: it left no trace in the data, so it leaves none here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ardesk.imports.report import Kind


class BatchStatus(models.TextChoices):
    RUNNING = "running", "Running"  # only ever seen inside the import's own transaction
    APPLIED = "applied", "Applied"


class ImportBatch(models.Model):
    kind = models.CharField(max_length=20, choices=[(k.value, k.value) for k in Kind])
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="import_batches")
    by_label = models.CharField(max_length=150)
    engine = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="import_batch_kind_idx"),
                   models.Index(fields=["sha256"], name="import_batch_sha_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(rows=models.F("created") + models.F("updated")
                                               + models.F("unchanged") + models.F("rejected"))
                                   | Q(status=BatchStatus.RUNNING), name="import_batch_counts_add_up"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"
