"""Domain errors with a stable, machine-readable code.

Pure modules and services raise these; the API maps each code to an HTTP
status once (ardesk.api), pages show the message, commands print it.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    STALE_VERSION = "stale_version"
    IDEMPOTENCY_MISMATCH = "idempotency_mismatch"
    UNKNOWN_CURRENCY = "unknown_currency"
    INVALID_AMOUNT = "invalid_amount"
    CURRENCY_MISMATCH = "currency_mismatch"
    OVER_APPLICATION = "over_application"
    OVER_SETTLEMENT = "over_settlement"
    UNRELATED_CUSTOMERS = "unrelated_customers"
    ALREADY_REVERSED = "already_reversed"
    NO_FX_RATE = "no_fx_rate"
    IMPORT_REJECTED = "import_rejected"


class DomainError(Exception):
    """An error a user can act on. `field` names the input at fault, when there is one."""

    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": str(self.code), "message": self.message, "field": self.field}


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class PermissionDenied(DomainError):
    code = ErrorCode.PERMISSION_DENIED


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class StaleVersion(DomainError):
    code = ErrorCode.STALE_VERSION

    def __init__(self, *, expected: int, actual: int) -> None:
        super().__init__(f"stale version {expected}: the record is at version {actual}; reload and retry",
                         field="version")
        self.expected, self.actual = expected, actual
