"""`ardesk users …`: create and list users, issue and revoke API tokens, reset a second factor.

Every change goes through identity's services and is audited with the actor "cli:<os user>".
"""

from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date

from ardesk.audit.services import SystemActor
from ardesk.errors import DomainError
from ardesk.identity import mfa, services
from ardesk.identity.models import Team, User
from ardesk.identity.queries import find_tokens_by_prefix, users_for_administration
from ardesk.identity.roles import Role
from ardesk.money import to_decimal

PASSWORD_ENV = "ARDESK_PASSWORD"  # noqa: S105 (the name of a variable, not a password)


def _cli_actor() -> SystemActor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return SystemActor(f"cli:{who}")


class Command(BaseCommand):
    help = "Users and their API tokens: create, list, token, revoke-token, mfa-reset."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        create = actions.add_parser("create", help="create a user")
        create.add_argument("--username", required=True)
        create.add_argument("--role", required=True, choices=[r.value for r in Role])
        create.add_argument("--team", help="team name (created if it does not exist)")
        create.add_argument("--email", default="")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--approval-limit", default="0")
        create.add_argument("--password", help=f"else ${PASSWORD_ENV}, else asked on the terminal")
        create.add_argument("--temporary", action="store_true", help="the user must change it at first sign-in")

        listing = actions.add_parser("list", help="list users")
        listing.add_argument("--all", action="store_true", help="include deactivated users")
        listing.add_argument("--role", choices=[r.value for r in Role])

        token = actions.add_parser("token", help="issue a personal API token (prints the secret once)")
        token.add_argument("username")
        token.add_argument("--name", required=True)
        token.add_argument("--scopes", default="read", help="comma-separated: read,write,import")
        token.add_argument("--expires", help="last valid day, YYYY-MM-DD")

        revoke = actions.add_parser("revoke-token", help="revoke the token whose secret starts with PREFIX")
        revoke.add_argument("prefix")

        reset = actions.add_parser("mfa-reset", help="remove a user's authenticator (they enrol again)")
        reset.add_argument("username")
        reset.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "create": self._create, "list": self._list, "token": self._token,
            "revoke-token": self._revoke, "mfa-reset": self._mfa_reset,
        }[options["action"]]
        try:
            handler(options)
        except DomainError as exc:
            raise CommandError(f"{exc.field or 'error'}: {exc.message}") from None

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        return user

    def _password(self, options: dict[str, Any]) -> str:
        password = options.get("password") or os.environ.get(PASSWORD_ENV)
        if password:
            return str(password)
        if not sys.stdin.isatty():
            raise CommandError(f"no password: pass --password, set ${PASSWORD_ENV}, or run on a terminal")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def _create(self, options: dict[str, Any]) -> None:
        by = _cli_actor()
        password = self._password(options)
        probe = User(username=options["username"], email=options["email"])
        services.check_password_strength(password, user=probe)
        team = None
        if options.get("team"):
            team = Team.objects.filter(name__iexact=options["team"]).first()
            if team is None:
                team = services.create_team(name=options["team"], by=by)
                self.stdout.write(f"created team {team.name}")
        user = services.create_user(
            username=options["username"], password=password, role=options["role"], email=options["email"],
            first_name=options["first_name"], last_name=options["last_name"], team=team,
            approval_limit=to_decimal(options["approval_limit"] or "0", field="approval_limit"),
            password_is_temporary=options["temporary"], by=by)
        self.stdout.write(f"created {user.username} ({user.role_label}{', team ' + team.name if team else ''})")
        if user.needs_mfa:
            self.stdout.write("this role signs in with a second factor: they set it up at first sign-in")

    def _list(self, options: dict[str, Any]) -> None:
        users = users_for_administration(role=options.get("role") or "", status="all" if options["all"] else "active")
        header = f"{'username':<20} {'role':<24} {'team':<16} {'mfa':<4} {'tokens':>6}  status"
        self.stdout.write(header)
        for user in users:
            team = user.team.name if user.team else "-"
            self.stdout.write(
                f"{user.username:<20} {user.role_label:<24} {team:<16} {'on' if user.has_mfa else 'off':<4} "  # type: ignore[attr-defined]
                f"{user.live_tokens:>6}  {'active' if user.is_active else 'deactivated'}"  # type: ignore[attr-defined]
            )

    def _token(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        expires_at = None
        if options.get("expires"):
            day = parse_date(options["expires"])
            if day is None:
                raise CommandError("--expires: expected YYYY-MM-DD")
            expires_at = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        token, secret = services.issue_token(user=user, name=options["name"], scopes=scopes, expires_at=expires_at,
                                             by=_cli_actor())
        # The secret alone on stdout, so `$(ardesk users token …)` captures it; the rest to stderr.
        self.stderr.write(f"token {token.name!r} for {user.username}, scopes {','.join(token.scopes)}: "
                          "copy it now, it is not shown again")
        self.stdout.write(secret)

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].strip()
        if len(prefix) < 8:
            raise CommandError("give at least the first 8 characters of the token")
        matches = list(find_tokens_by_prefix(prefix[:12]).filter(revoked_at__isnull=True))
        if not matches:
            raise CommandError(f"no live token starts with {prefix!r}")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} tokens start with {prefix!r}: give more characters")
        token = services.revoke_token(token=matches[0], by=_cli_actor(), reason="revoked on the command line")
        self.stdout.write(f"revoked {token.name!r} of {token.user.username} ({token.key_prefix}…)")

    def _mfa_reset(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        removed = mfa.reset_mfa(user=user, by=_cli_actor(), reason=options["reason"])
        self.stdout.write(f"{user.username}: {removed} authenticator(s) removed; they set one up at next sign-in")
