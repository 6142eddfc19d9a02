"""What the comms app plugs into others at start-up: the navigation, the dispute page, the beat schedule."""

from __future__ import annotations

import importlib

from django.conf import settings

from ardesk.celery import app
from ardesk.comms import conf
from ardesk.identity.roles import Permission
from ardesk.web import nav

FETCH_TASK = "ardesk.comms.tasks.fetch_mail"


def beat_schedule() -> dict[str, dict[str, object]]:
    """The periodic mailbox fetch, when there is a broker to run beat and a mailbox to read."""
    if not settings.CELERY_BROKER_URL or not conf.imap().host:
        return {}
    return {"comms.fetch-mail": {"task": FETCH_TASK, "schedule": 60.0 * conf.fetch_every_minutes()}}


def install() -> None:
    nav.register(nav.NavItem("mail", "Mail", ("comms:unmatched",), permission=Permission.HANDLE_DISPUTES,
                             order=45))
    # The dispute page's message panel registers itself when imported (disputes.views.panels).
    importlib.import_module("ardesk.comms.panel")
    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **beat_schedule()}
