"""Aging report speed on PostgreSQL: 100,000 customers and 1,000,000 invoices (× --scale).

Targets: the full aging by customer as of today < 300 ms at the server, as of a past date < 2 s.

Data: if the database already holds at least that many invoices (e.g. from `ardesk demo load`), they are
used as they are. Otherwise this benchmark adds its own bench data with set-based SQL (generate_series):
customers in six currencies, 18 months of invoices, most of them paid by payments applied on dated days,
some partly paid, some written off, some disputed, and weekly FX rates. Like any bulk seed it bypasses the
ledger services and writes one summary audit event; the caches it writes satisfy `ardesk ledger verify`.
It never deletes anything, so it can share a database with other benchmarks (rows are prefixed `BA-`).

"At the server" is the statement's execution time in PostgreSQL (EXPLAIN ANALYZE); the end-to-end time of
`aging_report()` in the Django process (query, fetch, FX conversion, rows) is reported next to it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from typing import Any

from benchmarks.common import Figure, best_of, setup_django

FULL_CUSTOMERS = 100_000
FULL_INVOICES = 1_000_000
PAST_DAYS = 180  # the past date measured: this many days before today

_LOAD_SQL = """
CREATE TEMP TABLE ba_customer ON COMMIT DROP AS
SELECT g AS n,
       (ARRAY['DE','FR','NL','US','GB','JP','CH','SE'])[1 + g %% 8] AS country,
       (ARRAY['EUR','EUR','EUR','USD','GBP','JPY','CHF','SEK'])[1 + g %% 8] AS currency,
       (ARRAY['enterprise','mid-market','smb','public'])[1 + (g / 8) %% 4] AS segment,
       (ARRAY[30,45,60,30,14])[1 + g %% 5] AS terms
FROM generate_series(1, %(customers)s) g;

INSERT INTO customers_customer (number, name, legal_name, country, currency, language, time_zone,
    payment_terms_days, credit_limit, segment, risk_class, collector_id, team_id, do_not_contact,
    version, created_at, updated_at)
SELECT 'BA-C' || lpad(n::text, 7, '0'), 'Bench customer ' || n, '', country, currency, 'en', 'UTC', terms, 0,
       segment, '', (%(collectors)s::bigint[])[1 + n %% cardinality(%(collectors)s::bigint[])],
       (%(teams)s::bigint[])[1 + n %% cardinality(%(teams)s::bigint[])], false, 1, now(), now()
FROM ba_customer;

CREATE TEMP TABLE ba_invoice ON COMMIT DROP AS
SELECT g AS n, c.id AS customer_id, c.currency, issue, issue + c.payment_terms_days AS due,
       CASE WHEN c.currency = 'JPY' THEN (1000 + (g * 7907) %% 900000)::numeric
            ELSE (1000 + (g * 7907) %% 900000)::numeric / 100 END AS amount,
       (abs(hashtextextended(g::text, 7)) %% 100)::int AS fate
FROM (SELECT g, %(today)s::date - ((g * 7919) %% 548)::int AS issue
      FROM generate_series(1::bigint, %(invoices)s::bigint) g) s
JOIN (SELECT id, currency, payment_terms_days, row_number() OVER (ORDER BY id) AS rn
      FROM customers_customer WHERE number LIKE 'BA-C%%') c
  ON c.rn = 1 + abs(hashtextextended(s.g::text, 11)) %% %(customers)s;

-- What happened to each invoice: paid in full, half paid, written off, or still open; on which day.
ALTER TABLE ba_invoice ADD COLUMN paid numeric, ADD COLUMN written numeric, ADD COLUMN settled_on date;
UPDATE ba_invoice SET
    settled_on = LEAST(%(today)s::date, due + (fate %% 40) - 10),
    paid = CASE WHEN due + (fate %% 40) - 10 > %(today)s::date THEN 0
                WHEN fate < 85 THEN amount
                WHEN fate < 91 THEN CASE WHEN currency = 'JPY' THEN floor(amount / 2) ELSE round(amount / 2, 2) END
                ELSE 0 END,
    written = CASE WHEN due + (fate %% 40) - 10 <= %(today)s::date AND fate BETWEEN 91 AND 92 THEN amount
                   ELSE 0 END;

INSERT INTO ledger_invoice (number, customer_id, issue_date, due_date, currency, amount, tax_amount,
    erp_settled_amount, open_amount, disputed_amount, po_number, sales_rep, description, source, version,
    created_at, updated_at)
SELECT 'BA-I' || lpad(n::text, 8, '0'), customer_id, issue, due, currency, amount, 0, 0,
       amount - paid - written,
       CASE WHEN fate = 99 AND amount - paid - written > 0 THEN amount - paid - written ELSE 0 END,
       '', '', '', 'demo', 1, now(), now()
FROM ba_invoice;

INSERT INTO ledger_payment (number, customer_id, received_on, currency, amount, unapplied_amount, method,
    bank_reference, source, version, created_at)
SELECT 'BA-P' || lpad(n::text, 8, '0'), customer_id, settled_on, currency, paid, 0, 'wire', '', 'demo', 1, now()
FROM ba_invoice WHERE paid > 0;

INSERT INTO ledger_application (payment_id, invoice_id, amount, applied_on, note, created_at)
SELECT p.id, i.id, b.paid, b.settled_on, '', now()
FROM ba_invoice b
JOIN ledger_invoice i ON i.number = 'BA-I' || lpad(b.n::text, 8, '0')
JOIN ledger_payment p ON p.number = 'BA-P' || lpad(b.n::text, 8, '0')
WHERE b.paid > 0;

INSERT INTO ledger_writeoff (invoice_id, amount, written_off_on, reason_code, reason, created_at)
SELECT i.id, b.written, b.settled_on, 'bad_debt', 'bench data', now()
FROM ba_invoice b JOIN ledger_invoice i ON i.number = 'BA-I' || lpad(b.n::text, 8, '0')
WHERE b.written > 0;

INSERT INTO ledger_fxrate (currency, rate_date, rate, created_at)
SELECT cur, d::date, rate * (1 + 0.02 * sin(extract(epoch FROM d) / 2e6)), now()
FROM (VALUES ('USD', 0.92), ('GBP', 1.17), ('JPY', 0.0061), ('CHF', 1.04), ('SEK', 0.087)) r(cur, rate),
     generate_series(%(today)s::date - 600, %(today)s::date, interval '7 days') d
ON CONFLICT (currency, rate_date) DO NOTHING;
"""


def _people() -> tuple[list[int], list[int]]:
    """Two teams and eight collectors for the bench customers (made once, through the identity services)."""
    from ardesk.audit.services import SYSTEM
    from ardesk.identity.models import Team, User
    from ardesk.identity.services import create_team, create_user

    teams = []
    for name in ("Bench team A", "Bench team B"):
        teams.append(Team.objects.filter(name=name).first() or create_team(name=name, by=SYSTEM))
    collectors = []
    for i in range(8):
        username = f"bench-collector-{i}"
        user = User.objects.filter(username=username).first() or create_user(
            username=username, password=None, role="collector", team=teams[i % 2], by=SYSTEM)
        collectors.append(user.pk)
    return collectors, [t.pk for t in teams]


def ensure_data(customers: int, invoices: int) -> str:
    """Use what the database holds if it is big enough; otherwise add the bench data. Returns what was done."""
    from django.db import connection, transaction

    from ardesk.audit.services import SYSTEM, record
    from ardesk.ledger.models import Invoice

    present = Invoice.objects.count()
    if present >= invoices:
        return f"used the {present:,} invoices already in the database"
    if Invoice.objects.filter(number__startswith="BA-I").exists():
        raise SystemExit("bench_aging: partial bench data found (BA- rows) but fewer invoices than needed; "
                         "use an empty database (BENCH_DATABASE_URL) or a matching --scale")
    start = time.perf_counter()
    collectors, teams = _people()
    with transaction.atomic(), connection.cursor() as cursor:
        params: dict[str, Any] = {"customers": customers, "invoices": invoices, "today": date.today(),
                  "collectors": collectors, "teams": teams}
        for statement in _LOAD_SQL.split(";\n"):
            if statement.strip():
                cursor.execute(statement, params)
        record(actor=SYSTEM, verb="bench.loaded", subject=("bench", "aging"),
               after={"customers": customers, "invoices": invoices})
    with connection.cursor() as cursor:
        for table in ("customers_customer", "ledger_invoice", "ledger_payment", "ledger_application",
                      "ledger_writeoff", "ledger_fxrate"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return f"generated {customers:,} customers / {invoices:,} invoices in {time.perf_counter() - start:,.0f} s"


def server_ms(sql: str, params: list[Any]) -> float:
    """Execution time of one statement inside PostgreSQL, best of 5 after a warm-up, with the session
    settings the report itself uses (see insights.queries)."""
    from django.db import connection

    from ardesk.insights.queries import REPORT_WORK_MEM

    times = []
    with connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{REPORT_WORK_MEM}'")
        cursor.execute("SET jit = off")
        for _ in range(6):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            times.append(float(plan[0]["Execution Time"]))
        cursor.execute("RESET work_mem")
        cursor.execute("RESET jit")
    return min(times[1:])


def _statement(as_of: date, source: Any) -> tuple[str, list[Any]]:
    from django.db import connection

    from ardesk.insights import aging_sql
    from ardesk.insights.queries import narrowing, report_buckets
    from ardesk.insights.report import Grouping

    scope = narrowing(user=None, where=None)
    assert scope is not None
    return aging_sql.aging_statement(connection.vendor, as_of=as_of, kind=source,
                                     dimension=aging_sql.dimensions()[Grouping.CUSTOMER],
                                     bucket_list=report_buckets(), narrowing=scope)


def _page_ms(as_of: date) -> float:
    """The aging page (full report by customer, first 100 rows rendered) through Django's test client."""
    from django.test import Client, override_settings
    from django.urls import reverse

    from ardesk.identity.models import User

    admin = User.objects.filter(role="admin", is_active=True).first()
    if admin is None:
        from ardesk.audit.services import SYSTEM
        from ardesk.identity.services import create_user

        admin = create_user(username="bench-admin", password=None, role="admin", by=SYSTEM)
    client = Client()
    client.force_login(admin)
    with override_settings(ARDESK_REQUIRE_MFA=False, ALLOWED_HOSTS=["testserver"]):
        return best_of(lambda: client.get(reverse("web:aging"), {"as_of": as_of.isoformat()}), repeat=3)


def run(args: argparse.Namespace) -> list[Figure]:
    setup_django()
    from ardesk.insights.queries import aging_report
    from ardesk.insights.report import Grouping, Source
    from ardesk.ledger.models import Invoice

    scale = getattr(args, "scale", 1.0)
    customers, invoices = max(100, int(FULL_CUSTOMERS * scale)), max(1_000, int(FULL_INVOICES * scale))
    print(f"bench_aging: {ensure_data(customers, invoices)}", file=sys.stderr)
    size = f"{Invoice.objects.count():,} invoices, {Invoice.objects.values('customer').distinct().count():,} customers"
    today = date.today()
    past = today - timedelta(days=PAST_DAYS)
    figures = [
        Figure("aging by customer, today: SQL at the server", size,
               server_ms(*_statement(today, Source.CACHE)), 300, "ms"),
        Figure(f"aging by customer, {PAST_DAYS} days ago: SQL at the server", size,
               server_ms(*_statement(past, Source.ROLLBACK)), 2000, "ms"),
    ]
    # End to end in the Django process (query, fetch, FX conversion, rows; the page also renders): no target of
    # their own in the issue, printed for the README.
    for label, as_of, source in (("today", today, Source.CACHE), (f"{PAST_DAYS} days ago", past, Source.ROLLBACK),
                                 (f"{PAST_DAYS} days ago, --from-entries", past, Source.ENTRIES)):
        def report(as_of: date = as_of, source: Source = source) -> int:
            return len(aging_report(as_of=as_of, by=Grouping.CUSTOMER, user=None, source=source).rows)

        rows = report()
        total = best_of(report, repeat=3)
        print(f"bench_aging: aging_report() by customer, {label}: {total:,.0f} ms ({rows:,} rows)", file=sys.stderr)
    entries_sql = server_ms(*_statement(past, Source.ENTRIES))
    print(f"bench_aging: SQL at the server, {PAST_DAYS} days ago, --from-entries: {entries_sql:,.0f} ms",
          file=sys.stderr)
    for label, as_of in (("today", today), (f"{PAST_DAYS} days ago", past)):
        print(f"bench_aging: aging page, {label}: {_page_ms(as_of):,.0f} ms", file=sys.stderr)
    return figures
