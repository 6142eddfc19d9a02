"""Writes to users, teams and API tokens, each audited."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.errors import DomainError
from ardesk.identity.models import ApiToken, Team, TokenScope, User
from ardesk.identity.roles import Role


@transaction.atomic
def create_team(*, name: str, manager: User | None = None, by: Any) -> Team:
    team = Team.objects.create(name=name, manager=manager)
    record(actor=by, verb="team.created", subject=team, after={"name": name, "manager": getattr(manager, "pk", None)})
    return team


@transaction.atomic
def create_user(
    *, username: str, password: str | None, role: str, by: Any, email: str = "", first_name: str = "",
    last_name: str = "", team: Team | None = None, approval_limit: Decimal = Decimal(0),
) -> User:
    role = Role(role).value
    if User.objects.filter(username=username).exists():
        raise DomainError(f"user {username} already exists", field="username")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, role=role,
                team=team, approval_limit=approval_limit, is_staff=role == Role.ADMIN)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(actor=by, verb="user.created", subject=user,
           after={"username": username, "role": role, "team": getattr(team, "name", None)})
    return user


@transaction.atomic
def issue_token(*, user: User, name: str, scopes: list[str], expires_at: datetime | None = None,
                by: Any) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the row and the secret, which is never stored or shown again."""
    valid = {s.value for s in TokenScope}
    unknown = [s for s in scopes if s not in valid]
    if unknown or not scopes:
        raise DomainError(f"token scopes must be among {sorted(valid)}", field="scopes")
    if not name.strip():
        raise DomainError("a token needs a name", field="name")
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(user=user, name=name, key_prefix=secret[:12], key_digest=ApiToken.digest(secret),
                                    scopes=sorted(set(scopes)), expires_at=expires_at)
    record(actor=by, verb="api_token.issued", subject=token,
           after={"user": user.username, "name": name, "scopes": token.scopes, "prefix": token.key_prefix})
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken, by: Any, reason: str = "") -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record(actor=by, verb="api_token.revoked", subject=locked, after={"prefix": locked.key_prefix},
               reason=reason)
    return locked


def authenticate_token(secret: str) -> ApiToken | None:
    """The live token behind a secret, or None. Marks when it was last used."""
    token = ApiToken.objects.select_related("user").filter(key_digest=ApiToken.digest(secret)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
