"""The client's address for login throttling, trusting X-Forwarded-For only as far as our own proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def address_from(remote_addr: str, forwarded_for: str, trusted_proxies: int) -> str:
    """Pure: with N trusted proxies, the client is the Nth address from the right of X-Forwarded-For.

    Entries left of that were written by the client itself and could be forged, so they are ignored;
    with no trusted proxy (or a header too short to have passed through them) REMOTE_ADDR is the client.
    """
    if trusted_proxies <= 0:
        return remote_addr
    hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(hops) < trusted_proxies:
        return remote_addr
    return hops[-trusted_proxies]


def client_ip(request: HttpRequest) -> str:
    return address_from(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""),
                        settings.ARDESK_TRUSTED_PROXY_COUNT)
