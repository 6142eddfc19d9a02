from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from ardesk.insights import aging_sql
from ardesk.insights.queries import aging_invoices, aging_report, narrowing, report_buckets
from ardesk.insights.report import AgingReport, Grouping, InvalidReportInput, Source
from ardesk.ledger import services as ledger
from ardesk.ledger.models import Invoice
from ardesk.ledger.queries import NoFxRate
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from tests.insights.conftest import Books, book

pytestmark = pytest.mark.django_db
D = Decimal


def cells(report: AgingReport) -> dict[str, dict[str, Decimal]]:
    """Each row's non-zero buckets, by row label."""
    return {row.label: {k: v for k, v in row.amounts.by_key(report.buckets).items() if v}
            for row in report.rows}


def test_today_ages_cached_open_amounts_by_customer(books: Books):
    # when
    report = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=None, today=books.today)
    # then
    assert not report.rebuilt
    assert cells(report) == {
        "C-YANK Yankee Inc": {"over_120": D("828.00")},  # 900 USD at 0.92
        "C-ALPHA Alpha GmbH": {"current": D("200.00"), "d31_60": D("300.00")},
        "C-BETA Beta SARL": {"d1_30": D("80.00")},
        "C-ORPH Orphan BV": {"over_120": D("55.55")},
    }
    assert [r.label for r in report.rows][:2] == ["C-YANK Yankee Inc", "C-ALPHA Alpha GmbH"]  # largest first
    alpha = report.rows[1].amounts
    assert (alpha.total, alpha.disputed, alpha.collectible) == (D("500.00"), D("50.00"), D("450.00"))
    assert report.totals.total == D("1463.55")
    assert report.rates == {"USD": D("0.92")}


@pytest.fixture(params=[Source.ROLLBACK, Source.ENTRIES])
def past(request) -> Source:  # type: ignore[no-untyped-def]
    """Both ways of rebuilding a past date: rolled back from the caches, and from the entries alone."""
    return request.param  # type: ignore[no-any-return]


def test_past_date_is_rebuilt_from_dated_entries(books: Books, past: Source):
    # given a date before the payment, the write-off and most invoices
    as_of = books.today - timedelta(days=95)
    # when
    report = aging_report(as_of=as_of, by=Grouping.CUSTOMER, user=None, today=books.today, source=past)
    # then only invoices issued by then count, each as open as it was that day
    assert report.rebuilt and not report.disputed_known
    assert cells(report) == {
        "C-YANK Yankee Inc": {"d91_120": D("900.00")},  # 1000 USD at the rate of that day, 0.9
        "C-ALPHA Alpha GmbH": {"d1_30": D("100.00")},  # paid six days later
        "C-ORPH Orphan BV": {"d31_60": D("55.55")},
    }
    assert report.totals.disputed == 0


@pytest.mark.parametrize(("days_ago", "alpha_open"), [(90, D("100.00")), (89, None)])
def test_an_application_counts_from_the_day_it_was_applied(books: Books, past: Source, days_ago, alpha_open):
    report = aging_report(as_of=books.today - timedelta(days=days_ago), by=Grouping.CUSTOMER, user=None,
                          today=books.today, source=past)
    assert {r.key: r.amounts.total for r in report.rows}.get(str(books.alpha.pk)) == alpha_open


@pytest.mark.parametrize(("days_ago", "usd_open"), [(11, D("1000.00")), (10, D("900.00"))])
def test_a_write_off_counts_from_the_day_it_was_written_off(books: Books, past: Source, days_ago, usd_open):
    report = aging_report(as_of=books.today - timedelta(days=days_ago), by=Grouping.CURRENCY, user=None,
                          today=books.today, source=past)
    usd = next(r for r in report.rows if r.key == "USD")
    assert usd.original is not None and usd.original.total == usd_open


def test_a_reversal_reopens_the_invoice_from_its_own_date(books: Books, past: Source):
    # given the payment on A-PAID reversed 30 days ago
    application = books.a_paid.applications.get()
    ledger.reverse_application(application=application, on=books.today - timedelta(days=30), reason="bounced",
                               by=books.admin)

    def alpha_buckets(days_ago: int) -> dict[str, Decimal]:
        report = aging_report(as_of=books.today - timedelta(days=days_ago), by=Grouping.CUSTOMER, user=None,
                              today=books.today, source=past if days_ago else None)
        return cells(report).get("C-ALPHA Alpha GmbH", {})

    # then it was settled the day before the reversal and open (70 days past due) on the day of it
    assert "d61_90" not in alpha_buckets(31)
    assert alpha_buckets(30)["d61_90"] == D("100.00")
    assert alpha_buckets(0)["d91_120"] == D("100.00")


def test_an_erp_settlement_counts_only_from_its_date(books: Books, past: Source):
    # given an invoice imported with 40.00 already settled in the ERP twenty days ago
    InvoiceFactory(customer=books.orphan, number="ERP-1", issue_date=books.today - timedelta(days=60),
                   due_date=books.today - timedelta(days=50), amount=D("100.00"), erp_settled_amount=D("40.00"),
                   erp_settled_on=books.today - timedelta(days=20), open_amount=D("60.00"))

    def erp_cell(days_ago: int) -> Decimal:
        as_of = books.today - timedelta(days=days_ago)
        found = aging_invoices(as_of=as_of, user=None, where={Grouping.CUSTOMER: str(books.orphan.pk)},
                               bucket="total", today=books.today, source=past)
        return next(i.open_amount for i in found.invoices if i.invoice.number == "ERP-1")

    assert erp_cell(21) == D("100.00")
    assert erp_cell(20) == D("60.00")


def test_rebuilding_today_gives_the_cached_aging(books: Books, past: Source):
    cached = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=None, today=books.today)
    rebuilt = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=None, today=books.today, source=past)
    assert rebuilt.rebuilt and not cached.rebuilt
    assert [(r.key, r.amounts.buckets) for r in rebuilt.rows] == [(r.key, r.amounts.buckets) for r in cached.rows]


def test_a_missing_fx_rate_is_an_error_naming_the_currency(books: Books):
    swiss = CustomerFactory(number="C-CH", currency="CHF", country="CH")
    book(swiss, "CH-1", "10.00", due=books.today, by=books.admin)
    with pytest.raises(NoFxRate) as caught:
        aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=None, today=books.today)
    assert "CHF" in caught.value.message and caught.value.field == "currency"


def test_the_rate_is_the_latest_on_or_before_the_date(books: Books):
    report = aging_report(as_of=books.today - timedelta(days=2), by=Grouping.CURRENCY, user=None, today=books.today)
    usd = next(r for r in report.rows if r.key == "USD")
    assert report.rates == {"USD": D("0.9")}
    assert usd.amounts.total == D("810.00")


def test_rows_are_named_by_what_they_group(books: Books):
    def labels(by: Grouping) -> dict[str, str]:
        return {r.key: r.label for r in aging_report(as_of=books.today, by=by, user=None, today=books.today).rows}

    assert labels(Grouping.COLLECTOR) == {str(books.colin.pk): "Colin Collector (colin)",
                                          str(books.cleo.pk): "cleo", "": "(no collector)"}
    assert labels(Grouping.TEAM) == {str(books.north.pk): "North", str(books.south.pk): "South", "": "(no team)"}
    assert labels(Grouping.SEGMENT) == {"enterprise": "enterprise", "smb": "smb", "": "(no segment)"}
    assert set(labels(Grouping.COUNTRY)) == {"DE", "FR", "US", "NL"}


def test_by_currency_gives_original_and_converted_amounts(books: Books):
    report = aging_report(as_of=books.today, by=Grouping.CURRENCY, user=None, today=books.today)
    rows = {r.key: r for r in report.rows}
    assert rows["USD"].original is not None and rows["USD"].original.total == D("900.00")
    assert rows["USD"].amounts.total == D("828.00")
    assert rows["EUR"].original is not None and rows["EUR"].original.total == rows["EUR"].amounts.total == D("635.55")


@pytest.mark.parametrize(("who", "expected"), [
    ("colin", {"C-ALPHA", "C-BETA"}),
    ("cleo", {"C-YANK"}),
    ("manager", {"C-ALPHA", "C-BETA"}),
    ("admin", {"C-ALPHA", "C-BETA", "C-YANK", "C-ORPH"}),
])
def test_a_user_ages_only_the_customers_of_their_scope(books: Books, who, expected):
    user = getattr(books, who)
    report = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=user, today=books.today)
    assert {r.label.split()[0] for r in report.rows} == expected
    assert report.totals.total == sum((r.amounts.total for r in report.rows), D(0))


def test_a_manager_without_a_team_sees_nothing(books: Books):
    lonely = UserFactory(username="lonely", role="ar_manager")
    report = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=lonely, today=books.today)
    assert report.rows == () and report.totals.total == 0
    assert aging_invoices(as_of=books.today, user=lonely, where={}, bucket="total").count == 0


def test_filters_narrow_the_report(books: Books):
    def keys(**where: str) -> set[str]:
        report = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=None, today=books.today,
                              where={Grouping(k): v for k, v in where.items()})
        return {r.label.split()[0] for r in report.rows}

    assert keys(collector="") == {"C-ORPH"}
    assert keys(collector=str(books.colin.pk)) == {"C-ALPHA", "C-BETA"}
    assert keys(currency="usd") == {"C-YANK"}
    assert keys(team=str(books.north.pk), segment="smb") == {"C-BETA"}
    with pytest.raises(InvalidReportInput) as caught:
        keys(collector="colin")
    assert caught.value.field == "collector"


@pytest.mark.parametrize("days_ago", [0, 95])
def test_the_invoices_behind_a_cell_add_up_to_it(books: Books, days_ago, past: Source):
    as_of = books.today - timedelta(days=days_ago)
    source = past if days_ago else None
    report = aging_report(as_of=as_of, by=Grouping.CUSTOMER, user=None, today=books.today, source=source)
    for row in report.rows:
        for bucket, amount in [*zip(report.buckets, row.amounts.buckets, strict=True), (None, row.amounts.total)]:
            found = aging_invoices(as_of=as_of, user=None, where={Grouping.CUSTOMER: row.key},
                                   bucket=bucket.key if bucket else "total", today=books.today, source=source)
            converted = sum(((s.open_amount * (report.rates.get(s.currency) or 1)).quantize(D("0.01"))
                             for s in found.sums), D(0))
            assert converted == amount, (row.label, bucket)
            assert sum(i.open_amount for i in found.invoices) == sum(s.open_amount for s in found.sums)
            assert all(bucket is None or i.bucket == bucket for i in found.invoices)


def test_an_unknown_bucket_names_the_field(books: Books):
    with pytest.raises(InvalidReportInput) as caught:
        aging_invoices(as_of=books.today, user=None, where={}, bucket="d1_31")
    assert caught.value.field == "bucket"


def test_disputed_money_never_exceeds_what_is_open(books: Books):
    Invoice.objects.filter(pk=books.b_late.pk).update(disputed_amount=D("500.00"))
    report = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=None, today=books.today)
    beta = next(r for r in report.rows if r.key == str(books.beta.pk))
    assert (beta.amounts.disputed, beta.amounts.collectible) == (D("80.00"), D("0.00"))


def test_buckets_follow_the_setting(books: Books, settings):
    settings.ARDESK_AGING_BUCKETS = [15, 45]
    report = aging_report(as_of=books.today, by=Grouping.CUSTOMER, user=None, today=books.today)
    assert [b.key for b in report.buckets] == ["current", "d1_15", "d16_45", "over_45"]
    assert cells(report)["C-ALPHA Alpha GmbH"] == {"current": D("200.00"), "d16_45": D("300.00")}


@pytest.mark.postgres
def test_todays_aging_reads_only_the_open_invoices_from_an_index(books: Books):
    if connection.vendor != "postgresql":
        pytest.skip("the query plan is PostgreSQL's; CI runs on PostgreSQL")
    # given many paid invoices next to the few open ones, and fresh statistics
    paid = InvoiceFactory.build_batch(3000, customer=books.orphan, open_amount=D(0))
    Invoice.objects.bulk_create(paid)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_invoice")
        # when today's statement is planned
        sql, params = aging_sql.aging_statement(
            connection.vendor, as_of=books.today, kind=Source.CACHE,
            dimension=aging_sql.dimensions()[Grouping.CUSTOMER], bucket_list=report_buckets(),
            narrowing=narrowing(user=None, where=None))  # type: ignore[arg-type]
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    # then a partial index of open invoices is read (insights' covering one, or the ledger's), not the table
    assert "insights_open_invoice_aging_idx" in plan, plan
    assert "Seq Scan on ledger_invoice" not in plan, plan
