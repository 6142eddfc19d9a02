"""Two people at once, on real concurrent PostgreSQL connections: exactly one wins, nothing is booked twice."""

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

from ardesk.disputes import rules, services, sku_split
from ardesk.disputes.models import Dispute, ItemSkuShare, Kind, ReasonCode
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.errors import Conflict
from ardesk.imports.services import execute
from ardesk.imports.signals import batch_applied
from ardesk.ledger.models import CreditMemo, Invoice
from ardesk.ledger.queries import cache_mismatches
from tests.factories import InvoiceFactory, UserFactory

pytestmark = [
    pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""),
                       reason="row locks need PostgreSQL: run with DATABASE_URL=postgres://…"),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
D = Decimal


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call at the same moment on its own connection; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # collected for the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _slow_down(model: type) -> Callable[[], None]:
    """Hold the winner inside its transaction for a moment, so the other really meets its lock."""

    def pause(**kwargs: Any) -> None:
        time.sleep(0.3)

    pre_save.connect(pause, sender=model, weak=False)
    return lambda: pre_save.disconnect(pause, sender=model)


def test_two_analysts_resolving_the_same_dispute_one_wins_the_other_gets_a_conflict():
    # given a dispute both analysts have open at the same version
    first = UserFactory(username="ana1", role="dispute_analyst")
    second = UserFactory(username="ana2", role="dispute_analyst")
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE,
                                     reason_code=ReasonCode.objects.get(code="pricing"),
                                     items=[services.ItemInput(invoice=invoice, amount=D("30.00"))], by=first)
    dispute = services.change_status(dispute=dispute, to="in_review", by=first)
    undo = _slow_down(CreditMemo)
    try:
        # when both accept it at once
        results = _race(
            lambda: services.resolve(dispute=dispute, outcome="accepted", version=dispute.version, by=first),
            lambda: services.resolve(dispute=dispute, outcome="partly_accepted", accepted_amount=D("10.00"),
                                     version=dispute.version, by=second),
        )
    finally:
        undo()
    # then exactly one resolution landed and the other was told it conflicts
    won = [r for r in results if isinstance(r, services.Resolution)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], Conflict), lost[0]
    memo = CreditMemo.objects.get()  # booked once
    invoice.refresh_from_db()
    assert invoice.open_amount == D("100.00") - memo.amount and invoice.disputed_amount == D("0")
    assert Dispute.objects.get().outcome == won[0].dispute.outcome
    assert cache_mismatches() == [] and disputed_cache_mismatches() == []


def test_two_disputes_racing_for_the_same_money_cannot_both_have_it():
    # given an invoice of 100 and two people each disputing 60 of it at once
    user = UserFactory(username="ana3", role="dispute_analyst")
    invoice = InvoiceFactory(amount=D("100.00"))

    def raise_60() -> Dispute:
        return services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, confirm_duplicate=True,
                                      items=[services.ItemInput(invoice=invoice, amount=D("60.00"))], by=user)

    undo = _slow_down(Dispute)
    try:
        results = _race(raise_60, raise_60)
    finally:
        undo()
    # then one dispute holds 60 and the other is refused: never 120 in dispute on an invoice of 100
    assert sorted(type(r).__name__ for r in results) == ["Dispute", "OverDispute"], results
    assert isinstance(next(r for r in results if isinstance(r, Exception)), rules.OverDispute)
    assert Invoice.objects.get().disputed_amount == D("60.00")
    assert disputed_cache_mismatches() == []


def test_a_dispute_raised_while_lines_are_imported_onto_its_invoice_neither_deadlocks_nor_misses_them(tmp_path):
    # given an invoice without lines, and an import of its lines that is still writing
    analyst = UserFactory(username="ana3", role="dispute_analyst")
    admin = UserFactory(username="adm3", role="admin")
    invoice = InvoiceFactory(number="RACE-1", amount=D("120.00"))
    path = tmp_path / "lines.csv"
    path.write_text("invoice_number,line_no,sku,description,quantity,unit_price,tax_amount\n"
                    "RACE-1,1,A,,1,90,0\nRACE-1,2,B,,1,30,0\n")

    def hold_import(**kwargs: Any) -> None:
        time.sleep(0.5)  # the lines are in, not yet committed, and the import holds the audit chain

    batch_applied.connect(hold_import, weak=False)
    try:
        # when the import and the raise run at once
        imported, dispute = _race(
            lambda: execute(kind="invoice-lines", path=path, filename=path.name, by=admin),
            lambda: (time.sleep(0.2), services.raise_dispute(
                customer=invoice.customer, kind=Kind.INVOICE, reason_code=ReasonCode.objects.get(code="pricing"),
                items=[services.ItemInput(invoice=invoice, amount=D("60.00"))], by=analyst))[1])
    finally:
        batch_applied.disconnect(hold_import)
    # then both land (the import's foreign-key checks wait for the raise, not the audit chain for both), and
    # the dispute is split by the imported lines, whichever wrote its split first
    assert imported.created == 2, imported
    assert isinstance(dispute, Dispute), dispute
    assert dict(ItemSkuShare.objects.filter(dispute=dispute).values_list("sku", "weight")) == {
        "A": D("0.75"), "B": D("0.25")}
    assert sku_split.stale_count() == 0
