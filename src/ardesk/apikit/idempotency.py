"""`Idempotency-Key` on POST: a retried request gets the first response instead of a second booking.

The guard wraps every operation of the API (NinjaAPI.add_decorator in "view" mode) and acts on
POSTs that carry the header. It inserts the user's key before the handler runs, in the same
transaction as the handler's writes:

- the same key and the same request (method, path, body) → the stored status and body, replayed;
- the same key and a different request → 409 idempotency_mismatch;
- two identical requests at the same moment → the second waits on the unique index (PostgreSQL)
  or on the write lock (SQLite), then replays the first one's response: nothing is booked twice.

Responses of 5xx are not kept (the whole transaction rolls back), so a retry after a crash runs
again. The record is a cache of a response, not a business change: it writes no audit event; the
write it protects has its own.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from ardesk.apikit.models import IdempotencyRecord
from ardesk.errors import Conflict, DomainError, ErrorCode

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as header values allow
_KEPT_HEADERS = ("ETag", "Location")


class IdempotencyMismatch(DomainError):
    code = ErrorCode.IDEMPOTENCY_MISMATCH

    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used for a different request; use a new key", field=HEADER)


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise DomainError("an Idempotency-Key is 1 to 255 visible ASCII characters", field=HEADER)
    return key


def fingerprint(request: HttpRequest) -> str:
    """A digest of what the request asks for: method, path and query, and the body's meaning.

    JSON is compared after parsing (key order and spacing do not matter); a multipart upload by
    its fields and the digests of its files (its boundary changes with every send).
    """
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            digest.update(json.dumps([name, request.POST.getlist(name)]).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                digest.update(json.dumps([name, upload.name, file_digest.hexdigest()]).encode())
        return digest.hexdigest()
    body = request.body
    try:
        canonical = json.dumps(json.loads(body, parse_float=Decimal), sort_keys=True, default=str)
        digest.update(b"json:" + canonical.encode())
    except ValueError:
        digest.update(b"raw:" + body)
    return digest.hexdigest()


class _Abandon(Exception):
    """Roll the transaction back but still answer with this response (a 5xx must not be kept)."""

    def __init__(self, response: HttpResponseBase) -> None:
        super().__init__(response.status_code)
        self.response = response


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.response_body, status=record.status_code or 200,
                            content_type=record.content_type or "application/json")
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAY_HEADER] = "true"
    return response


def _claim(*, user: Any, key: str, request: HttpRequest, digest: str) -> IdempotencyRecord | HttpResponse:
    """Insert the key, or answer from the row that already holds it."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=user, key=key, method=request.method or "POST", path=request.get_full_path()[:2000],
                request_hash=digest)
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is None or existing.status_code is None:
        raise Conflict("a request with this Idempotency-Key is still running; retry shortly", field=HEADER)
    if existing.request_hash != digest:
        raise IdempotencyMismatch()
    return _replay(existing)


def run_once(*, user: Any, key: str, request: HttpRequest, handle: Callable[[], HttpResponseBase]
             ) -> HttpResponseBase:
    """Run `handle` at most once per (user, key); the record commits with the handler's writes."""
    digest = fingerprint(request)
    try:
        with transaction.atomic():
            claimed = _claim(user=user, key=key, request=request, digest=digest)
            if isinstance(claimed, HttpResponse):
                return claimed
            response = handle()
            if response.status_code >= 500 or not isinstance(response, HttpResponse):
                raise _Abandon(response)
            claimed.status_code = response.status_code
            claimed.content_type = response.get("Content-Type", "application/json")[:100]
            claimed.response_body = response.content.decode(response.charset or "utf-8")
            claimed.response_headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
            try:
                with transaction.atomic():
                    claimed.save(update_fields=["status_code", "content_type", "response_body", "response_headers"])
            except DatabaseError:
                # The handler's error left the transaction unusable: answer, keep nothing, let a retry run.
                raise _Abandon(response) from None
            return response
    except _Abandon as abandoned:
        return abandoned.response


def _caller(operation: Any, request: HttpRequest) -> Any:
    """The authenticated user, asking the operation's own auth callbacks; None when they refuse."""
    for callback in getattr(operation, "auth_callbacks", ()):
        try:
            user = callback(request)
        except Exception:  # the operation's own run will answer with the right error
            return None
        if user:
            return user
    return None


def idempotent_posts(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A "view" decorator for NinjaAPI.add_decorator: POSTs with an Idempotency-Key run once."""
    operation = getattr(inspect.unwrap(run), "__self__", None)

    @wraps(run)
    def guarded(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, **kwargs)
        user = _caller(operation, request)
        if user is None:
            return run(request, **kwargs)
        try:
            return run_once(user=user, key=check_key(key), request=request, handle=lambda: run(request, **kwargs))
        except (DomainError, SuspiciousOperation) as exc:  # a bad key, a mismatch, a body too big to read
            return operation.api.on_exception(request, exc)  # type: ignore[union-attr]

    guarded.idempotent = True  # type: ignore[attr-defined]
    return guarded
