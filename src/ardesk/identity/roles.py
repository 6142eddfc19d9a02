"""Roles and what each may do. Pure: no Django import, so the policy reads and tests as data."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COLLECTOR = "collector"
    DISPUTE_ANALYST = "dispute_analyst"
    CASH_CLERK = "cash_clerk"
    AR_MANAGER = "ar_manager"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.COLLECTOR: "Collector",
    Role.DISPUTE_ANALYST: "Dispute analyst",
    Role.CASH_CLERK: "Cash-application clerk",
    Role.AR_MANAGER: "AR manager",
    Role.ADMIN: "Administrator",
    Role.AUDITOR: "Auditor (read-only)",
}


class Scope(StrEnum):
    """Which customers a role sees when the company does not let everyone see everything."""

    PORTFOLIO = "portfolio"  # customers assigned to the user
    TEAM = "team"  # customers of the user's team (managers: of every team they manage)
    ALL = "all"


class Permission(StrEnum):
    VIEW_LEDGER = "ledger.view"
    EDIT_CUSTOMERS = "customers.edit"
    BOOK_INVOICES = "ledger.book_invoices"
    BOOK_PAYMENTS = "ledger.book_payments"
    APPLY_CASH = "ledger.apply"
    WRITE_OFF = "ledger.write_off"
    IMPORT = "imports.run"
    MANAGE_USERS = "identity.manage_users"
    VIEW_AUDIT = "audit.view"
    VIEW_REPORTS = "reports.view"
    RAISE_DISPUTES = "disputes.raise"  # open a dispute or a deduction on an invoice or account
    HANDLE_DISPUTES = "disputes.handle"  # work a dispute: status, comments, tasks, offers, documents, messages
    RESOLVE_DISPUTES = "disputes.resolve"  # resolve, close, reopen (write-offs also need WRITE_OFF)
    REASSIGN_DISPUTES = "disputes.reassign"  # hand disputes to another owner, one at a time or in bulk
    MANAGE_DISPUTE_RULES = "disputes.manage_rules"  # catalogues, escalation and auto-resolution rules, fixes


_READ = {Permission.VIEW_LEDGER, Permission.VIEW_REPORTS}

_WORK_DISPUTES = {Permission.RAISE_DISPUTES, Permission.HANDLE_DISPUTES, Permission.RESOLVE_DISPUTES}

GRANTS: dict[Role, frozenset[Permission]] = {
    # A collector hears the customer first: they may open a dispute, the analyst works it.
    Role.COLLECTOR: frozenset(_READ | {Permission.RAISE_DISPUTES}),
    Role.DISPUTE_ANALYST: frozenset(_READ | _WORK_DISPUTES | {Permission.WRITE_OFF, Permission.REASSIGN_DISPUTES}),
    # Cash application raises deductions when a payment is short.
    Role.CASH_CLERK: frozenset(_READ | {Permission.BOOK_PAYMENTS, Permission.APPLY_CASH, Permission.RAISE_DISPUTES}),
    Role.AR_MANAGER: frozenset(
        _READ | _WORK_DISPUTES | {Permission.EDIT_CUSTOMERS, Permission.BOOK_PAYMENTS, Permission.APPLY_CASH,
                                  Permission.WRITE_OFF, Permission.VIEW_AUDIT, Permission.REASSIGN_DISPUTES,
                                  Permission.MANAGE_DISPUTE_RULES}
    ),
    Role.ADMIN: frozenset(Permission),
    Role.AUDITOR: frozenset(_READ | {Permission.VIEW_AUDIT}),
}

SCOPES: dict[Role, Scope] = {
    Role.COLLECTOR: Scope.PORTFOLIO,
    Role.DISPUTE_ANALYST: Scope.TEAM,
    Role.CASH_CLERK: Scope.ALL,  # cash arrives from any customer and must find its invoice
    Role.AR_MANAGER: Scope.TEAM,
    Role.ADMIN: Scope.ALL,
    Role.AUDITOR: Scope.ALL,
}

MFA_ROLES = frozenset({Role.AR_MANAGER, Role.ADMIN})


def may(role: Role | str, permission: Permission) -> bool:
    return permission in GRANTS[Role(role)]


def scope_of(role: Role | str, *, see_all: bool = False) -> Scope:
    return Scope.ALL if see_all else SCOPES[Role(role)]


def needs_mfa(role: Role | str) -> bool:
    return Role(role) in MFA_ROLES


# API token scopes a role may hold. A token never does more than its user's role allows; these only keep
# the token page from offering a scope that could never be used (an auditor's token is read-only).
_WRITE_FREE_ROLES = frozenset({Role.AUDITOR})


def token_scopes_for(role: Role | str) -> tuple[str, ...]:
    """The token scopes ("read", "write", "import") worth offering to this role, in that order."""
    scopes = ["read"]
    if Role(role) not in _WRITE_FREE_ROLES:
        scopes.append("write")
    if may(role, Permission.IMPORT):
        scopes.append("import")
    return tuple(scopes)
