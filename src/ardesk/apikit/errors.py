"""One error body everywhere: {"code", "message", "field"}. Domain codes map to HTTP here, once.

Pure modules and services raise `ardesk.errors.DomainError`; ninja raises its own errors for
authentication, parsing and validation; the database raises IntegrityError on a lost race.
Each becomes the same JSON shape so a client needs one error path.
"""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ardesk.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("ardesk.api")


class ApiErrorCode(StrEnum):
    """Codes that only the HTTP layer produces (the domain's own are in ardesk.errors.ErrorCode)."""

    UNAUTHENTICATED = "unauthenticated"
    MALFORMED = "malformed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"


STATUS_BY_CODE: dict[str, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.STALE_VERSION: 409,
    ErrorCode.IDEMPOTENCY_MISMATCH: 409,
    # The request is well formed but what it says cannot be taken as it is.
    ErrorCode.INVALID: 422,
    ErrorCode.INVALID_AMOUNT: 422,
    ErrorCode.UNKNOWN_CURRENCY: 422,
    ErrorCode.IMPORT_REJECTED: 422,
}
# Every other domain code is a business rule that refused the request (over_application,
# over_settlement, currency_mismatch, unrelated_customers, already_reversed, no_fx_rate, ...).
BUSINESS_RULE_STATUS = 400

CODE_BY_STATUS: dict[int, str] = {
    400: ApiErrorCode.MALFORMED,
    401: ApiErrorCode.UNAUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    405: ApiErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    413: ApiErrorCode.PAYLOAD_TOO_LARGE,
    422: ErrorCode.INVALID,
    429: ApiErrorCode.RATE_LIMITED,
}


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


# Every route may answer with these; each route's `response=` adds them so the schema says so.
ERROR_RESPONSES: dict[int, type[Schema]] = {status: ErrorOut for status in (400, 401, 403, 404, 409, 422)}


def status_for(code: str) -> int:
    return STATUS_BY_CODE.get(code, BUSINESS_RULE_STATUS)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, str | None]:
    return {"code": str(code), "message": message, "field": field}


def field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """`("body", "payload", "lines", 0, "quantity")` → `"lines.0.quantity"`.

    The first element says where the value came from (body, query, path, header); for a body the
    second is the handler's parameter name, which means nothing to the client.
    """
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(str(p) for p in parts) or None


# Errors raised by ardesk.apikit.fields carry the same code a service would give the same value.
CODE_BY_VALIDATION_TYPE: dict[str, str] = {
    "unknown_currency": ErrorCode.UNKNOWN_CURRENCY,
    "not_exact": ErrorCode.INVALID_AMOUNT,
    "not_a_number": ErrorCode.INVALID_AMOUNT,
    "too_many_decimals": ErrorCode.INVALID_AMOUNT,
    "too_large": ErrorCode.INVALID_AMOUNT,
}


def validation_body(errors: list[dict[str, Any]]) -> dict[str, str | None]:
    """The first problem, named by its field; the count of any others rides along in the message."""
    first = errors[0] if errors else {}
    field = field_of(first.get("loc", ()))
    message = str(first.get("msg", "invalid input"))
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    code = CODE_BY_VALIDATION_TYPE.get(str(first.get("type", "")), ErrorCode.INVALID)
    return error_body(code, f"{field}: {message}" if field else message, field)


def json_error(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    """An error response built without an API instance (catch-all routes, 405s)."""
    return HttpResponse(json.dumps(error_body(code, message, field)), status=status,
                        content_type="application/json")


def install(api: NinjaAPI) -> None:
    """Replace ninja's default exception handlers with ones that all answer in ErrorOut's shape."""

    def respond(request: HttpRequest, status: int, body: dict[str, str | None]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DomainError)
        return respond(request, status_for(exc.code), exc.as_dict())

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ValidationError)
        return respond(request, 422, validation_body(list(exc.errors)))

    def on_authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = respond(request, 401, error_body(
            ApiErrorCode.UNAUTHENTICATED,
            "send a live API token as 'Authorization: Bearer <token>', or sign in"))
        response["WWW-Authenticate"] = 'Bearer realm="ardesk"'
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        code = CODE_BY_STATUS.get(exc.status_code, ErrorCode.INVALID)
        return respond(request, exc.status_code, error_body(code, exc.message))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, error_body(ErrorCode.NOT_FOUND, "not found"))

    def on_integrity_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # A concurrent request won the race for a unique number or a balance: retrying tells which.
        logger.info("integrity error answered with 409: %s", exc)
        return respond(request, 409, error_body(
            ErrorCode.CONFLICT, "the request conflicts with a change made at the same time; reload and retry"))

    def on_data_error(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.info("data error answered with 422: %s", exc)
        return respond(request, 422, error_body(ErrorCode.INVALID, "a value does not fit its field"))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 413, error_body(
            ApiErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than this server accepts"))

    def on_suspicious(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 400, error_body(ApiErrorCode.MALFORMED, "the request was refused as malformed"))

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("unhandled error in %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, error_body(
            ApiErrorCode.SERVER_ERROR,
            f"internal error; quote request id {getattr(request, 'request_id', '-')} when reporting it"))

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(IntegrityError, on_integrity_error)
    api.add_exception_handler(DataError, on_data_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
