"""The scheduled run: candidates found in SQL, every one evaluated, counts reported; by command and by Celery."""

from __future__ import annotations

import importlib
import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from ardesk.celery import app
from ardesk.disputes import escalation_queries as eq
from ardesk.disputes.models import Escalation, EscalationRule, Priority, RuleFiring
from ardesk.disputes.services import create_escalation_rule, evaluate, run_all
from ardesk.disputes.tasks import run_escalation
from ardesk.ledger.models import FxRate
from tests.disputes import escalation_setup
from tests.disputes.escalation_setup import Desk, open_dispute
from tests.factories import CustomerFactory

D = Decimal
desk = escalation_setup.desk  # fixture
rule_firings = importlib.import_module("ardesk.disputes.migrations.0008_rule_firings")


@pytest.mark.django_db
def test_candidates_are_narrowed_in_sql_and_exclude_rules_already_fired(desk: Desk) -> None:
    rule = create_escalation_rule(name="Big", min_amount=D("300"), escalate_to="manager", notify=False,
                                  by=desk.manager)
    big, small = open_dispute(desk, amount="400.00"), open_dispute(desk, amount="100.00")
    today = timezone.localdate()
    assert set(eq.candidates(rule, today=today)) == {big}
    evaluate(big)
    assert set(eq.candidates(rule, today=today)) == set()
    assert small.pk  # the small one never was a candidate


@pytest.mark.django_db
def test_a_rule_fires_once_per_dispute_and_firings_from_before_the_table_are_taken_from_the_audit_log(
        desk: Desk) -> None:
    rule = create_escalation_rule(name="Big", min_amount=D("300"), raise_priority_to=Priority.HIGH, notify=False,
                                  by=desk.manager)
    dispute = open_dispute(desk, amount="400.00")
    evaluate(dispute)
    firing = RuleFiring.objects.get()
    assert (firing.dispute_id, firing.rule_id) == (dispute.pk, rule.pk)
    assert evaluate(dispute).actions == []  # fired already: nothing again
    # a database from before the table knew the firing from its audit event only: the migration reads it back
    RuleFiring.objects.all().delete()
    assert set(eq.candidates(rule, today=timezone.localdate())) == {dispute}
    rule_firings.from_the_audit_log(django_apps, None)
    assert list(RuleFiring.objects.values_list("dispute_id", "rule_id")) == [(dispute.pk, rule.pk)]
    assert set(eq.candidates(rule, today=timezone.localdate())) == set()
    rule_firings.from_the_audit_log(django_apps, None)  # run twice: no second row
    assert RuleFiring.objects.count() == 1


@pytest.mark.django_db
def test_an_amount_in_another_currency_is_compared_in_the_company_currency(desk: Desk) -> None:
    rule = create_escalation_rule(name="Big", min_amount=D("300"), escalate_to="manager", notify=False,
                                  by=desk.manager)
    usd = CustomerFactory(team=desk.team, currency="USD")
    dispute = open_dispute(desk, amount="400.00", customer=usd)
    today = timezone.localdate()
    # without a rate the amount is unknown: the rule does not fire
    assert set(eq.candidates(rule, today=today)) == set() and evaluate(dispute).actions == []
    FxRate.objects.create(currency="USD", rate_date=today, rate=D("0.5"))  # 400 USD = 200 EUR
    assert set(eq.candidates(rule, today=today)) == set() and evaluate(dispute).actions == []
    FxRate.objects.create(currency="USD", rate_date=today + timedelta(days=1), rate=D("0.8"))  # 320 EUR
    assert set(eq.candidates(rule, today=today + timedelta(days=1))) == {dispute}
    assert evaluate(dispute, today=today + timedelta(days=1)).actions[0].escalate_to == "manager"


@pytest.mark.django_db
def test_run_all_evaluates_each_candidate_and_counts_what_it_did(desk: Desk) -> None:
    create_escalation_rule(name="Late", sla_breached=True, escalate_to="manager", raise_priority_to=Priority.HIGH,
                           notify=False, by=desk.manager)
    disputes = [open_dispute(desk) for _ in range(3)]
    late = disputes[0].sla_due + timedelta(days=1)
    # when run on the day after the SLA date
    summary = run_all(today=late)
    # then
    assert summary.as_dict() == {"evaluated": 3, "escalated": 3, "priority_raised": 3, "rules_fired": 3,
                                 "auto_resolved": 0, "failed": 0}
    assert Escalation.objects.count() == 3
    # and a second run finds nothing left to do
    assert run_all(today=late).as_dict()["evaluated"] == 0


@pytest.mark.django_db
def test_the_command_prints_what_it_did(desk: Desk) -> None:
    create_escalation_rule(name="Old", min_age_days=45, escalate_to="legal", notify=False, by=desk.manager)
    dispute = open_dispute(desk)
    out = StringIO()
    call_command("disputes", "escalate", "--today", (timezone.localdate() + timedelta(days=45)).isoformat(),
                 stdout=out)
    text = out.getvalue()
    assert f"{dispute.number}: rule Old: escalated to legal" in text
    assert "1 dispute(s) evaluated, 1 rule firing(s), 1 escalated, 0 priority raised, 0 auto-resolved" in text
    with pytest.raises(CommandError, match="not a date"):
        call_command("disputes", "escalate", "--today", "tomorrow", stdout=StringIO())


@pytest.mark.django_db
def test_the_task_runs_in_process_without_a_broker(desk: Desk) -> None:
    create_escalation_rule(name="Any", escalate_to="manager", notify=False, by=desk.manager)
    open_dispute(desk)
    # apply() is the eager path delay() takes when no broker is set
    counts = run_escalation.apply(args=[timezone.localdate().isoformat()]).get()
    assert counts["escalated"] == 1 and counts["failed"] == 0


def test_the_daily_schedule_names_the_task() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["disputes-escalation-daily"]
    assert entry["task"] == run_escalation.name
    assert run_escalation.name in app.tasks  # registered with the app the worker and beat load


def _broker() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL")
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/15"


@pytest.fixture
def worker() -> Iterator[None]:
    """A real Celery worker (in a thread) consuming a queue of its own on the Redis broker."""
    from celery.contrib.testing.worker import start_worker

    url = _broker()
    if url is None:
        pytest.skip("no Redis broker: set CELERY_BROKER_URL (CI does) or run redis-server on 127.0.0.1:6379")
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=f"escalation-{uuid.uuid4().hex}")
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_a_real_worker_through_redis(desk: Desk, worker: None) -> None:
    create_escalation_rule(name="Any", escalate_to="manager", notify=False, by=desk.manager)
    dispute = open_dispute(desk)
    # when the task is queued (as beat would) and a worker picks it up
    run_escalation.delay(timezone.localdate().isoformat())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Escalation.objects.filter(dispute=dispute).exists():
        time.sleep(0.2)
    # then the worker evaluated the dispute in its own database connection
    assert Escalation.objects.filter(dispute=dispute, level="manager").exists()
    assert EscalationRule.objects.get().name == "Any"
