"""Sections other parts of the disputes app add to the dispute page, without editing its view.

A panel is a function of the request and the dispute that returns template context; the detail view
merges every registered panel's dict into its own. Register one at import time (from the module that
owns the section, imported by that app's views or ready()):

    from ardesk.disputes.views.panels import register

    @register
    def documents_panel(request: HttpRequest, dispute: Dispute) -> dict[str, Any]:
        return {"documents": documents_of(dispute)}

and fill the matching placeholder template (disputes/_documents.html, _messages.html,
_escalations.html, _sales_notes.html), which receives `dispute`, `user` and the merged context.
Keys must not collide with the detail view's own (`dispute`, `items`, `forms`, `timeline` …).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from ardesk.disputes.models import Dispute

Panel = Callable[[HttpRequest, Dispute], dict[str, Any]]
PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    """Add a panel once (registering the same function twice is harmless)."""
    if panel not in PANELS:
        PANELS.append(panel)
    return panel


def panel_context(request: HttpRequest, dispute: Dispute) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in PANELS:
        context.update(panel(request, dispute))
    return context
