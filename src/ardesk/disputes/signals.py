"""Signals sent after a dispute's transaction commits, for the parts that plug in later (mail, escalation).

Receivers get the committed rows as keyword arguments; a rolled-back change sends nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

from ardesk.disputes.mail_hold import keeping_hold

dispute_raised = Signal()  # dispute
dispute_assigned = Signal()  # dispute, owner
dispute_resolved = Signal()  # dispute
approval_requested = Signal()  # request
user_mentioned = Signal()  # comment, users
dispute_changed = Signal()  # dispute: its status, reason or SLA changed (escalation rules look again)


def send_on_commit(signal: Signal, sender: type, **kwargs: Any) -> None:
    # A mail hold in force now (a bulk load) also covers what the receivers do after the commit.
    transaction.on_commit(keeping_hold(lambda: signal.send(sender=sender, **kwargs)))
