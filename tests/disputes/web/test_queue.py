"""The queue's filter: parsed from a query string (naming the bad parameter) and applied within scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from ardesk.disputes.models import Dispute, ReasonCode
from ardesk.disputes.queue import (
    ALL_STATUS,
    OPEN_STATUS,
    BadFilter,
    QueueFilter,
    dispute_or_404,
    parse_filter,
    queue,
    queue_summary,
    sla_state,
)
from ardesk.disputes.workflow import Status
from tests.factories import CustomerFactory, InvoiceFactory, TeamFactory, UserFactory

D = Decimal
TODAY = date(2026, 11, 20)


# -- parsing (pure) --------------------------------------------------------------------------------

def test_an_empty_query_string_means_open_disputes_by_sla():
    f = parse_filter({})
    assert f == QueueFilter() and f.status == OPEN_STATUS and f.sort == "sla_due"
    assert Status.CLOSED not in f.status and Status.RESOLVED not in f.status


def test_every_parameter_is_parsed():
    f = parse_filter({"status": "resolved,closed", "reason": "Pricing", "owner": "7", "team": "3",
                      "department": "sales", "min_age_days": "10", "max_age_days": "30", "sla": "breached",
                      "min_amount": "1,000.50", "max_amount": "5000", "customer": "9", "q": "  acme   gmbh ",
                      "escalated": "yes", "priority": "4", "sort": "-amount"})
    assert f.status == (Status.RESOLVED, Status.CLOSED) and f.reason == "pricing" and f.owner == 7
    assert (f.team, f.department, f.min_age_days, f.max_age_days, f.sla) == (3, "sales", 10, 30, "breached")
    assert (f.min_amount, f.max_amount, f.customer, f.q) == (D("1000.50"), D("5000"), 9, "acme gmbh")
    assert (f.escalated, f.priority, f.sort) == (True, 4, "-amount")
    assert parse_filter(f.as_params()) == f


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "pending"}, "status"), ({"owner": "bob"}, "owner"), ({"min_amount": "ten"}, "min_amount"),
    ({"max_amount": "-5"}, "max_amount"), ({"min_amount": "NaN"}, "min_amount"), ({"sla": "late"}, "sla"),
    ({"sort": "number"}, "sort"), ({"priority": "9"}, "priority"), ({"escalated": "maybe"}, "escalated"),
    ({"min_age_days": "5", "max_age_days": "2"}, "min_age_days"), ({"team": "x1"}, "team"),
    ({"reason": "no such!"}, "reason"), ({"q": "x" * 101}, "q"), ({"customer": "0"}, "customer"),
])
def test_a_bad_parameter_is_refused_by_name(params, field):
    with pytest.raises(BadFilter) as caught:
        parse_filter(params)
    assert caught.value.field == field and field in caught.value.message


def test_all_open_me_and_none_are_words_the_filter_knows():
    assert parse_filter({"status": "all"}).status == ALL_STATUS
    assert parse_filter({"status": "open"}).status == OPEN_STATUS
    assert parse_filter({"owner": "me"}).owner == "me" and parse_filter({"owner": "none"}).owner == "none"


def test_sla_state_counts_two_days_as_due_soon_and_ignores_settled_disputes():
    assert sla_state(is_open=True, sla_due=TODAY - timedelta(days=1), today=TODAY) == "breached"
    assert sla_state(is_open=True, sla_due=TODAY, today=TODAY) == "due_soon"
    assert sla_state(is_open=True, sla_due=TODAY + timedelta(days=2), today=TODAY) == "due_soon"
    assert sla_state(is_open=True, sla_due=TODAY + timedelta(days=3), today=TODAY) == "on_track"
    assert sla_state(is_open=False, sla_due=TODAY - timedelta(days=9), today=TODAY) == ""


# -- the queryset ----------------------------------------------------------------------------------

def _dispute(number: str, customer, *, status: str = "new", amount: str = "100.00", accepted: str = "0",
             raised_days_ago: int = 5, sla_in_days: int = 10, owner=None, priority: int = 2,
             reason: str = "pricing", department: str = "sales", escalation: str = "",
             currency: str = "EUR", invoice_number: str = "") -> Dispute:  # type: ignore[no-untyped-def]
    dispute = Dispute.objects.create(
        number=number, customer=customer, kind="invoice", status=status,
        outcome="accepted" if status in ("resolved", "closed") else "", amount=D(amount), accepted_amount=D(accepted),
        raised_on=TODAY - timedelta(days=raised_days_ago), sla_due=TODAY + timedelta(days=sla_in_days),
        owner=owner, priority=priority, reason_code=ReasonCode.objects.get(code=reason), department=department,
        escalation_level=escalation, currency=currency,
        root_cause_id=None)
    if invoice_number:
        invoice = InvoiceFactory(customer=customer, number=invoice_number)
        dispute.items.create(invoice=invoice, amount=D(amount))
    return dispute


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    team, other_team = TeamFactory(name="North"), TeamFactory(name="South")
    analyst = UserFactory(username="ana", role="dispute_analyst", team=team)
    colleague = UserFactory(username="col", role="dispute_analyst", team=team)
    acme = CustomerFactory(name="Acme GmbH", number="C-ACME", team=team)
    bolt = CustomerFactory(name="Bolt SA", number="C-BOLT", team=team, currency="USD")
    hidden = CustomerFactory(name="Hidden Ltd", team=other_team)
    rows = {
        "mine": _dispute("DSP-1", acme, owner=analyst, sla_in_days=-3, amount="500.00", priority=4,
                         raised_days_ago=40, invoice_number="INV-777"),
        "theirs": _dispute("DSP-2", acme, owner=colleague, sla_in_days=1, reason="tax", department="tax",
                           escalation="manager", raised_days_ago=3),
        "unowned": _dispute("DSP-3", bolt, sla_in_days=20, amount="50.00", currency="USD", status="in_review"),
        "partly": _dispute("DSP-4", bolt, amount="1000.00", accepted="900.00", currency="USD", sla_in_days=5),
        "closed": _dispute("DSP-5", acme, status="resolved", sla_in_days=-30),
        "hidden": _dispute("DSP-6", hidden, sla_in_days=-5),
    }
    return analyst, colleague, team, acme, bolt, rows


def _numbers(user, **params) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.number for d in queue(user, parse_filter(params), TODAY)]


def test_the_default_queue_is_open_disputes_in_scope_soonest_sla_first(world):
    analyst, *_ = world
    assert _numbers(analyst) == ["DSP-1", "DSP-2", "DSP-4", "DSP-3"]


def test_each_filter_narrows_the_queue(world):
    analyst, colleague, team, _acme, bolt, _ = world
    assert _numbers(analyst, status="all") == ["DSP-5", "DSP-1", "DSP-2", "DSP-4", "DSP-3"]
    assert _numbers(analyst, status="in_review") == ["DSP-3"]
    assert _numbers(analyst, reason="tax") == ["DSP-2"]
    assert _numbers(analyst, owner="me") == ["DSP-1"]
    assert _numbers(analyst, owner=str(colleague.pk)) == ["DSP-2"]
    assert _numbers(analyst, owner="none") == ["DSP-4", "DSP-3"]
    assert _numbers(analyst, team=str(team.pk), customer=str(bolt.pk)) == ["DSP-4", "DSP-3"]
    assert _numbers(analyst, department="tax") == ["DSP-2"]
    assert _numbers(analyst, min_age_days="30") == ["DSP-1"]
    assert _numbers(analyst, max_age_days="4") == ["DSP-2"]
    assert _numbers(analyst, sla="breached") == ["DSP-1"]  # the resolved one past its SLA is not in breach
    assert _numbers(analyst, sla="due_soon") == ["DSP-2"]
    assert _numbers(analyst, sla="on_track") == ["DSP-4", "DSP-3"]
    assert _numbers(analyst, min_amount="100", max_amount="400") == ["DSP-2", "DSP-4"]  # outstanding, not amount
    assert _numbers(analyst, escalated="1") == ["DSP-2"]
    assert _numbers(analyst, escalated="0") == ["DSP-1", "DSP-4", "DSP-3"]
    assert _numbers(analyst, priority="4") == ["DSP-1"]


def test_text_search_finds_dispute_customer_and_invoice_numbers(world):
    analyst, *_ = world
    assert _numbers(analyst, q="dsp-2") == ["DSP-2"]
    assert _numbers(analyst, q="bolt") == ["DSP-4", "DSP-3"]
    assert _numbers(analyst, q="C-ACME") == ["DSP-1", "DSP-2"]
    assert _numbers(analyst, q="inv-777") == ["DSP-1"]
    assert _numbers(analyst, q="hidden") == []  # out of scope stays out of reach


@pytest.mark.parametrize(("sort", "expected"), [
    ("-sla_due", ["DSP-3", "DSP-4", "DSP-2", "DSP-1"]), ("-age", ["DSP-1", "DSP-3", "DSP-4", "DSP-2"]),
    ("-amount", ["DSP-1", "DSP-4", "DSP-2", "DSP-3"]), ("amount", ["DSP-3", "DSP-2", "DSP-4", "DSP-1"]),
    ("-priority", ["DSP-1", "DSP-2", "DSP-4", "DSP-3"]), ("customer", ["DSP-1", "DSP-2", "DSP-3", "DSP-4"]),
])
def test_sorting(world, sort, expected):
    analyst, *_ = world
    assert _numbers(analyst, sort=sort) == expected


def test_the_summary_counts_breaches_and_sums_outstanding_per_currency(world):
    analyst, *_ = world
    summary = queue_summary(analyst, parse_filter({}), TODAY)
    assert summary == {"count": 4, "sla_breached": 1,
                       "outstanding": {"EUR": D("600.00"), "USD": D("150.00")}}


def test_a_dispute_out_of_scope_is_not_found(world):
    analyst, *_, rows = world
    assert dispute_or_404(analyst, rows["mine"].pk) == rows["mine"]
    for pk in (rows["hidden"].pk, "abc", 10**30, -1):
        with pytest.raises(Http404):
            dispute_or_404(analyst, pk)
