"""`load_demo`: fill the database with the demo company in one transaction.

The staff (teams, users, TOTP devices) are made through the identity
services, each with its audit event. Everything else is bulk seed data: the
generators compute every cached balance, the rows are written with COPY (on
PostgreSQL) or bulk_create, and the load writes ONE summary audit event
("demo.loaded", with the counts, the seed and the time it took) instead of an
event per row. `ardesk ledger verify` passes afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.module_loading import import_string

from ardesk.audit.services import record
from ardesk.customers.models import Customer
from ardesk.demo import generate
from ardesk.demo.capabilities import CAPABILITIES, tables
from ardesk.demo.context import DemoContext, Staffing
from ardesk.demo.customers import plan_groups
from ardesk.demo.people import DEMO_PASSWORD, TEAMS, USERS, base32_secret, totp_key_hex
from ardesk.demo.plan import DemoPlan
from ardesk.demo.prefetch import prefetch
from ardesk.demo.records import DEMO_SOURCE, Ids
from ardesk.demo.writer import BulkWriter
from ardesk.disputes.mail_hold import hold_mail
from ardesk.errors import Conflict, DomainError
from ardesk.identity.mfa import enrol_totp
from ardesk.identity.models import Team, User
from ardesk.identity.roles import Role, needs_mfa
from ardesk.identity.services import create_team, create_user
from ardesk.ledger.models import Invoice

Progress = Callable[[int, int], None]  # (invoices written, invoices planned)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # the role's label
    team: str
    password: str
    mfa_secret: str | None  # base32, for an authenticator app


@dataclass(frozen=True)
class DemoResult:
    plan: DemoPlan
    counts: dict[str, int]
    users: list[DemoUser]
    seconds: float


def _check_can_load(plan: DemoPlan) -> None:
    if settings.PRODUCTION:
        raise DomainError("the demo company has a published password and is never loaded in production",
                          field="ARDESK_ENV")
    if Invoice.objects.filter(source=DEMO_SOURCE).exists() or Customer.objects.filter(number="CU000001").exists():
        raise Conflict("the demo company is already loaded in this database")
    taken = sorted(User.objects.filter(username__in=[u.username for u in USERS]).values_list("username", flat=True))
    if taken:
        raise Conflict(f"demo user name(s) already taken: {', '.join(taken)}", field="username")


def _make_staff(plan: DemoPlan, by: Any) -> tuple[Staffing, list[DemoUser]]:
    """Managers first (a team names its manager), then the teams, then everyone else in them.

    Users are created without a password, then all given one hash of the shared demo password:
    Argon2 takes about a second per hash by design, and the demo has eleven users.
    """
    users: dict[str, User] = {}
    teams: dict[str, Team] = {}
    team_names = {t.key: t.name for t in TEAMS}
    ordered = sorted(USERS, key=lambda u: u.manages is None)
    for spec in ordered:
        if spec.manages and spec.manages not in teams:
            manager = create_user(username=spec.username, password=None, role=spec.role, by=by,
                                  email=spec.email, first_name=spec.first_name, last_name=spec.last_name,
                                  approval_limit=spec.approval_limit)
            users[spec.username] = manager
            teams[spec.manages] = create_team(name=team_names[spec.manages], manager=manager, by=by)
    for team_spec in TEAMS:
        if team_spec.key not in teams:
            teams[team_spec.key] = create_team(name=team_spec.name, by=by)
    for spec in ordered:
        if spec.username not in users:
            users[spec.username] = create_user(
                username=spec.username, password=None, role=spec.role, by=by, email=spec.email,
                first_name=spec.first_name, last_name=spec.last_name, approval_limit=spec.approval_limit,
                team=teams[spec.team] if spec.team else None)
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=make_password(DEMO_PASSWORD))
    listed: list[DemoUser] = []
    for spec in USERS:
        secret = None
        if needs_mfa(spec.role):
            key = totp_key_hex(plan.seed, spec.username)
            enrol_totp(user=users[spec.username], by=by, key_hex=key)
            secret = base32_secret(key)
        team = team_names.get(spec.manages or spec.team or "", "")
        listed.append(DemoUser(spec.username, Role(spec.role).label, team, DEMO_PASSWORD, secret))

    def of_role(role: Role, team: str) -> list[int]:
        return [users[u.username].pk for u in USERS if u.role == role and (u.team == team)]

    staffing = Staffing(
        teams={key: team.pk for key, team in teams.items()},
        collectors={key: tuple(of_role(Role.COLLECTOR, key)) for key in teams},
        analysts={key: of_role(Role.DISPUTE_ANALYST, key)[0] for key in teams if of_role(Role.DISPUTE_ANALYST, key)},
        managers={key: team.manager_id for key, team in teams.items() if team.manager_id},
        cash_clerk=next((users[u.username].pk for u in USERS if u.role == Role.CASH_CLERK), None),
    )
    return staffing, listed


def load_demo(*, plan: DemoPlan, by: Any, if_empty: bool = False, progress: Progress | None = None
              ) -> DemoResult | None:
    """Load the demo company; with `if_empty`, do nothing (and return None) when customers already exist.

    The demo's people are made up: the disputes services run as for real (rules fire, escalations are
    recorded) under a mail hold, so no escalation or sales mail leaves, during the load or after its commit.
    """
    with hold_mail():
        return _load(plan=plan, by=by, if_empty=if_empty, progress=progress)


@transaction.atomic
def _load(*, plan: DemoPlan, by: Any, if_empty: bool, progress: Progress | None) -> DemoResult | None:
    started = time.perf_counter()
    if if_empty and Customer.objects.exists():
        return None
    _check_can_load(plan)
    if connection.vendor == "postgresql":
        # Check each foreign key as its row arrives (every table is written after those it points at)
        # instead of queueing millions of deferred checks until the commit.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    staffing, users = _make_staff(plan, by)
    filled = tables()
    writer = BulkWriter()
    ctx = DemoContext(plan=plan, staffing=staffing, ids=Ids(writer.first_ids(filled)))
    for capability in CAPABILITIES:
        if capability.prepare:
            import_string(capability.prepare)(ctx)
    for batch in generate.before(ctx):
        writer.write(batch)
    done = 0
    for chunk in prefetch(generate.chunks(ctx, plan_groups(plan))):
        for batch in chunk.rows:
            writer.write(batch)
        done += chunk.invoices
        if progress:
            progress(done, plan.invoices)
    for batch in generate.after(ctx):
        writer.write(batch)
    writer.finish(filled)
    writer.analyze(filled)
    if connection.vendor == "postgresql":
        # Back to Django's default for the rest of a caller's transaction (every deferrable
        # constraint in the schema is a foreign key created INITIALLY DEFERRED).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for capability in CAPABILITIES:
        if capability.work:
            import_string(capability.work)(ctx, by)
    counts = {table: writer.counts[table] for table in filled}
    seconds = round(time.perf_counter() - started, 1)
    record(actor=by, verb="demo.loaded", subject=("demo.load", plan.seed),
           after={"seed": plan.seed, "today": plan.today, "customers": plan.customers, "invoices": plan.invoices,
                  "rows": counts, "seconds": seconds},
           reason="bulk seed data: one summary event for the whole demo load")
    return DemoResult(plan=plan, counts=counts, users=users, seconds=seconds)
