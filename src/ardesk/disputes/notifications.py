"""Mail to colleagues: someone @mentioned in a comment, and the managers who may approve a write-off.

Receivers of the disputes' after-commit signals (ardesk.disputes.signals): a rolled-back change mails
nobody, a bulk load under a mail hold mails nobody, and a mail server that is down is logged without
undoing the comment or the request. Links are absolute when ARDESK_BASE_URL is set (e.g.
https://ar.example.com), else paths.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.dispatch import receiver
from django.urls import reverse

from ardesk.disputes.mail_hold import mail_held
from ardesk.disputes.models import ApprovalRequest, Comment, Dispute
from ardesk.disputes.rules import shown
from ardesk.disputes.signals import approval_requested, user_mentioned
from ardesk.identity.models import User
from ardesk.identity.roles import Role

logger = logging.getLogger(__name__)


def dispute_link(dispute: Dispute) -> str:
    return getattr(settings, "ARDESK_BASE_URL", "").rstrip("/") + reverse("disputes:detail", args=[dispute.pk])


def _send(subject: str, lines: list[str], to: list[str]) -> None:
    if not to or mail_held():
        return
    try:
        send_mail(f"[ardesk] {subject}", "\n".join([*lines, "", "-- ardesk"]), None, to)
    except Exception:  # any transport error: logged; the comment or request stands
        logger.exception("notification %r to %s not sent", subject, to)


def approvers_of(request: ApprovalRequest) -> list[User]:
    """Who should hear of a write-off waiting: the manager of the customer's team, else every AR manager.
    Never the requester (who may not approve their own request)."""
    dispute = request.dispute
    team = dispute.customer.team
    managers = [team.manager] if team is not None and team.manager is not None else list(
        User.objects.filter(role=Role.AR_MANAGER, is_active=True).order_by("pk"))
    return [u for u in managers if u.is_active and u.email and u.pk != request.requested_by_id]


@receiver(user_mentioned, dispatch_uid="disputes.notify_mentioned")
def mail_the_mentioned(sender: Any, *, comment: Comment, users: list[User], **_: Any) -> None:
    dispute = comment.dispute
    author = (comment.author.get_full_name() or comment.author.username) if comment.author else "someone"
    to = [u.email for u in users if u.email and u.is_active and u.pk != comment.author_id]
    _send(f"{author} mentioned you on {dispute.number}",
          [f"{author} wrote on dispute {dispute.number} ({dispute.customer.number} {dispute.customer.name}):", "",
           comment.body, "", dispute_link(dispute)], to)


@receiver(approval_requested, dispatch_uid="disputes.notify_approvers")
def mail_the_approvers(sender: Any, *, request: ApprovalRequest, **_: Any) -> None:
    dispute = request.dispute
    who = request.requested_by.get_full_name() or request.requested_by.username
    _send(f"write-off of {shown(request.amount, dispute.currency)} on {dispute.number} waits for approval",
          [f"{who} asks to write off {shown(request.amount, dispute.currency)} on dispute {dispute.number} "
           f"({dispute.customer.number} {dispute.customer.name}), above their approval limit.",
           f"Their note: {request.note}" if request.note else "", "", dispute_link(dispute)],
          [u.email for u in approvers_of(request)])
