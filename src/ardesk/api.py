"""The REST API under /api/v1: assembles the routers each app's api.py defines.

Everything cross-cutting is set here, once, for every router: authentication (API token or
signed-in session), the error shape, exact JSON numbers, and Idempotency-Key on every POST.
"""

from __future__ import annotations

from ninja.openapi.docs import Swagger

from ardesk.apikit import errors
from ardesk.apikit.auth import api_auth
from ardesk.apikit.base import ArdeskAPI
from ardesk.apikit.idempotency import idempotent_posts
from ardesk.apikit.parser import JsonParser

api = ArdeskAPI(
    title="ardesk API",
    version="1",
    urls_namespace="api",
    description=(
        "The accounts-receivable desk: customers, invoices, payments, applications, imports. "
        "Authenticate with `Authorization: Bearer <token>`; errors are `{code, message, field}`; "
        "POSTs accept an `Idempotency-Key`; PATCHes need the version you read (`If-Match`)."
    ),
    auth=api_auth(),
    parser=JsonParser(),
    # Assets come from ninja's own static files (no CDN); the validator badge would call swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
)
errors.install(api)
api.add_decorator(idempotent_posts, mode="view")

api.add_router("/customers", "ardesk.customers.api.router", tags=["customers"])
api.add_router("/contacts", "ardesk.customers.api.contacts_router", tags=["customers"])
api.add_router("/invoices", "ardesk.ledger.api.invoices", tags=["ledger"])
api.add_router("/credit-memos", "ardesk.ledger.api.credit_memos", tags=["ledger"])
api.add_router("/payments", "ardesk.ledger.api.payments", tags=["ledger"])
api.add_router("/applications", "ardesk.ledger.api.applications", tags=["ledger"])
api.add_router("/write-offs", "ardesk.ledger.api.write_offs", tags=["ledger"])
api.add_router("/reports", "ardesk.insights.api.router", tags=["reports"])
api.add_router("/imports", "ardesk.imports.api.router", tags=["imports"])
api.add_router("/disputes", "ardesk.disputes.api.router", tags=["disputes"])
api.add_router("/mail", "ardesk.comms.api.router", tags=["mail"])
