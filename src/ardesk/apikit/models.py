"""The API's own tables: the first response given to each Idempotency-Key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """One POST made with an Idempotency-Key, and the response it got.

    The row is inserted before the handler runs, in the handler's transaction: a second request
    with the same key waits on the unique index, then replays the stored response instead of
    booking twice. Keys belong to a user, so two integrators may pick the same key.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
            models.CheckConstraint(condition=~Q(key=""), name="idempotency_key_present"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}] → {self.status_code}"
