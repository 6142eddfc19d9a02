"""The dispute reports against figures worked out by hand (tests/insights/dispute_world.py)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from ardesk.disputes.models import ReasonCode, RootCause
from ardesk.insights.dispute_report import Period, ReportKind, default_period
from ardesk.insights.dispute_stats import month_start, months_between
from ardesk.insights.dispute_tables import dispute_report
from tests.insights.dispute_world import DisputeWorld, build_dispute_world

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(db) -> DisputeWorld:  # type: ignore[no-untyped-def]
    return build_dispute_world()


def report(world: DisputeWorld, kind: ReportKind, *, user: object = "manager", days_back: int = 0):  # type: ignore[no-untyped-def]
    as_of = world.today - timedelta(days=days_back)
    who = getattr(world, user) if isinstance(user, str) else user
    return dispute_report(kind, period=default_period(as_of), user=who)


def test_by_reason_counts_the_managers_customers_in_company_currency(world: DisputeWorld):
    table = report(world, ReportKind.BY_REASON)
    pricing = table.row(str(ReasonCode.objects.get(code="pricing").pk))
    # d1 200 + d2 60 + d4 400 USD × 0.9 + d6 100; the South dispute d5 is outside the manager's team
    assert (pricing["disputes"], pricing["amount"], pricing["open"], pricing["resolved"]) == (4, D("720.00"), 2, 2)
    assert (pricing["accepted"], pricing["recovered"]) == (D("410.00"), D("150.00"))
    short = table.row(str(ReasonCode.objects.get(code="quantity_short").pk))
    assert (short["disputes"], short["amount"], short["recovered"]) == (1, D("150.00"), D("150.00"))
    assert short["accepted"] == 0
    assert table.total["disputes"] == 5 and table.total["amount"] == D("870.00")
    assert pricing["share"] == D("0.8276")  # 720 / 870
    assert table.rates == {"USD": D("0.9")}


def test_the_command_line_sees_every_customer(world: DisputeWorld):
    table = dispute_report(ReportKind.BY_REASON, period=default_period(world.today), user=None)
    assert table.total["disputes"] == 6 and table.total["amount"] == D("970.00")


def test_a_collector_with_no_customers_gets_an_empty_report(world: DisputeWorld):
    from tests.factories import UserFactory
    table = report(world, ReportKind.BY_CUSTOMER, user=UserFactory(username="lonely", role="collector"))
    assert table.rows == () and table.total["disputes"] == 0


def test_by_customer_labels_and_orders_largest_first(world: DisputeWorld):
    table = report(world, ReportKind.BY_CUSTOMER)
    assert table.values("label") == ["C-ALPHA Alpha GmbH", "C-YANK Yankee Inc", "C-BETA Beta SARL"]
    assert table.values("amount") == [D("360.00"), D("360.00"), D("150.00")]


def test_by_sku_splits_whole_invoice_disputes_by_line(world: DisputeWorld):
    table = report(world, ReportKind.BY_SKU)
    sku1, sku2, none = table.row("SKU-1"), table.row("SKU-2"), table.row("")
    # d1 (200 on A1: SKU-1 100 + SKU-2 100, 50 granted → 25 each) and d3 (150 on B1, SKU-1 only)
    assert (sku1["disputes"], sku1["amount"], sku1["accepted"], sku1["recovered"]) == (2, D("250.00"), D("25.00"),
                                                                                      D("225.00"))
    # d1's half and d2's line of 60, still open
    assert (sku2["disputes"], sku2["amount"], sku2["open"], sku2["accepted"]) == (2, D("160.00"), 1, D("25.00"))
    assert none["label"] == "(no SKU)" and none["amount"] == D("460.00")  # d4 360 EUR + d6 100
    assert table.total["amount"] == D("870.00")


def test_by_sales_rep(world: DisputeWorld):
    table = report(world, ReportKind.BY_SALES_REP)
    assert table.row("Rita")["amount"] == D("260.00")
    assert table.row("Sam")["amount"] == D("510.00") and table.row("Sam")["disputes"] == 2
    assert table.row("")["label"] == "(no sales rep)"


def test_by_status_owner_root_cause_and_age(world: DisputeWorld):
    status = report(world, ReportKind.BY_STATUS)
    assert status.values("key") == ["new", "closed"] and status.values("amount") == [D("160.00"), D("710.00")]
    owner = report(world, ReportKind.BY_OWNER)
    assert owner.row(str(world.analyst.pk))["label"] == "Dana Analyst (dana)"
    assert owner.row("")["disputes"] == 4
    causes = report(world, ReportKind.BY_ROOT_CAUSE)
    assert causes.row(str(RootCause.objects.get(code="pricing_error").pk))["amount"] == D("560.00")
    assert causes.row("")["label"] == "(no root cause yet)"
    age = report(world, ReportKind.BY_AGE)
    assert age.values("label") == ["0–30 days"] and age.row("0")["disputes"] == 2  # d2 (10 days), d6 (30 days)


def test_cycle_time_and_recovery_by_outcome(world: DisputeWorld):
    table = report(world, ReportKind.CYCLE_TIME)
    partly, rejected, accepted = table.row("partly_accepted"), table.row("rejected"), table.row("accepted")
    assert (partly["resolved"], partly["average_days"], partly["recovered"]) == (1, D(20), D("150.00"))
    assert (rejected["average_days"], rejected["recovery_rate"]) == (D(10), D(1))
    assert (accepted["average_days"], accepted["amount"], accepted["recovered"]) == (D(35), D("360.00"), D(0))
    total = table.total
    assert total["resolved"] == 3
    assert total["average_days"].quantize(D("0.01")) == D("21.67")  # (20 + 10 + 35) / 3
    assert total["p90_days"] == D(32)  # 20 + 0.8 × (35 − 20)


def test_sla_breach_rate(world: DisputeWorld):
    table = report(world, ReportKind.SLA)
    pricing = table.row(str(ReasonCode.objects.get(code="pricing").pk))
    # d1 resolved 5 days late, d4 20 days late, d6 open 15 days past its SLA; d2 still inside it
    assert (pricing["disputes"], pricing["breached"], pricing["breach_rate"]) == (4, 3, D("0.75"))
    assert (pricing["open"], pricing["open_breached"]) == (2, 1)
    assert table.total["breach_rate"] == D("0.6")  # d3 was resolved on its SLA day: not breached


def test_pareto_of_root_causes(world: DisputeWorld):
    table = report(world, ReportKind.PARETO)
    assert table.values("label") == ["Pricing error", "Shipping error"]
    assert table.values("amount") == [D("560.00"), D("150.00")]
    assert table.values("cumulative_share") == [D("0.7887"), D("1.0000")]
    assert table.values("cumulative_count_share") == [D("0.6667"), D("1.0000")]


def test_recurring_disputes(world: DisputeWorld):
    table = report(world, ReportKind.RECURRING)
    pricing = ReasonCode.objects.get(code="pricing")
    row = table.row(f"{world.alpha.pk}:{pricing.pk}")
    # d1 (day −100), d6 (−30, 70 days later), d2 (−10): two recurrences
    assert (row["disputes"], row["recurrences"], row["amount"]) == (3, 2, D("360.00"))
    assert (row["first_raised"], row["last_raised"]) == (world.d1.raised_on, world.d2.raised_on)
    assert len(table.rows) == 1


def test_trends_month_by_month(world: DisputeWorld):
    table = report(world, ReportKind.TRENDS)
    assert len(table.rows) == 12
    raised = Counter(month_start(d.raised_on).isoformat()[:7] for d in (world.d1, world.d2, world.d3, world.d4,
                                                                        world.d6))
    resolved = Counter(month_start(d.resolved_at.date()).isoformat()[:7] for d in (world.d1, world.d3, world.d4))
    assert {r[0]: r[2] for r in table.rows if r[2]} == dict(raised)
    assert {r[0]: r[4] for r in table.rows if r[4]} == dict(resolved)
    assert table.total["raised_amount"] == D("870.00") and table.total["accepted"] == D("410.00")


def test_a_past_as_of_date_counts_what_was_raised_and_resolved_by_then(world: DisputeWorld):
    # 90 days ago only d1 had been raised, and it was resolved ten days later
    table = report(world, ReportKind.BY_REASON, days_back=90)
    assert table.total["disputes"] == 1 and table.total["open"] == 1 and table.total["accepted"] == 0
    age = report(world, ReportKind.BY_AGE, days_back=90)
    assert age.row("0")["disputes"] == 1
    # 50 days ago: d1 and d3 resolved, d4 not yet raised
    later = report(world, ReportKind.CYCLE_TIME, days_back=50)
    assert later.total["resolved"] == 2 and later.total["p90_days"] == D(19)  # 10 + 0.9 × 10


def test_the_period_narrows_by_raise_date(world: DisputeWorld):
    period = Period(world.today, world.today - timedelta(days=35), world.today)
    table = dispute_report(ReportKind.BY_REASON, period=period, user=world.manager)
    assert table.total["disputes"] == 2  # d2 and d6
    assert months_between(period.raised_from, period.raised_to)[0] == month_start(period.raised_from)


def test_recurrences_in_sql_follow_the_pure_definition(world: DisputeWorld):
    # given more disputes of Beta for the same reason at varied gaps
    from ardesk.disputes.models import Dispute
    from ardesk.insights.dispute_stats import Raised, recurrences
    from tests.insights.dispute_world import backdate
    base = world.d3
    for n, back in enumerate((161, 39, 5)):
        copy = Dispute.objects.get(pk=base.pk)
        copy.pk, copy.number = None, f"DSP-COPY-{n}"
        copy.save()
        backdate(copy, raised=world.today - timedelta(days=back), sla_due=world.today)
    period = Period(world.today, world.today - timedelta(days=150), world.today)
    table = dispute_report(ReportKind.RECURRING, period=period, user=world.manager)
    everyone = Dispute.objects.filter(customer__team=world.north)
    expected = recurrences(Raised(d.pk, d.customer_id, d.reason_code_id, d.raised_on) for d in everyone)
    in_period = Counter((d.customer_id, d.reason_code_id) for d in everyone
                        if d.pk in expected and d.raised_on >= period.raised_from)
    assert {tuple(map(int, r[0].split(":"))): r[4] for r in table.rows} == dict(in_period)
    # Beta: −161, −70 (91 days later: no), −39 and −5 (yes)
    assert table.row(f"{world.beta.pk}:{world.d3.reason_code_id}")["recurrences"] == 2
