"""The main navigation: a small registry later capabilities add their page to.

A capability registers its entry once (e.g. in its AppConfig.ready) with the
URL names it may be reachable under; an entry whose URL is not (yet) wired is
simply not shown, so the header never breaks while pieces are being built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from ardesk.identity.roles import Permission


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_names: tuple[str, ...]
    permission: Permission | None = Permission.VIEW_LEDGER
    order: int = 100


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add or replace an entry (by key); the last registration of a key wins."""
    _ITEMS[item.key] = item


for _item in (
    NavItem("home", "Home", ("web:home",), permission=None, order=10),
    NavItem("customers", "Customers", ("web:customer_list",), order=20),
    NavItem("worklist", "Worklist", ("collections:worklist", "web:worklist"), order=30),
    NavItem("disputes", "Disputes", ("disputes:queue", "disputes:list", "web:disputes"), order=40),
    NavItem("dispute_rules", "Rules", ("disputes:rules",), permission=Permission.MANAGE_DISPUTE_RULES, order=45),
    NavItem("cash", "Cash", ("cashapp:queue", "cashapp:home", "web:cash"), order=50),
    NavItem("aging", "Aging", ("web:aging",), permission=Permission.VIEW_REPORTS, order=60),
    NavItem("dispute_reports", "Dispute reports", ("insights:disputes",), permission=Permission.VIEW_REPORTS, order=65),
):
    register(_item)


def _resolve(url_names: tuple[str, ...]) -> str | None:
    for name in url_names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def entries_for(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    """The entries this user may open, in order, each with its URL and whether it is the current page."""
    if not getattr(user, "is_authenticated", False):
        return []
    entries = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)):
        if item.permission is not None and not user.may(item.permission):
            continue
        url = _resolve(item.url_names)
        if url is None:
            continue
        current = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"key": item.key, "label": item.label, "url": url, "current": current})
    return entries
