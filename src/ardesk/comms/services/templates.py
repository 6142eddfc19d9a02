"""Managers reword the message templates; the text must parse before it is kept."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ardesk.audit.services import record
from ardesk.comms.models import MessageTemplate
from ardesk.comms.rendering import check_template
from ardesk.errors import DomainError, StaleVersion

MAX_SUBJECT = 300
MAX_BODY = 20_000


@transaction.atomic
def update_template(*, template: MessageTemplate, name: str, subject: str, body: str, active: bool,
                    version: int | None = None, by: Any) -> MessageTemplate:
    """Change a template's wording (or retire it). `version` guards against overwriting someone else's edit."""
    locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    if version is not None and version != locked.version:
        raise StaleVersion(expected=version, actual=locked.version)
    name, subject, body = name.strip(), subject.strip(), body.strip()
    if not name or not subject or not body:
        raise DomainError("a template needs a name, a subject and a body", field="body" if name and subject
                          else "subject" if name else "name")
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise DomainError(f"a subject is limited to {MAX_SUBJECT} and a body to {MAX_BODY} characters", field="body")
    check_template(subject, body)
    before = {"name": locked.name, "subject": locked.subject, "body": locked.body, "active": locked.active}
    after = {"name": name, "subject": subject, "body": body, "active": active}
    if before == after:
        return locked
    locked.name, locked.subject, locked.body, locked.active = name, subject, body, active
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    record(actor=by, verb="message_template.updated", subject=locked, before=before, after=after)
    return locked
