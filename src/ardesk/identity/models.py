"""Users, teams and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ardesk.identity.roles import Permission, Role, may, needs_mfa


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        "identity.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in Role], default=Role.COLLECTOR)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    # The largest write-off this user may book without a manager's approval.
    approval_limit = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0))
    # Set when an administrator hands out a temporary password: the next sign-in must replace it.
    must_change_password = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(condition=Q(approval_limit__gte=0), name="user_approval_limit_not_negative"),
        ]

    def may(self, permission: Permission) -> bool:
        return self.is_active and may(self.role, permission)

    @property
    def needs_mfa(self) -> bool:
        return needs_mfa(self.role)

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    IMPORT = "import", "Import"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the secret is shown once."""

    PREFIX = "ardk_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=16, db_index=True)
    key_digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="api_token_named")]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def digest(secret: str) -> str:
        return _digest(secret)

    def is_usable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)
