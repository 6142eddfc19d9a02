"""Writes to users, teams and API tokens, each audited.

Invariants kept here: at least one active administrator remains; nobody deactivates or demotes
themselves out of administration by accident; a team's manager is an AR manager or administrator;
a deactivated user's API tokens are revoked with them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from axes.utils import reset as reset_axes_attempts
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record, snapshot
from ardesk.errors import Conflict, DomainError
from ardesk.identity.models import ApiToken, Team, TokenScope, User
from ardesk.identity.roles import Role
from ardesk.money import to_decimal

TEAM_MANAGER_ROLES = frozenset({Role.AR_MANAGER, Role.ADMIN})


def check_password_strength(password: str, *, user: User | None = None) -> None:
    """Django's password validators (length 10, not common, not like the username) as a DomainError."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None


def _check_approval_limit(value: object) -> Decimal:
    limit = to_decimal(value, field="approval_limit")
    if limit < 0:
        raise DomainError("the approval limit cannot be negative", field="approval_limit")
    return limit.quantize(Decimal("0.001"))


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _check_admins_remain(user: User, *, losing_admin: bool) -> None:
    """Refuse a change that would leave no active administrator to undo it."""
    if not losing_admin or user.role != Role.ADMIN or not user.is_active:
        return
    others = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise Conflict("ardesk needs at least one active administrator", field="role")


@transaction.atomic
def create_team(*, name: str, manager: User | None = None, by: Any) -> Team:
    name = name.strip()
    if not name:
        raise DomainError("a team needs a name", field="name")
    if Team.objects.filter(name__iexact=name).exists():
        raise Conflict(f"team {name} already exists", field="name")
    if manager is not None and manager.role not in TEAM_MANAGER_ROLES:
        raise DomainError("a team's manager must be an AR manager or an administrator", field="manager")
    team = Team.objects.create(name=name, manager=manager)
    record(actor=by, verb="team.created", subject=team, after={"name": name, "manager": getattr(manager, "pk", None)})
    return team


@transaction.atomic
def set_team_manager(*, team: Team, manager: User | None, by: Any) -> Team:
    if manager is not None and (manager.role not in TEAM_MANAGER_ROLES or not manager.is_active):
        raise DomainError("a team's manager must be an active AR manager or administrator", field="manager")
    locked = Team.objects.select_for_update().get(pk=team.pk)
    before = {"manager": locked.manager_id}
    locked.manager = manager
    locked.save(update_fields=["manager"])
    record(actor=by, verb="team.manager_set", subject=locked, before=before, after={"manager": locked.manager_id})
    return locked


@transaction.atomic
def create_user(
    *, username: str, password: str | None, role: str, by: Any, email: str = "", first_name: str = "",
    last_name: str = "", team: Team | None = None, approval_limit: Decimal = Decimal(0),
    password_is_temporary: bool = False,
) -> User:
    """A new user. With `password_is_temporary` their first sign-in asks them to choose their own."""
    role = Role(role).value
    username = username.strip()
    if not username:
        raise DomainError("a user needs a username", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"user {username} already exists", field="username")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, role=role,
                team=team, approval_limit=_check_approval_limit(approval_limit), is_staff=role == Role.ADMIN,
                must_change_password=bool(password and password_is_temporary))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(actor=by, verb="user.created", subject=user,
           after={"username": username, "role": role, "team": getattr(team, "name", None),
                  "approval_limit": str(user.approval_limit), "temporary_password": user.must_change_password})
    return user


@transaction.atomic
def change_role(*, user: User, role: str, by: Any, reason: str = "") -> User:
    new_role = Role(role).value
    locked = _lock_user(user)
    if locked.role == new_role:
        return locked
    _check_admins_remain(locked, losing_admin=new_role != Role.ADMIN)
    before = snapshot(locked, ["role"])
    locked.role = new_role
    locked.is_staff = new_role == Role.ADMIN
    locked.save(update_fields=["role", "is_staff"])
    record(actor=by, verb="user.role_changed", subject=locked, before=before, after={"role": new_role}, reason=reason)
    return locked


@transaction.atomic
def change_team(*, user: User, team: Team | None, by: Any) -> User:
    locked = _lock_user(user)
    if locked.team_id == getattr(team, "pk", None):
        return locked
    before = {"team": getattr(locked.team, "name", None)}
    locked.team = team
    locked.save(update_fields=["team"])
    record(actor=by, verb="user.team_changed", subject=locked, before=before,
           after={"team": getattr(team, "name", None)})
    return locked


@transaction.atomic
def set_approval_limit(*, user: User, limit: Decimal, by: Any) -> User:
    """The largest write-off (company currency) the user may book without a manager's approval."""
    new_limit = _check_approval_limit(limit)
    locked = _lock_user(user)
    if locked.approval_limit == new_limit:
        return locked
    before = {"approval_limit": str(locked.approval_limit)}
    locked.approval_limit = new_limit
    locked.save(update_fields=["approval_limit"])
    record(actor=by, verb="user.approval_limit_set", subject=locked, before=before,
           after={"approval_limit": str(new_limit)})
    return locked


@transaction.atomic
def update_user(*, user: User, role: str, team: Team | None, approval_limit: Decimal, by: Any) -> User:
    """The administration form's save: all three changes land together or none does."""
    user = change_role(user=user, role=role, by=by)
    user = change_team(user=user, team=team, by=by)
    return set_approval_limit(user=user, limit=approval_limit, by=by)


@transaction.atomic
def deactivate_user(*, user: User, by: Any, reason: str = "") -> User:
    """Stop a user signing in (their open sessions end at their next request) and revoke their tokens."""
    locked = _lock_user(user)
    if getattr(by, "pk", None) == locked.pk:
        raise Conflict("you cannot deactivate yourself", field="user")
    if not locked.is_active:
        return locked
    _check_admins_remain(locked, losing_admin=True)
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    record(actor=by, verb="user.deactivated", subject=locked, before={"is_active": True},
           after={"is_active": False}, reason=reason)
    for token in ApiToken.objects.filter(user=locked, revoked_at__isnull=True):
        revoke_token(token=token, by=by, reason="user deactivated")
    return locked


@transaction.atomic
def reactivate_user(*, user: User, by: Any, reason: str = "") -> User:
    locked = _lock_user(user)
    if locked.is_active:
        return locked
    locked.is_active = True
    locked.save(update_fields=["is_active"])
    record(actor=by, verb="user.reactivated", subject=locked, before={"is_active": False},
           after={"is_active": True}, reason=reason)
    return locked


@transaction.atomic
def set_temporary_password(*, user: User, password: str, by: Any) -> User:
    """An administrator hands out a password the user must replace at their next sign-in."""
    locked = _lock_user(user)
    check_password_strength(password, user=locked)
    locked.set_password(password)
    locked.must_change_password = True
    locked.save(update_fields=["password", "must_change_password"])
    # Never the password itself: only that it changed and that it is temporary.
    record(actor=by, verb="user.temporary_password_set", subject=locked, after={"must_change_password": True})
    return locked


@transaction.atomic
def change_password(*, user: User, new_password: str, by: Any) -> User:
    """A user replaces their own password (the caller has checked the old one)."""
    locked = _lock_user(user)
    check_password_strength(new_password, user=locked)
    if locked.check_password(new_password):
        raise DomainError("choose a password different from the current one", field="new_password1")
    locked.set_password(new_password)
    locked.must_change_password = False
    locked.save(update_fields=["password", "must_change_password"])
    record(actor=by, verb="user.password_changed", subject=locked, after={"must_change_password": False})
    return locked


@transaction.atomic
def unlock_sign_in(*, user: User, by: Any) -> int:
    """Lift a django-axes lockout for this username (from every address). Returns the attempts cleared."""
    cleared = int(reset_axes_attempts(username=user.get_username()) or 0)
    record(actor=by, verb="user.sign_in_unlocked", subject=user, after={"attempts_cleared": cleared})
    return cleared


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
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("a token's expiry must be in the future", field="expires_at")
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(user=user, name=name, key_prefix=secret[:12], key_digest=ApiToken.digest(secret),
                                    scopes=sorted(set(scopes)), expires_at=expires_at)
    record(actor=by, verb="api_token.issued", subject=token,
           after={"user": user.username, "name": name, "scopes": token.scopes, "prefix": token.key_prefix,
                  "expires_at": expires_at.isoformat() if expires_at else None})
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
