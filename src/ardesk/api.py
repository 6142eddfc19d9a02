"""The REST API under /api/v1: assembles the routers each app's api.py defines."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="ardesk API",
    version="1",
    urls_namespace="api",
    description="The accounts-receivable desk: customers, invoices, payments, applications, imports.",
)
