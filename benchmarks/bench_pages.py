"""Page speed at the server with 100,000 customers and 1,000,000 invoices (PostgreSQL).

Fills the benchmark database with the demo company through `ardesk demo load`'s
loader (unless it already holds one: the counts are checked), then times, signed
in as the demo administrator with Django's test client, the customer search,
the customer list and the account page of the customer with the most invoices.
A page's figure is the best of five after one warm-up; each must be under 300 ms.
After a load the tables are vacuumed and analysed, as autovacuum would leave them.
The administrator's session is marked as past the second factor (see `signed_in`),
and DEBUG is off so query logging does not count.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from benchmarks.common import Figure, best_of, peak_rss_mb, setup_django

FULL_CUSTOMERS = 100_000
FULL_INVOICES = 1_000_000
PAGE_TARGET_MS = 300.0
LOAD_TARGET_S = 900.0  # "minutes, not hours"
LOAD_MEMORY_TARGET_MB = 1024.0


def _say(message: str) -> None:
    print(f"  bench_pages: {message}", file=sys.stderr, flush=True)


def ensure_demo(customers: int, invoices: int) -> tuple[int, int, list[Figure]]:
    """Load the demo company unless it is there; returns its customers, invoices, and load figures."""
    from django.conf import settings
    from django.utils import timezone

    from ardesk.audit.models import AuditEvent
    from ardesk.audit.services import SystemActor
    from ardesk.demo.plan import DEFAULT_SEED, plan_for
    from ardesk.demo.services import load_demo
    from ardesk.ledger.models import Invoice, Source

    figures: list[Figure] = []
    if not Invoice.objects.filter(source=Source.DEMO).exists():
        plan = plan_for(size=None, invoices=invoices, customers=customers, seed=DEFAULT_SEED,
                        today=timezone.localdate(), company_currency=settings.ARDESK_COMPANY_CURRENCY)
        _say(f"loading the demo company: {customers:,} customers, {invoices:,} invoices")
        load_demo(plan=plan, by=SystemActor("benchmark"),
                  progress=lambda done, total: _say(f"{done:,} / {total:,} invoices"))
        figures.append(Figure("demo load: peak memory of the loader", f"{invoices:,} invoices", peak_rss_mb(),
                              LOAD_MEMORY_TARGET_MB, "MB"))
        vacuum()
    summary = AuditEvent.objects.filter(verb="demo.loaded").order_by("-seq").first()
    if summary is None or not summary.after:
        raise RuntimeError("the benchmark database holds demo invoices but no demo.loaded event: recreate it")
    loaded_customers, loaded_invoices = int(summary.after["customers"]), int(summary.after["invoices"])
    if loaded_invoices != invoices:
        _say(f"the database holds a demo of {loaded_invoices:,} invoices (asked {invoices:,}): "
             "timing pages on what is there")
    size = f"{loaded_customers:,} customers / {loaded_invoices:,} invoices"
    figures.insert(0, Figure("demo load (COPY, one transaction)", size, float(summary.after["seconds"]),
                             LOAD_TARGET_S, "s"))
    return loaded_customers, loaded_invoices, figures


def vacuum() -> None:
    """Leave the fresh tables as autovacuum would (visibility map, statistics) before timing pages."""
    from django.apps import apps
    from django.db import connection

    from ardesk.demo.capabilities import tables

    _say("VACUUM ANALYZE of the demo's tables")
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(apps.get_model(table)._meta.db_table)}")


def signed_in(user: Any) -> Any:
    """A test client signed in as `user`, past the second factor if the user has a device.

    ARDESK_REQUIRE_MFA off is not enough: ardesk asks for a confirmed authenticator whatever the setting,
    so the session is marked verified with the user's device, as django-otp's login does after a right code.
    """
    from django.test import Client, override_settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    with override_settings(ARDESK_REQUIRE_MFA=False):
        response = client.get("/")
    if response.status_code != 200:
        raise RuntimeError(f"signed-in home page answered {response.status_code} ({response.get('Location')})")
    return client


def time_pages(size: str) -> list[Figure]:
    from django.db.models import Count
    from django.test import override_settings
    from django.urls import reverse

    from ardesk.customers.models import Customer
    from ardesk.identity.models import User
    from ardesk.identity.roles import Role
    from ardesk.ledger.models import Invoice

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("no active administrator to sign in with")
    largest = Invoice.objects.values("customer").annotate(n=Count("pk")).order_by("-n", "customer").first()
    if largest is None:
        raise RuntimeError("no invoices to show")
    customer = Customer.objects.get(pk=largest["customer"])
    term = customer.name.split()[0].lower()  # what a collector types: part of a name
    client = signed_in(admin)
    pages = [
        (f"customer search (?q={term})", f"{reverse('web:customer_list')}?q={term}"),
        ("customer list", reverse("web:customer_list")),
        (f"account page of the largest customer ({largest['n']:,} invoices)",
         reverse("web:customer_detail", args=[customer.pk])),
    ]
    figures = []
    with override_settings(DEBUG=False):
        for name, url in pages:
            def get(url: str = url) -> None:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}")

            figures.append(Figure(name, size, best_of(get), PAGE_TARGET_MS, "ms"))
    return figures


def run(args: argparse.Namespace) -> list[Figure]:
    setup_django()
    scale = getattr(args, "scale", 1.0)
    customers, invoices = max(12, round(FULL_CUSTOMERS * scale)), max(12, round(FULL_INVOICES * scale))
    loaded_customers, loaded_invoices, figures = ensure_demo(customers, invoices)
    figures.extend(time_pages(f"{loaded_customers:,} customers / {loaded_invoices:,} invoices"))
    return figures
