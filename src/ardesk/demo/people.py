"""The demo company's staff: two teams, eleven users, one shared password. Pure.

Managers and the administrator get a TOTP device whose key is derived from
the seed, so a reloaded demo keeps working in the authenticator app that
scanned it the first time.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from ardesk.identity.roles import Role

# Published on purpose: the demo is for trying ardesk, never for production (the loader refuses there).
DEMO_PASSWORD = "ardesk-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    countries: frozenset[str]


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    role: Role
    team: str | None = None  # a TeamSpec key
    manages: str | None = None  # a TeamSpec key
    approval_limit: Decimal = Decimal(0)

    @property
    def email(self) -> str:
        return f"{self.username}@ardesk-demo.example"


TEAMS = (
    TeamSpec("emea", "EMEA", frozenset({"DE", "AT", "FR", "BE", "NL", "ES", "IT", "IE", "GB", "CH", "SE"})),
    TeamSpec("amer_apac", "Americas & APAC", frozenset({"US", "JP"})),
)

USERS = (
    UserSpec("ada", "Ada", "Lindqvist", Role.ADMIN, approval_limit=Decimal(1_000_000)),
    UserSpec("marta", "Marta", "Keller", Role.AR_MANAGER, team="emea", manages="emea", approval_limit=Decimal(50_000)),
    UserSpec("daniel", "Daniel", "Brooks", Role.AR_MANAGER, team="amer_apac", manages="amer_apac",
             approval_limit=Decimal(50_000)),
    UserSpec("anna", "Anna", "Berg", Role.COLLECTOR, team="emea"),
    UserSpec("jonas", "Jonas", "Weber", Role.COLLECTOR, team="emea"),
    UserSpec("luis", "Luis", "Ortega", Role.COLLECTOR, team="amer_apac"),
    UserSpec("mei", "Mei", "Tanaka", Role.COLLECTOR, team="amer_apac"),
    UserSpec("sofia", "Sofia", "Rossi", Role.DISPUTE_ANALYST, team="emea", approval_limit=Decimal(2_500)),
    UserSpec("omar", "Omar", "Haddad", Role.DISPUTE_ANALYST, team="amer_apac", approval_limit=Decimal(2_500)),
    UserSpec("pat", "Pat", "Okafor", Role.CASH_CLERK),
    UserSpec("ruth", "Ruth", "Novak", Role.AUDITOR),
)

def totp_key_hex(seed: int, username: str) -> str:
    """A 20-byte TOTP key (hex, as django-otp stores it) that depends only on the seed and the user."""
    return hashlib.sha256(f"ardesk-demo-totp:{seed}:{username}".encode()).hexdigest()[:40]


def base32_secret(key_hex: str) -> str:
    """The key as authenticator apps take it (RFC 4648 base32, no padding)."""
    return base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")


def team_for_country(country: str) -> str:
    for team in TEAMS:
        if country in team.countries:
            return team.key
    return TEAMS[0].key
