"""A bounded schemathesis run over our own OpenAPI schema: whatever it sends, never a 500.

Every operation gets generated requests (valid and invalid) with an admin's token, through the
WSGI application in-process. Marked slow: `make test` runs it, `make test-fast` skips it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ardesk.identity.services import issue_token
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


DOCUMENTED_HERE = {"customers", "ledger", "imports", "disputes", "mail", "escalation", "prevention"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a request must not close the connection the test's transaction holds."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, admin_user) -> str:  # type: ignore[no-untyped-def]
    """An admin's token, and a little data so that ids in generated paths sometimes exist."""
    invoice = InvoiceFactory(customer=CustomerFactory(pk=1), pk=1)
    PaymentFactory(customer=invoice.customer, pk=1)
    _, secret = issue_token(user=admin_user, name="fuzz", scopes=["read", "write", "import"], by=admin_user)
    return secret


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_request_makes_the_api_fail(case: Any, token: str) -> None:
    # given: every route must never answer 5xx; the routes of this piece must also answer as documented
    checks = [not_a_server_error]
    if set(case.operation.tags or ()) & DOCUMENTED_HERE:
        checks += [status_code_conformance, response_schema_conformance]
    # when / then
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)
