"""The REST API on PostgreSQL at 100,000 customers and 1,000,000 invoices (× --scale).

Target: every request below < 300 ms at the server: the whole request inside Django (middleware,
token check, handler, queries, JSON) through the test client, no network. Pages of 200 rows, a
page deep in the walk (a cursor costs what the first page does: no OFFSET), filters, an invoice
with its entries, and a POST with an Idempotency-Key, first and replayed.

Data: bench_aging's loader fills the database if it is not big enough (shared with the page benchmarks).
"""

from __future__ import annotations

import argparse
import itertools
from typing import Any

from benchmarks.common import Figure, best_of, setup_django

TARGET_MS = 300


def run(args: argparse.Namespace) -> list[Figure]:
    setup_django()
    from django.test import Client, override_settings

    from ardesk.apikit.pagination import encode_cursor
    from ardesk.audit.services import SYSTEM
    from ardesk.customers.models import Customer
    from ardesk.identity.models import User
    from ardesk.identity.services import create_user, issue_token
    from ardesk.ledger.models import Invoice
    from benchmarks.bench_pages import FULL_CUSTOMERS, FULL_INVOICES, ensure_demo

    scale = getattr(args, "scale", 1.0)
    customers, invoices = max(100, int(FULL_CUSTOMERS * scale)), max(1_000, int(FULL_INVOICES * scale))
    ensure_demo(customers, invoices)  # the same demo company the page benchmarks use
    size = f"{Customer.objects.count():,} customers, {Invoice.objects.count():,} invoices"

    admin = User.objects.filter(username="bench-api-admin").first() or create_user(
        username="bench-api-admin", password=None, role="admin", by=SYSTEM)
    _, secret = issue_token(user=admin, name="bench", scopes=["read", "write"], by=SYSTEM)
    collector = User.objects.filter(role="collector", portfolio__isnull=False).order_by("pk").first()
    collector_secret = issue_token(user=collector, name="bench", scopes=["read"], by=SYSTEM)[1] if collector else secret

    middle = Invoice.objects.order_by("issue_date", "pk")[Invoice.objects.count() // 2]
    deep_cursor = encode_cursor("invoices", middle.issue_date, middle.pk)
    sample = Invoice.objects.filter(applications__isnull=False).order_by("pk").first() or middle
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None

    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("GET /invoices, 200 rows", secret, {"limit": 200}),
        ("GET /invoices, 200 rows halfway through the walk", secret, {"limit": 200, "cursor": deep_cursor}),
        ("GET /invoices?status=overdue, 200 rows", secret, {"limit": 200, "status": "overdue"}),
        ("GET /invoices?customer=…", secret, {"customer": customer.pk}),
        ("GET /invoices, a collector's portfolio", collector_secret, {"limit": 200}),
    ]
    figures = []
    numbers = itertools.count()
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        auth = {"Authorization": f"Bearer {secret}"}
        for name, token, params in cases:
            headers = {"Authorization": f"Bearer {token}"}
            ms = best_of(lambda h=headers, p=params: _ok(client.get("/api/v1/invoices", p, headers=h)))
            figures.append(Figure(name, size, ms, TARGET_MS, "ms"))
        for path in ("/api/v1/payments", "/api/v1/applications", "/api/v1/write-offs"):
            ms = best_of(lambda p=path: _ok(client.get(p, {"limit": 200}, headers=auth)))
            figures.append(Figure(f"GET {path.removeprefix('/api/v1')}, 200 rows", size, ms, TARGET_MS, "ms"))
        ms = best_of(lambda: _ok(client.get("/api/v1/customers", {"q": "customer 4711"}, headers=auth)))
        figures.append(Figure("GET /customers?q=…", size, ms, TARGET_MS, "ms"))
        ms = best_of(lambda: _ok(client.get(f"/api/v1/invoices/{sample.pk}", headers=auth)))
        figures.append(Figure("GET /invoices/{id} with entries", size, ms, TARGET_MS, "ms"))

        def post(key: str) -> None:
            body = {"customer_id": customer.pk, "number": f"BENCH-API-{key}", "received_on": "2026-11-01",
                    "amount": "10.00"}
            _ok(client.post("/api/v1/payments", body, content_type="application/json",
                            headers={**auth, "Idempotency-Key": key}))

        run_id = f"{id(client):x}"
        ms = best_of(lambda: post(f"{run_id}-{next(numbers)}"))
        figures.append(Figure("POST /payments with a new Idempotency-Key", size, ms, TARGET_MS, "ms"))
        ms = best_of(lambda: post(f"{run_id}-replayed"))
        figures.append(Figure("POST /payments replayed (same key)", size, ms, TARGET_MS, "ms"))
    return figures


def _ok(response: Any) -> None:
    if response.status_code >= 300:
        raise SystemExit(f"bench_api: {response.status_code} {response.content[:300]!r}")
