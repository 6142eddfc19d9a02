"""Reads of mail for the dispute page, the API and the unmatched-mail page."""

from __future__ import annotations

from django.db.models import QuerySet

from ardesk.comms.models import Message, MessageStatus, MessageTemplate
from ardesk.customers.models import Contact
from ardesk.disputes.models import Dispute


def messages_of(dispute: Dispute) -> QuerySet[Message]:
    """The dispute's mail, in and out, oldest first: a conversation reads top to bottom."""
    return (Message.objects.filter(dispute=dispute).select_related("contact", "sent_by")
            .order_by("created_at", "pk"))


def unmatched_mail() -> QuerySet[Message]:
    """Mail nobody could match to a customer, newest first. It names no customer, so it has no scope."""
    return Message.objects.filter(status=MessageStatus.UNMATCHED).order_by("-created_at", "-pk")


def recipients(dispute: Dispute) -> QuerySet[Contact]:
    """The contacts a message about this dispute may go to: its customer's, with an address."""
    return Contact.objects.filter(customer_id=dispute.customer_id).exclude(email="").order_by("-is_primary", "name")


def active_templates(language: str = "en") -> list[MessageTemplate]:
    """One template per code: the customer's language where there is one, English otherwise."""
    chosen: dict[str, MessageTemplate] = {}
    for template in MessageTemplate.objects.filter(active=True).order_by("code", "language"):
        if template.code not in chosen or template.language == language:
            chosen[template.code] = template
    return sorted(chosen.values(), key=lambda t: t.name)


def thread_depth(messages: list[Message]) -> dict[int, int]:
    """How deep each message sits in its thread (0 = starts one), by In-Reply-To among these messages."""
    by_id = {m.message_id: m for m in messages}
    depth: dict[int, int] = {}
    for message in messages:
        level, parent, seen = 0, by_id.get(message.in_reply_to), {message.message_id}
        while parent is not None and parent.message_id not in seen and level < 5:
            seen.add(parent.message_id)
            level += 1
            parent = by_id.get(parent.in_reply_to)
        depth[message.pk] = level
    return depth

