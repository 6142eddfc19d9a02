"""Celery tasks: thin wrappers over the services. With no broker they run in-process (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from ardesk.audit.services import SystemActor
from ardesk.comms import services
from ardesk.comms.mailbox import fetch_mailbox
from ardesk.customers.models import Contact
from ardesk.disputes.models import Dispute
from ardesk.identity.models import User


@shared_task(name="ardesk.comms.tasks.send_dispute_message")
def send_dispute_message(*, dispute_id: int, contact_id: int, user_id: int | None = None,
                         template_code: str | None = None, subject: str | None = None, body: str | None = None,
                         note: str = "") -> int:
    """Send one message in the background; returns the Message's id. Not retried: a failure is kept as failed."""
    by: Any = User.objects.get(pk=user_id) if user_id else SystemActor("task:send_dispute_message")
    message = services.send_dispute_message(
        dispute=Dispute.objects.get(pk=dispute_id), to_contact=Contact.objects.get(pk=contact_id), by=by,
        template_code=template_code, subject=subject, body=body, note=note)
    return message.pk


@shared_task(name="ardesk.comms.tasks.fetch_mail")
def fetch_mail() -> str:
    """The beat schedule's mailbox fetch (see hooks.beat_schedule)."""
    return str(fetch_mailbox(by=SystemActor("task:fetch_mail")))
