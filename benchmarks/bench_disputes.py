"""Disputes at scale (PostgreSQL): the queue, the dispute page and the reports with 100,000 disputes (× --scale),
and the reason-code classifier: speed on 10,000 texts and accuracy on a time-ordered holdout.

Data, in a database of its own (`<bench database>_disputes`, so the 1M-invoice demo the page benchmarks share
is never touched): the demo company at 100,000 invoices (× --scale) loaded by `ardesk demo load`'s loader,
with its own dispute history, live disputes and trained model; then disputes are added set-based in SQL
(one INSERT … SELECT per table, not the per-row services) until there are 100,000: open ones on invoices
with money still collectible (each invoice's `disputed_amount` raised by the same amount, so
`ardesk disputes verify` still passes), and closed, rejected ones (which book nothing) on any invoice.

One dispute gets a long history through the services (comments with @mentions, tasks, offers, priority
changes, documents, threaded customer mail: several hundred timeline events), so the dispute page is timed
on a dispute that is busy, not on a fresh one.

Pages are timed at the server through Django's test client, signed in as the demo administrator (every
customer in scope) and as a dispute analyst (one team): the median of five after a warm-up, target 300 ms
(the best of the five and the page's query count are printed beside it). The cases: the default queue,
each filter, each sort, a deep page, a customer search, the dispute page, the API's list and summary, every
dispute report page (and by SKU in an analyst's scope) and the prevention page. Then the rewrite of every
item's SKU split that an import of invoice lines runs (target 2 s), and the queue downloaded whole (CSV of
every dispute, XLSX of the open ones; target 30 s).
The classifier's accuracy: trained on the earliest 80 % of the demo's resolved dispute texts (by the day
raised), tested on the latest 20 %, beside the keyword lists' accuracy on the same 20 %.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import Figure, setup_django

FULL_DISPUTES = 100_000
FULL_INVOICES = 100_000
PAGE_TARGET_MS = 300.0
CLASSIFY_TEXTS = 10_000
CLASSIFY_TARGET_S = 10.0


def _say(message: str) -> None:
    print(f"  bench_disputes: {message}", file=sys.stderr, flush=True)


def _own_database() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.endswith("_disputes"):
        os.environ["DATABASE_URL"] = url + "_disputes"


def timed_ms(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """(median, best) wall time in milliseconds over `repeat` runs, after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def median_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time in milliseconds over `repeat` runs, after one warm-up."""
    return timed_ms(fn, repeat)[0]


def query_count(fn: Callable[[], object]) -> int:
    """How many SQL statements one call runs (counted apart from the timed runs: capturing costs time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def ensure_demo(invoices: int) -> None:
    from django.conf import settings
    from django.utils import timezone

    from ardesk.audit.services import SystemActor
    from ardesk.demo.plan import DEFAULT_SEED, plan_for
    from ardesk.demo.services import load_demo
    from ardesk.ledger.models import Invoice, Source

    if Invoice.objects.filter(source=Source.DEMO).exists():
        return
    plan = plan_for(size=None, invoices=invoices, customers=None, seed=DEFAULT_SEED, today=timezone.localdate(),
                    company_currency=settings.ARDESK_COMPANY_CURRENCY)
    _say(f"loading the demo company: {plan.customers:,} customers, {invoices:,} invoices")
    started = time.perf_counter()
    load_demo(plan=plan, by=SystemActor("benchmark"))
    _say(f"loaded in {time.perf_counter() - started:,.1f} s")


_BUILD = """
CREATE TEMP TABLE bench_pick ON COMMIT DROP AS
SELECT g AS n, i.id AS invoice_id, i.customer_id, i.currency, i.amount, i.issue_date,
       i.open_amount - i.disputed_amount AS collectible, c.team_id,
       (g <= %(count)s AND i.open_amount - i.disputed_amount > 0 AND g %% 3 = 0) AS is_open
FROM generate_series(1, %(wanted)s) g
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM ledger_invoice) ix ON ix.k = (g - 1) %% %(count)s
JOIN ledger_invoice i ON i.id = ix.id
JOIN customers_customer c ON c.id = i.customer_id;

INSERT INTO disputes_dispute (
    id, number, customer_id, kind, channel, status, outcome, settlement, reason_code_id, owner_id, department,
    priority, escalation_level, escalated_at, sla_due, currency, amount, accepted_amount, description,
    root_cause_id, responsible_department, suggestion_source, version, raised_on, created_at, updated_at,
    resolved_at, closed_at)
SELECT %(first)s + p.n - 1, 'BDS-' || lpad((%(first)s + p.n - 1)::text, 9, '0'), p.customer_id, 'invoice', 'manual',
       CASE WHEN p.is_open THEN (%(open_states)s::text[])[1 + p.n %% 5] ELSE 'closed' END,
       CASE WHEN p.is_open THEN '' ELSE 'rejected' END, CASE WHEN p.is_open THEN '' ELSE 'none' END,
       r.id, CASE WHEN p.n %% 7 = 0 THEN NULL ELSE (%(owners)s::bigint[])[1 + p.n %% %(owner_count)s] END,
       r.default_department, 1 + p.n %% 4,
       CASE WHEN p.is_open AND p.n %% 5 = 4 THEN 'manager' ELSE '' END,
       CASE WHEN p.is_open AND p.n %% 5 = 4 THEN now() ELSE NULL END,
       d.raised + r.sla_days, p.currency, CASE WHEN p.is_open THEN p.collectible ELSE p.amount END, 0,
       (%(texts)s::text[])[1 + p.n %% %(text_count)s],
       CASE WHEN p.is_open THEN NULL ELSE %(root_cause)s END,
       CASE WHEN p.is_open THEN '' ELSE 'accounts_receivable' END, '', 1, d.raised,
       d.raised::timestamptz, d.raised::timestamptz,
       CASE WHEN p.is_open THEN NULL ELSE d.raised::timestamptz + (1 + p.n %% 60) * interval '1 day' END,
       CASE WHEN p.is_open THEN NULL ELSE d.raised::timestamptz + (3 + p.n %% 60) * interval '1 day' END
FROM bench_pick p
JOIN disputes_reasoncode r ON r.id = (%(reasons)s::bigint[])[1 + p.n %% %(reason_count)s]
CROSS JOIN LATERAL (SELECT CASE WHEN p.is_open THEN current_date - (p.n %% 90)::int
                                ELSE LEAST(current_date - 70, p.issue_date + (p.n %% 30)::int) END AS raised) d;

INSERT INTO disputes_disputeitem (id, dispute_id, invoice_id, amount, accepted_amount)
SELECT %(first_item)s + p.n - 1, %(first)s + p.n - 1, p.invoice_id,
       CASE WHEN p.is_open THEN p.collectible ELSE p.amount END, 0
FROM bench_pick p;

UPDATE ledger_invoice i SET disputed_amount = i.disputed_amount + p.collectible
FROM bench_pick p WHERE p.is_open AND p.invoice_id = i.id;
"""


def build_disputes(target: int) -> None:
    """Add disputes set-based until there are `target`, keeping every invoice's disputed amount right."""
    from django.db import connection, transaction
    from django.db.models import Max

    from ardesk.disputes import sku_split
    from ardesk.disputes.models import Dispute, DisputeItem, ReasonCode, RootCause
    from ardesk.disputes.workflow import OPEN_STATES
    from ardesk.identity.models import User
    from ardesk.identity.roles import Role
    from ardesk.ledger.models import Invoice

    wanted = target - Dispute.objects.count()
    if wanted <= 0:
        return
    _say(f"adding {wanted:,} disputes in SQL")
    texts = list(Dispute.objects.exclude(description="").order_by("pk").values_list("description", flat=True)[:2000])
    owners = list(User.objects.filter(role__in=[Role.DISPUTE_ANALYST, Role.AR_MANAGER]).order_by("pk")
                  .values_list("pk", flat=True))
    reasons = list(ReasonCode.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_BUILD, {
            "wanted": wanted, "count": Invoice.objects.count(),
            "first": (Dispute.objects.aggregate(m=Max("pk"))["m"] or 0) + 1,
            "first_item": (DisputeItem.objects.aggregate(m=Max("pk"))["m"] or 0) + 1,
            "open_states": sorted(s.value for s in OPEN_STATES), "owners": owners, "owner_count": len(owners),
            "texts": texts or ["Please check this invoice."], "text_count": max(1, len(texts)),
            "reasons": reasons, "reason_count": len(reasons),
            "root_cause": RootCause.objects.get(code="customer_error").pk,
        })
        for model in (Dispute, DisputeItem):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        sku_split.resplit_all()
    with connection.cursor() as cursor:
        for table in ("disputes_dispute", "disputes_disputeitem", "disputes_itemskushare", "ledger_invoice"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    _say(f"built in {time.perf_counter() - started:,.1f} s")


BUSY_COMMENTS = 150
BUSY_TASKS = 40
BUSY_OFFERS = 20
BUSY_PRIORITY_CHANGES = 40
BUSY_DOCUMENTS = 12
BUSY_MAILS = 30


def busy_dispute() -> Any:
    """The dispute with a long history: found if an earlier run made it, else made now through the services."""
    from datetime import timedelta
    from decimal import Decimal
    from email.message import EmailMessage

    from django.db.models import Count
    from django.utils import timezone

    from ardesk.comms.services.inbound import ingest_email
    from ardesk.disputes import services
    from ardesk.disputes.models import Dispute
    from ardesk.identity.models import User
    from ardesk.identity.roles import Role

    found = (Dispute.objects.annotate(n=Count("comments")).filter(n__gte=BUSY_COMMENTS).order_by("pk").first())
    if found is not None:
        return found
    dispute = (Dispute.objects.filter(number__startswith="DSP-", status="in_review",
                                      customer__contacts__email__contains="@")
               .select_related("customer").order_by("pk").first())
    analysts = list(User.objects.filter(role=Role.DISPUTE_ANALYST, is_active=True).order_by("pk")[:2])
    if dispute is None or len(analysts) < 2:
        raise RuntimeError("the demo has no open dispute of a customer with a contact, or too few analysts")
    contact = dispute.customer.contacts.exclude(email="").order_by("pk").first()
    assert contact is not None
    by, other = analysts
    _say(f"giving {dispute.number} a long history through the services")
    started = time.perf_counter()
    today = timezone.localdate()
    for k in range(BUSY_COMMENTS):
        mention = f" @{other.username}" if k % 5 == 0 else ""
        services.add_comment(dispute=dispute, body=f"Checked the delivery notes, batch {k}.{mention}", by=by)
    for k in range(BUSY_TASKS):
        task = services.add_task(dispute=dispute, title=f"Proof of delivery, shipment {k}", department="logistics",
                                 due_date=today + timedelta(days=k % 10), by=by)
        if k % 2:
            services.complete_task(task=task, note="found", by=by)
    step = (dispute.amount - dispute.accepted_amount) / (BUSY_OFFERS + 1)
    for k in range(BUSY_OFFERS):
        services.record_offer(dispute=dispute, kind="offer" if k % 2 == 0 else "counter_offer",
                              party="company" if k % 2 == 0 else "customer",
                              amount=(step * (k + 1)).quantize(Decimal("0.01")), by=by)
    for k in range(BUSY_PRIORITY_CHANGES):
        services.set_priority(dispute=dispute, priority=1 + k % 4, reason=f"review {k}", by=by)
    for k in range(BUSY_DOCUMENTS):
        services.attach_document(dispute=dispute, filename=f"delivery-{k}.pdf", kind="proof_of_delivery",
                                 data=b"%PDF-1.4\n%" + str(k).encode() + b"\n%%EOF\n", by=by)
    for k in range(BUSY_MAILS):
        mail = EmailMessage()
        mail["From"], mail["To"] = contact.email, "ar@ardesk.example"
        mail["Subject"], mail["Message-ID"] = f"Re: [{dispute.number}] question {k}", f"<bench-{dispute.pk}-{k}@bench>"
        mail.set_content(f"Any news on this? Message {k}.")
        ingest_email(mail.as_bytes(), source="benchmark")
    _say(f"built in {time.perf_counter() - started:,.1f} s")
    return Dispute.objects.get(pk=dispute.pk)


def time_pages(size: str) -> list[Figure]:
    from django.test import override_settings
    from django.urls import reverse

    from ardesk.audit.models import AuditEvent
    from ardesk.disputes.models import Dispute
    from ardesk.identity.models import Team, User
    from ardesk.identity.roles import Role
    from ardesk.insights.dispute_report import ReportKind
    from benchmarks.bench_pages import signed_in

    admin = User.objects.get(username="ada")
    analyst = User.objects.filter(role=Role.DISPUTE_ANALYST).order_by("pk").first()
    queue = reverse("disputes:queue")
    busiest = busy_dispute()
    customer = Dispute.objects.filter(status="in_review").select_related("customer").order_by("pk").first()
    team = Team.objects.order_by("pk").first()
    assert customer is not None and analyst is not None and team is not None
    term = customer.customer.name.split()[0]
    events = AuditEvent.objects.filter(subject_type="disputes.dispute", subject_id=str(busiest.pk)).count()
    api = "/api/v1/disputes"
    cases: list[tuple[str, Any, str]] = [
        ("queue: open disputes, first page", admin, queue),
        ("queue: an analyst's scope, first page", analyst, queue),
        ("queue: reason = pricing", admin, f"{queue}?reason=pricing"),
        (f"queue: owner = {analyst.username}", admin, f"{queue}?owner={analyst.pk}"),
        ("queue: unowned", admin, f"{queue}?owner=none"),
        (f"queue: team = {team.name}", admin, f"{queue}?team={team.pk}"),
        ("queue: department = logistics", admin, f"{queue}?department=logistics"),
        ("queue: age 30 to 60 days", admin, f"{queue}?min_age_days=30&max_age_days=60"),
        ("queue: SLA breached", admin, f"{queue}?sla=breached"),
        ("queue: escalated, urgent", admin, f"{queue}?escalated=1&priority=4"),
        ("queue: amount 1,000 to 5,000", admin, f"{queue}?min_amount=1000&max_amount=5000"),
        (f"queue: customer search ?q={term}", admin, f"{queue}?q={term}"),
        ("queue: closed disputes", admin, f"{queue}?status=closed"),
        ("queue: all statuses, first page", admin, f"{queue}?status=all"),
        ("queue: all statuses, page 50", admin, f"{queue}?status=all&page=50"),
        ("queue: open disputes, page 100", admin, f"{queue}?page=100"),
        ("queue: sorted by amount", admin, f"{queue}?sort=-amount"),
        ("queue: sorted by age", admin, f"{queue}?sort=-age"),
        ("queue: sorted by customer", admin, f"{queue}?sort=customer"),
        (f"dispute page ({busiest.number}, {events:,} timeline events)", admin,
         reverse("disputes:detail", args=[busiest.pk])),
        ("API: open disputes, first page", admin, api),
        ("API: an analyst's scope, first page", analyst, api),
        ("API: all statuses sorted by amount", admin, f"{api}?status=all&sort=-amount"),
        ("API: queue summary", admin, f"{api}/summary"),
        ("API: queue summary, all statuses", admin, f"{api}/summary?status=all"),
        ("API: a dispute", admin, f"{api}/{busiest.pk}"),
    ]
    reports = reverse("insights:disputes")
    cases += [(f"report: {kind.value.replace('_', ' ')}", admin, f"{reports}?report={kind.value}")
              for kind in ReportKind]
    cases += [("report: by SKU, an analyst's scope", analyst, f"{reports}?report=by_sku"),
              ("prevention page (root causes by cost, corrective actions)", admin, reverse("insights:prevention"))]
    clients = {admin.pk: signed_in(admin), analyst.pk: signed_in(analyst)}
    figures = []
    with override_settings(DEBUG=False):
        for name, user, url in cases:
            client = clients[user.pk]

            def get(url: str = url, client: Any = client) -> None:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}")

            median, best = timed_ms(get)
            figures.append(Figure(name, size, median, PAGE_TARGET_MS, "ms"))
            _say(f"{name}: {figures[-1].measured_text} (best {best:,.0f} ms, {query_count(get)} queries)")
    return figures


def classifier_figures() -> list[Figure]:
    """Accuracy on the time-ordered holdout, and the speed of the path the product uses: the service
    `suggest_reason` one text at a time (as the raise page and the API call it), and `suggest_reasons` in one
    batch, both reading the model the demo load trained and stored."""
    from ardesk.disputes import classify
    from ardesk.disputes.models import Dispute
    from ardesk.disputes.services import learning

    rows = list(Dispute.objects.filter(number__startswith="DSP-", status__in=["resolved", "closed"],
                                       reason_code__isnull=False).exclude(description="")
                .order_by("raised_on", "pk").values_list("description", "reason_code__code"))
    cut = int(len(rows) * 0.8)
    train, test = rows[:cut], rows[cut:]
    size = f"{len(train):,} oldest demo texts → {len(test):,} newest"
    model = classify.train(train, minimum=1)  # one BLAS thread: classify.fit limits it itself
    keywords = learning.keyword_suggester()
    model_ok = sum(s.code == code for s, (_, code) in zip(model.suggest_many([t for t, _ in test]), test,
                                                          strict=True)) / max(1, len(test))
    keyword_ok = sum((s.code if (s := keywords.suggest(text)) else "") == code for text, code in test) / max(
        1, len(test))
    if learning.current_model() is None:
        raise RuntimeError("the demo load stored no reason model: suggestions would only use the keywords")
    texts = [rows[k % len(rows)][0] for k in range(CLASSIFY_TEXTS)]
    started = time.perf_counter()
    batch_answers = learning.suggest_reasons(texts)
    batch = time.perf_counter() - started
    started = time.perf_counter()
    single_answers = [learning.suggest_reason(text) for text in texts]
    one_by_one = time.perf_counter() - started
    if [a and a[1].code for a in batch_answers] != [a and a[1].code for a in single_answers]:
        raise RuntimeError("suggest_reasons and suggest_reason disagree")
    _say(f"accuracy on the time-ordered holdout: model {model_ok:.1%}, keywords {keyword_ok:.1%}")
    return [
        Figure(f"classify {CLASSIFY_TEXTS:,} texts in one batch (service suggest_reasons)",
               f"{CLASSIFY_TEXTS:,} texts", batch, CLASSIFY_TARGET_S, "s"),
        Figure(f"classify {CLASSIFY_TEXTS:,} texts one by one (service suggest_reason, as the raise page does)",
               f"{CLASSIFY_TEXTS:,} texts", one_by_one, CLASSIFY_TARGET_S, "s"),
        Figure("accuracy, time-ordered holdout: trained model (%)", size, model_ok * 100, 100, "%"),
        Figure("accuracy, time-ordered holdout: keyword fallback (%)", size, keyword_ok * 100, 100, "%"),
    ]


def run(args: argparse.Namespace) -> list[Figure]:
    _own_database()  # benchmarks/__main__.py runs each module in a process of its own, before Django starts
    setup_django()
    from ardesk.disputes.models import Dispute
    from ardesk.ledger.models import Invoice

    scale = getattr(args, "scale", 1.0)
    ensure_demo(max(1_000, int(FULL_INVOICES * scale)))
    build_disputes(max(1_000, int(FULL_DISPUTES * scale)))
    size = f"{Dispute.objects.count():,} disputes, {Invoice.objects.count():,} invoices"
    return [*time_pages(size), *export_figures(size), resplit_figure(size), *classifier_figures()]


EXPORT_TARGET_S = 30.0


def export_figures(size: str) -> list[Figure]:
    """The queue downloaded whole: every dispute as streamed CSV, the open ones as a workbook (median of 3)."""
    from django.test import override_settings
    from django.urls import reverse

    from ardesk.identity.models import User
    from benchmarks.bench_pages import signed_in

    client = signed_in(User.objects.get(username="ada"))
    url = reverse("disputes:export")
    figures = []
    for name, query in (("queue download: every dispute, CSV (streamed)", "?status=all&format=csv"),
                        ("queue download: open disputes, XLSX", "?format=xlsx")):
        sizes: list[int] = []

        def fetch(query: str = query, sizes: list[int] = sizes) -> None:
            with override_settings(DEBUG=False):
                response = client.get(url + query)
                body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}{query} answered {response.status_code}")
            sizes.append(len(body))

        seconds = median_ms(fetch, repeat=3) / 1000
        figures.append(Figure(name, f"{size}; {sizes[-1] / 1e6:,.1f} MB", seconds, EXPORT_TARGET_S, "s"))
        _say(f"{name}: {seconds:.2f} s, {sizes[-1] / 1e6:,.1f} MB")
    return figures


RESPLIT_TARGET_S = 2.0


def resplit_figure(size: str) -> Figure:
    """Rewriting every item's SKU split, as an import of invoice lines does in its transaction (median of 3)."""
    from django.db import transaction

    from ardesk.disputes import sku_split
    from ardesk.disputes.models import ItemSkuShare

    def resplit() -> None:
        with transaction.atomic():
            sku_split.resplit_all()

    seconds = median_ms(resplit, repeat=3) / 1000
    shares = ItemSkuShare.objects.count()
    _say(f"re-split every dispute item over SKUs ({shares:,} shares): {seconds:.2f} s")
    return Figure("re-split every dispute item over SKUs (after a lines import)", f"{size}, {shares:,} shares",
                  seconds, RESPLIT_TARGET_S, "s")
