"""The audit log as stored: append-only on PostgreSQL, and `ardesk audit verify` finds any tampering."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardesk.audit import services
from ardesk.audit.models import AuditEvent
from ardesk.audit.queries import history, verify_chain
from tests.audit.helpers import append_only_trigger_disabled, raw_delete, raw_update_reason
from tests.factories import CustomerFactory

postgres_only = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="the append-only trigger exists on PostgreSQL only (SQLite has no pgtrigger): "
           "run with DATABASE_URL=postgres://…",
)


def record_some(actor: Any, count: int) -> list[AuditEvent]:
    customer = CustomerFactory()
    return [
        services.record(actor=actor, verb="customer.changed", subject=customer,
                        before={"credit_limit": Decimal("1000.00")}, after={"credit_limit": Decimal(f"{n}000.00")},
                        reason=f"review {n}")
        for n in range(count)
    ]


def verify_command() -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as failure:
        return out.getvalue(), err.getvalue(), failure
    return out.getvalue(), err.getvalue(), None


@pytest.mark.django_db
def test_events_chain_in_order_and_name_actor_subject_and_change(clerk: Any) -> None:
    # when
    first, second = record_some(clerk, 2)
    # then
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    stored = AuditEvent.objects.get(seq=2)
    assert (stored.actor_id, stored.actor_label, stored.verb) == (clerk.pk, "cora", "customer.changed")
    assert stored.before == {"credit_limit": "1000.00"} and stored.after == {"credit_limit": "1000.00"}
    assert list(history(("customers.customer", stored.subject_id))) == [second, first]


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_event_and_no_gap(clerk: Any) -> None:
    record_some(clerk, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_some(clerk, 1)
        raise RuntimeError("the change failed")
    record_some(clerk, 1)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert verify_chain() == (2, [])


# Text as it can reach the database: no NUL (PostgreSQL refuses it) and no lone surrogates.
TEXT = st.characters(codec="utf-8", exclude_characters="\x00")
json_leaf = (st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(TEXT)
             | st.decimals(allow_nan=False, allow_infinity=False, places=3) | st.dates() | st.floats() | st.integers())
payloads = st.dictionaries(
    st.text(TEXT, max_size=10),
    st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(TEXT, max_size=5), inner, max_size=3),
                 max_leaves=6),
    max_size=5,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=payloads, after=payloads, reason=st.text(TEXT, max_size=40))
def test_any_payload_survives_the_database_round_trip_and_verifies(clerk: Any, before: dict[str, Any],
                                                                   after: dict[str, Any], reason: str) -> None:
    # jsonb reorders keys and normalises numbers; the chain must still verify what was written.
    with transaction.atomic():
        services.record(actor=clerk, verb="test.payload", subject=("test", 1), before=before, after=after,
                        reason=reason)
        assert verify_chain() == (1, [])
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_floats_are_stored_as_the_database_returns_them(clerk: Any) -> None:
    # given a payload whose floats jsonb would otherwise hand back changed (1e16 as an integer)
    services.record(actor=clerk, verb="test.score", subject=("test", 1),
                    after={"big": 1e16, "whole": 2.0, "part": 0.25, "nan": float("nan")})
    # then the chain verifies and the stored values are plain JSON
    assert verify_chain() == (1, [])
    assert AuditEvent.objects.get().after == {"big": 10**16, "whole": 2, "part": 0.25, "nan": "NaN"}


@pytest.mark.django_db
def test_verify_passes_on_an_intact_log(clerk: Any) -> None:
    record_some(clerk, 5)
    out, err, failure = verify_command()
    assert failure is None, err
    assert "audit log intact: 5 event(s)" in out


@pytest.mark.django_db
def test_verify_reports_an_altered_event_by_its_number(clerk: Any) -> None:
    # given an intact log, and an intruder who rewrites the reason of event 3
    record_some(clerk, 5)
    with append_only_trigger_disabled():
        raw_update_reason(3, "nothing to see here")
    # when
    _, err, failure = verify_command()
    # then
    assert failure is not None and "1 problem(s) in 5 event(s)" in str(failure)
    assert "event 3: altered" in err


@pytest.mark.django_db
def test_verify_reports_a_missing_event_by_its_number(clerk: Any) -> None:
    record_some(clerk, 5)
    with append_only_trigger_disabled():
        raw_delete(2)
    _, err, failure = verify_command()
    assert failure is not None and "in 4 event(s)" in str(failure)
    assert "event 2: missing" in err


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET reason = 'rewritten' WHERE seq = 1",
    "UPDATE audit_auditevent SET hash = prev_hash",
    "DELETE FROM audit_auditevent WHERE seq = 2",
    "DELETE FROM audit_auditevent",
])
def test_the_trigger_refuses_raw_updates_and_deletes(clerk: Any, sql: str) -> None:
    record_some(clerk, 2)
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)
    assert verify_chain() == (2, [])


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_trigger_refuses_updates_and_deletes_through_the_orm(clerk: Any) -> None:
    first, second = record_some(clerk, 2)
    first.reason = "rewritten"
    attempts = [
        lambda: first.save(),
        lambda: AuditEvent.objects.filter(seq=2).update(reason="rewritten"),
        lambda: second.delete(),
        lambda: AuditEvent.objects.all().delete(),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            attempt()
    assert list(AuditEvent.objects.values_list("seq", "reason")) == [(1, "review 0"), (2, "review 1")]


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db
def test_pgtrigger_ignore_is_how_a_test_gets_past_the_trigger_and_verify_still_catches_it(clerk: Any) -> None:
    record_some(clerk, 3)
    with pgtrigger.ignore("audit.AuditEvent:audit_append_only"):
        AuditEvent.objects.filter(seq=1).update(actor_label="mallory")
    _, err, failure = verify_command()
    assert failure is not None
    assert err.strip() == "event 1: altered"


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_console_script_reports_tampering_with_a_failing_exit_status(clerk: Any, tmp_path: Path) -> None:
    # given events committed to the test database, which a separate process can read
    record_some(clerk, 4)
    name = connection.settings_dict["NAME"]
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}", "ARDESK_VAR_DIR": str(tmp_path)}
    script = [str(Path(sys.executable).with_name("ardesk")), "audit", "verify"]
    intact = subprocess.run(script, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert intact.returncode == 0, intact.stderr
    assert "audit log intact: 4 event(s)" in intact.stdout
    # when event 4 is altered behind the application's back
    with append_only_trigger_disabled():
        raw_update_reason(4, "edited")
    broken = subprocess.run(script, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    # then
    assert broken.returncode != 0
    assert "event 4: altered" in broken.stderr
