"""Scheduled work of the disputes app. Thin: each task calls one service and reports its counts.

`run_escalation` runs daily from CELERY_BEAT_SCHEDULE (settings) when a broker is set; without one,
`ardesk disputes escalate` does the same from cron. Running it twice the same day changes nothing the
second time: a rule fires once per dispute and a dispute is auto-resolved once.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from ardesk.audit.services import SystemActor
from ardesk.disputes.services import run_all


@shared_task(name="ardesk.disputes.tasks.run_escalation")
def run_escalation(today: str | None = None) -> dict[str, int]:
    """Evaluate every open dispute an active rule may act on; `today` (ISO date) defaults to the local date."""
    summary = run_all(today=date.fromisoformat(today) if today else None, by=SystemActor("task:run_escalation"))
    return summary.as_dict()
