"""Optimistic concurrency for PATCH: the client sends the version it read, as If-Match or in the body.

Responses carry `ETag: "<version>"`; a PATCH without a version is refused rather than allowed to
overwrite an edit the client never saw.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

from ardesk.errors import DomainError

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def parse_if_match(header: str | None) -> int | None:
    """`"3"`, `W/"3"` or `3` → 3; None when absent. `*` and lists are not versions and are refused."""
    if header is None:
        return None
    match = _ETAG.match(header)
    if not match:
        raise DomainError('If-Match must hold one version, as in If-Match: "3"', field="If-Match")
    return int(match.group(1))


def expected_version(request: HttpRequest, body_version: int | None) -> int:
    header_version = parse_if_match(request.headers.get("If-Match"))
    if header_version is not None and body_version is not None and header_version != body_version:
        raise DomainError("If-Match and version name different versions", field="version")
    version = header_version if header_version is not None else body_version
    if version is None:
        raise DomainError("send the version you last read, as If-Match or as version in the body", field="version")
    return version


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'
