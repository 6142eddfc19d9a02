"""Two analysts resolving the same dispute over the API at the same moment, on real PostgreSQL connections."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import pre_save

from ardesk.disputes.models import Dispute
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.ledger.models import CreditMemo, Invoice
from ardesk.ledger.queries import cache_mismatches
from tests.api.dispute_support import *  # noqa: F403  (the fixtures)
from tests.api.dispute_support import raised

pytestmark = [
    pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""),
                       reason="row locks need PostgreSQL: run with DATABASE_URL=postgres://…"),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call at the same moment on its own thread (so its own connection); return each result."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_analysts_resolving_at_once_one_wins_the_other_gets_409(api_as, analyst, second_analyst, invoice):
    # given a dispute of 100 both analysts have open at the same version
    first, second = api_as(analyst), api_as(second_analyst)
    dispute = raised(first, invoice, "100.00", reason_code="pricing")
    path = f"/disputes/{dispute['id']}"
    version = first.post(f"{path}/status", {"to": "in_review"}).json()["version"]

    def hold(**kwargs: Any) -> None:  # keep the winner inside its transaction so the other meets its lock
        time.sleep(0.3)

    pre_save.connect(hold, sender=CreditMemo, weak=False)
    try:
        # when both resolve it at once, differently
        results = _race(
            lambda: first.post(f"{path}/resolve", {"outcome": "accepted", "version": version}),
            lambda: second.post(f"{path}/resolve", {"outcome": "partly_accepted", "accepted_amount": "30.00",
                                                    "version": version}),
        )
    finally:
        pre_save.disconnect(hold, sender=CreditMemo)
    # then exactly one got 200 and the other 409, and one credit memo was booked
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.content for r in results]
    loser = next(r for r in results if r.status_code == 409).json()
    assert loser["code"] in {"conflict", "stale_version"} and loser["field"] in {"status", "version"}
    memo = CreditMemo.objects.get()
    winner = next(r for r in results if r.status_code == 200).json()
    assert Dispute.objects.get().outcome == winner["dispute"]["outcome"]
    invoice = Invoice.objects.get()
    assert invoice.open_amount == Decimal("500.00") - memo.amount and invoice.disputed_amount == Decimal("0")
    assert cache_mismatches() == [] and disputed_cache_mismatches() == []
