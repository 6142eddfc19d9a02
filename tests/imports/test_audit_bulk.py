"""The bulk append used by imports keeps the audit chain whole."""

from __future__ import annotations

import pytest

from ardesk.audit.models import AuditEvent
from ardesk.audit.queries import verify_chain
from ardesk.audit.services import SYSTEM, EventSpec, record, record_many

pytestmark = pytest.mark.django_db


def test_bulk_events_continue_the_chain_in_order(admin_user):
    # given an event written the ordinary way
    record(actor=admin_user, verb="thing.done", subject=("test.thing", 1))
    # when many more are appended in bulk, across several batches
    written = record_many(actor=SYSTEM, batch_size=7, events=(
        EventSpec(verb="thing.changed", subject=("test.thing", n), before={"n": n}, after={"n": n + 1},
                  reason="import #1 things.csv") for n in range(20)))
    # then
    assert written == 20
    count, breaks = verify_chain()
    assert (count, breaks) == (21, [])
    last = AuditEvent.objects.order_by("-seq").first()
    assert (last.seq, last.subject_id, last.after, last.actor_label) == (21, "19", {"n": 20}, "system")


def test_nothing_to_append_writes_nothing():
    assert record_many(actor=SYSTEM, events=[]) == 0
    assert not AuditEvent.objects.exists()
