"""The aging ties to the ledger to the cent, whatever the ledger: random invoices, payments, applications,
reversals and write-offs on random dates, booked through the ledger services, then aged as of random dates
and compared with open amounts computed here, independently, from the entries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ardesk.insights.aging import bucket_for, days_past_due
from ardesk.insights.queries import aging_report, group_sums, report_buckets
from ardesk.insights.report import Grouping, Source
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Application, Invoice, WriteOff
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
CENT = Decimal("0.01")
USD_RATE = Decimal("0.9137")
HISTORY = 400  # days of history before today


@dataclass(frozen=True)
class PlannedInvoice:
    customer: int  # 0: EUR customer, 1: USD customer
    issued: int  # days after the start of the history
    terms: int
    cents: int
    erp_cents: int  # settled in the ERP before import (0: none)
    erp_after: int | None  # days after issue the ERP settled it; None: no date known


@dataclass(frozen=True)
class Action:
    kind: str  # "pay", "write_off" or "reverse"
    target: int  # an invoice (pay, write_off) or an earlier entry (reverse), modulo how many there are
    percent: int  # of what is open
    after: int  # days after the invoice's issue (or after the reversed entry)


invoices_st = st.builds(
    PlannedInvoice, customer=st.integers(0, 1), issued=st.integers(0, HISTORY - 60), terms=st.integers(0, 60),
    cents=st.integers(1, 1_000_000), erp_cents=st.one_of(st.just(0), st.integers(1, 1_000_000)),
    erp_after=st.one_of(st.none(), st.integers(0, 120)),
)
actions_st = st.builds(Action, kind=st.sampled_from(["pay", "pay", "write_off", "reverse"]),
                       target=st.integers(0, 50), percent=st.integers(1, 100), after=st.integers(0, 200))


def _book(plan: list[PlannedInvoice], actions: list[Action], start: date, today: date) -> None:
    """Book the plan through the ledger services (ERP settlements are imported rows, so a factory makes them)."""
    by = UserFactory(username="tie-clerk", role="admin")
    customers = [CustomerFactory(number="TIE-EUR", currency="EUR"), CustomerFactory(number="TIE-USD", currency="USD")]
    booked: list[Invoice] = []
    for n, p in enumerate(plan):
        customer = customers[p.customer]
        issued = start + timedelta(days=p.issued)
        amount = Decimal(p.cents) * CENT
        erp = min(Decimal(p.erp_cents) * CENT, amount)
        if erp:
            settled_on = None if p.erp_after is None else min(issued + timedelta(days=p.erp_after), today)
            booked.append(InvoiceFactory(
                customer=customer, number=f"TIE-{n}", issue_date=issued, due_date=issued + timedelta(days=p.terms),
                amount=amount, erp_settled_amount=erp, erp_settled_on=settled_on, open_amount=amount - erp))
        else:
            booked.append(ledger.book_invoice(customer=customer, number=f"TIE-{n}", issue_date=issued,
                                              due_date=issued + timedelta(days=p.terms), currency=customer.currency,
                                              amount=amount, by=by))
    entries: list[Application | WriteOff] = []
    for n, action in enumerate(actions):
        if action.kind == "reverse":
            live = [e for e in entries if e.reverses_id is None and not type(e).objects.filter(reverses=e).exists()]
            if not live:
                continue
            original = live[action.target % len(live)]
            original_on = original.applied_on if isinstance(original, Application) else original.written_off_on
            on = min(original_on + timedelta(days=action.after), today)
            if isinstance(original, Application):
                ledger.reverse_application(application=original, on=on, reason="tie test", by=by)
            else:
                ledger.reverse_write_off(entry=original, on=on, reason="tie test", by=by)
            continue
        invoice = booked[action.target % len(booked)]
        invoice.refresh_from_db()
        amount = (invoice.open_amount * action.percent / 100).quantize(CENT)
        if amount <= 0:
            continue
        on = min(invoice.issue_date + timedelta(days=action.after), today)
        if action.kind == "pay":
            payment = ledger.record_payment(customer=invoice.customer, number=f"TIE-P{n}", received_on=on,
                                            currency=invoice.currency, amount=amount, by=by)
            entries.append(ledger.apply_payment(payment=payment, invoice=invoice, amount=amount, on=on, by=by))
        else:
            entries.append(ledger.write_off(invoice=invoice, amount=amount, reason_code="tie", on=on, by=by))
    ledger.set_fx_rate(currency="USD", rate_date=start - timedelta(days=1), rate=USD_RATE, by=by)


def _event_days() -> set[date]:
    days = set(Application.objects.values_list("applied_on", flat=True))
    days |= set(WriteOff.objects.values_list("written_off_on", flat=True))
    for issued, due, settled in Invoice.objects.values_list("issue_date", "due_date", "erp_settled_on"):
        days |= {issued, due, *([settled] if settled else [])}
    return days


def _expected(as_of: date) -> dict[tuple[str, str], Decimal]:
    """Open money per (currency, bucket) as of a date, from the entries alone, one invoice at a time."""
    limits = django_settings.ARDESK_AGING_BUCKETS
    found: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for invoice in Invoice.objects.filter(issue_date__lte=as_of):
        open_ = invoice.amount
        # An ERP settlement without a date was made before ardesk knew the invoice.
        if invoice.erp_settled_on is None or invoice.erp_settled_on <= as_of:
            open_ -= invoice.erp_settled_amount
        open_ -= sum((a.amount for a in invoice.applications.all() if a.applied_on <= as_of), Decimal(0))
        open_ -= sum((w.amount for w in invoice.write_offs.all() if w.written_off_on <= as_of), Decimal(0))
        bucket = bucket_for(days_past_due(invoice.due_date, as_of), limits)
        found[(invoice.currency, bucket.key)] += open_
    return {k: v for k, v in found.items() if v}


def _reported(as_of: date, source: Source) -> dict[tuple[str, str], Decimal]:
    report = aging_report(as_of=as_of, by=Grouping.CURRENCY, user=None, source=source)
    found = {}
    for row in report.rows:
        assert row.original is not None
        for bucket, original, converted in zip(report.buckets, row.original.buckets, row.amounts.buckets,
                                               strict=True):
            rate = USD_RATE if row.key == "USD" else Decimal(1)
            assert converted == (original * rate).quantize(CENT), "each cell converts at the as-of rate"
            if original:
                found[(row.key, bucket.key)] = original
    assert report.totals.total == sum((r.amounts.total for r in report.rows), Decimal(0))
    assert report.totals.total == sum(report.totals.buckets, Decimal(0))
    return found


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=st.lists(invoices_st, min_size=1, max_size=6), actions=st.lists(actions_st, max_size=12),
       ages=st.lists(st.integers(0, HISTORY + 5), min_size=1, max_size=2),
       picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3))
def test_aging_ties_to_the_ledger_on_any_date(db, plan, actions, ages, picks):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    start = today - timedelta(days=HISTORY)
    with transaction.atomic():
        # given a random ledger booked through the services
        _book(plan, actions, start, today)
        # The days something happened are where an off-by-one hides: age on them and the day before.
        events = sorted(_event_days())
        picked = [events[p % len(events)] - timedelta(days=shift) for p in picks for shift in (0, 1)]
        for as_of in sorted({*picked, *(start + timedelta(days=a) for a in ages)} - {today}):
            # when it is aged as of a past date, both ways
            expected = _expected(as_of)
            by_rollback = _reported(as_of, Source.ROLLBACK)
            by_entries = _reported(as_of, Source.ENTRIES)
            # then every bucket of every currency is what the entries say, to the cent
            assert by_rollback == expected
            assert by_entries == expected
            # and the buckets of each group partition the total the query sums on its own
            for cell in group_sums(as_of=as_of, by=Grouping.CUSTOMER, user=None, source=Source.ROLLBACK,
                                   bucket_list=report_buckets()):
                assert sum(cell.buckets, Decimal(0)) == cell.total
        # and today's aging is the sum of the cached open amounts
        cached = _reported(today, Source.CACHE)
        open_now: dict[str, Decimal] = defaultdict(Decimal)
        for invoice in Invoice.objects.all():
            open_now[invoice.currency] += invoice.open_amount
        per_currency: dict[str, Decimal] = defaultdict(Decimal)
        for (currency, _), amount in cached.items():
            per_currency[currency] += amount
        assert per_currency == {k: v for k, v in open_now.items() if v}
        assert cached == _expected(today)
        transaction.set_rollback(True)
