"""Trained reason-code models, kept in the database so every web process and worker reads the same one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReasonModel(models.Model):
    """One training run. The newest row is the model in use; older rows stay for comparison."""

    payload = models.BinaryField()  # ardesk.disputes.classify.TextModel.to_bytes()
    # SHA-256 of the payload: what a process caches the loaded model under (a row id can be reused).
    digest = models.CharField(max_length=64, default="")
    examples = models.PositiveIntegerField()
    classes = models.JSONField(default=list)
    held_out = models.PositiveIntegerField(default=0)
    model_accuracy = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    keyword_accuracy = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(examples__gt=0), name="reason_model_has_examples")]

    def __str__(self) -> str:
        return f"reason model {self.pk} ({self.examples} examples)"
