"""The desk's pages on PostgreSQL at 100,000 customers and 1,000,000 invoices (× --scale).

Target: each customer-list request (search, filters, sort by money, deep pages) < 300 ms at the server,
the account page, the invoice page and home pages too. "At the server" is the whole request inside
Django (middleware, view, every query, template) through the test client: no network, no browser.

Data: a database that already holds that many invoices is used as it is; otherwise the demo company is
loaded with bench_pages.ensure_demo (the loader every page benchmark shares). The signed-in users
(a cash clerk who sees everyone, an AR manager of one team, a collector) are made here through the
identity services when missing.
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks.common import Figure, best_of, setup_django

TARGET_MS = 300


def _user(username: str, role: str, team: Any = None) -> Any:
    from ardesk.audit.services import SYSTEM
    from ardesk.identity.models import User
    from ardesk.identity.services import create_user

    return User.objects.filter(username=username).first() or create_user(
        username=username, password=None, role=role, team=team, by=SYSTEM)


def run(args: argparse.Namespace) -> list[Figure]:
    setup_django()
    from django.db.models import Count
    from django.test import Client, override_settings

    from ardesk.customers.models import Customer
    from ardesk.identity.models import Team, User
    from ardesk.ledger.models import Invoice
    from benchmarks.bench_pages import FULL_CUSTOMERS, FULL_INVOICES, ensure_demo, signed_in

    scale = getattr(args, "scale", 1.0)
    customers, invoices = max(100, int(FULL_CUSTOMERS * scale)), max(1_000, int(FULL_INVOICES * scale))
    if Invoice.objects.count() < invoices:
        ensure_demo(customers, invoices)
    size = f"{Customer.objects.count():,} customers, {Invoice.objects.count():,} invoices"

    team = Team.objects.order_by("pk").first()
    clerk = _user("bench-clerk", "cash_clerk")  # sees every customer
    manager = _user("bench-manager", "ar_manager")
    if team is not None and team.manager_id != manager.pk:
        Team.objects.filter(pk=team.pk).update(manager=manager)  # bench set-up, not a desk operation
    collector = User.objects.filter(role="collector", portfolio__isnull=False).order_by("pk").first() or clerk

    largest = Invoice.objects.values("customer").annotate(n=Count("pk")).order_by("-n", "customer").first()
    assert largest is not None, "no invoices to show"
    sample = Customer.objects.filter(invoices__open_amount__gt=0).order_by("pk").first()
    invoice = Invoice.objects.filter(customer=sample).order_by("pk").first()
    assert sample is not None and invoice is not None, "bench data has no open invoice"
    last_page = Customer.objects.count() // 50
    term = sample.name.split()[-1].lower()  # what a collector types: part of a name

    cases: list[tuple[str, Any, str]] = [
        ("customer list, all customers, by number", clerk, "/customers/"),
        ("customer list, all, sorted by open (desc)", clerk, "/customers/?sort=-open"),
        ("customer list, overdue only, by overdue (desc)", clerk, "/customers/?overdue=1&sort=-overdue"),
        ("customer list, disputed only", clerk, "/customers/?disputed=1"),
        (f"customer list, search by part of a name (?q={term})", clerk, f"/customers/?q={term}"),
        ("customer list, search by invoice number", clerk, f"/customers/?q={invoice.number}"),
        ("customer list, search that finds nothing", clerk, "/customers/?q=%25no_such%27thing"),
        ("customer list, last page", clerk, f"/customers/?page={last_page}"),
        ("customer list, htmx fragment, by open", clerk, "/customers/?sort=-open&country=DE"),
        ("customer list, a collector's portfolio by overdue", collector, "/customers/?sort=-overdue"),
        ("customer list, a manager's team", manager, "/customers/?sort=-open"),
        ("account page", clerk, f"/customers/{sample.pk}/"),
        (f"account page of the largest customer ({largest['n']:,} invoices)", clerk,
         f"/customers/{largest['customer']}/"),
        ("account page of the largest customer, group view", clerk, f"/customers/{largest['customer']}/?group=1"),
        ("invoice page", clerk, f"/invoices/{invoice.pk}/"),
        ("home, cash clerk (all customers)", clerk, "/"),
        ("home, manager (team by collector)", manager, "/"),
        ("home, collector", collector, "/"),
    ]
    figures = []
    with override_settings(ARDESK_REQUIRE_MFA=False, ALLOWED_HOSTS=["testserver"]):
        for name, user, url in cases:
            client = signed_in(user)
            headers = {"HX-Request": "true"} if "htmx" in name else {}

            def get(client: Client = client, url: str = url, headers: dict[str, str] = headers) -> None:
                response = client.get(url, headers=headers)
                assert response.status_code == 200, (url, response.status_code)

            figures.append(Figure(name, size, best_of(get), TARGET_MS, "ms"))
    return figures
