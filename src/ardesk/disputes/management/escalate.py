"""`ardesk disputes escalate [--today YYYY-MM-DD]`: run the escalation and auto-resolution rules now.

The same work as the daily Celery task, for a machine without a broker (run it from cron) or by hand.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ardesk.audit.services import SystemActor
from ardesk.disputes.services import run_all

MAX_LINES = 200


def escalate(command: BaseCommand, *, today: str | None) -> None:
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise CommandError(f"--today: {today!r} is not a date (YYYY-MM-DD)") from None
    summary = run_all(today=day, by=SystemActor("command:disputes escalate"))
    for line in summary.lines[:MAX_LINES]:
        command.stdout.write(line)
    if len(summary.lines) > MAX_LINES:
        command.stdout.write(f"… and {len(summary.lines) - MAX_LINES} more")
    command.stdout.write(
        f"escalation rules: {summary.evaluated} dispute(s) evaluated, {summary.rules_fired} rule firing(s), "
        f"{summary.escalated} escalated, {summary.priority_raised} priority raised, "
        f"{summary.auto_resolved} auto-resolved, {summary.failed} failed")
    if summary.failed:
        raise CommandError(f"{summary.failed} dispute(s) could not be evaluated (see above)")
