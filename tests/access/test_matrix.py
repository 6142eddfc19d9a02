"""Every page and every API route, asked by every role: the answer must match an explicit matrix.

A route that is not in the matrix fails the test, so a new page or route cannot ship without
someone deciding who may use it. "Allowed" means the request got past role and scope checks
(any answer but 401/403/404 and never a 5xx); "denied" means 403 or 404 (404 when the object
lies outside the user's scope, so a guessed id reveals nothing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY

from ardesk.api import api
from ardesk.comms.models import MessageTemplate
from ardesk.disputes.models import ReasonCode, RootCause
from ardesk.identity.roles import Role
from tests.access.dispute_routes import DISPUTE_ROUTES, dispute_params
from tests.access.escalation_world import escalation_params, escalation_world
from tests.access.world import ADMIN, EVERYONE, ROLES, SEES_EVERY_CUSTOMER, World, build_world
from tests.insights.dispute_world import matrix_corrective_action

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _document_files(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.ARDESK_FILES_DIR = tmp_path / "files"  # the world keeps a document; not in the checkout's var/

Kwargs = Callable[[World], dict[str, Any]]
NO_KWARGS: Kwargs = lambda w: {}  # noqa: E731
CLERK_OR_ADMIN = frozenset({Role.CASH_CLERK, Role.ADMIN})
MANAGER_OR_ADMIN = frozenset({Role.AR_MANAGER, Role.ADMIN})

_DISPUTE: Kwargs = lambda w: {"pk": w.other_dispute.pk}  # noqa: E731
DISPUTE_HANDLERS = frozenset({Role.ADMIN})  # may work disputes and sees the South team's customer
DISPUTE_PAGES: dict[str, tuple[frozenset[Role], Kwargs]] = {
    "disputes:queue": (EVERYONE, NO_KWARGS),
    "disputes:export": (EVERYONE, NO_KWARGS),
    "disputes:bulk_assign": (frozenset({Role.DISPUTE_ANALYST, Role.AR_MANAGER, Role.ADMIN}), NO_KWARGS),
    "disputes:raise": (CLERK_OR_ADMIN, lambda w: {}),  # filled below: ?customer=other
    "disputes:suggest": (frozenset({Role.COLLECTOR, Role.DISPUTE_ANALYST, Role.CASH_CLERK, Role.AR_MANAGER,
                                    Role.ADMIN}), NO_KWARGS),
    "disputes:detail": (SEES_EVERY_CUSTOMER, _DISPUTE),
    **{f"disputes:{name}": (DISPUTE_HANDLERS, _DISPUTE)
       for name in ("status", "assign", "priority", "reason", "comment", "task_add", "offer", "resolve", "close",
                    "reopen")},
    "disputes:task_done": (DISPUTE_HANDLERS, lambda w: {"pk": w.other_dispute.pk, "task_pk": w.other_task.pk}),
    "disputes:approval": (DISPUTE_HANDLERS, lambda w: {"pk": w.other_dispute.pk,
                                                        "approval_pk": w.other_approval.pk}),
}
QUERY: dict[str, Callable[[World], str]] = {"disputes:raise": lambda w: f"?customer={w.other.pk}"}

# url name -> (who may, how to fill the URL's parameters)
PAGES: dict[str, tuple[frozenset[Role], Kwargs]] = {
    "web:home": (EVERYONE, NO_KWARGS),
    "web:login": (EVERYONE, NO_KWARGS),
    "web:logout": (EVERYONE, NO_KWARGS),
    "web:customer_list": (EVERYONE, NO_KWARGS),
    "web:customer_detail": (SEES_EVERY_CUSTOMER, lambda w: {"pk": w.other.pk}),
    "web:invoice_detail": (SEES_EVERY_CUSTOMER, lambda w: {"pk": w.other_invoice.pk}),
    "web:aging": (EVERYONE, NO_KWARGS),
    "insights:disputes": (EVERYONE, NO_KWARGS),
    "insights:prevention": (EVERYONE, NO_KWARGS),
    "insights:action_create": (MANAGER_OR_ADMIN, NO_KWARGS),
    "insights:action_update": (MANAGER_OR_ADMIN, lambda w: {"pk": matrix_corrective_action().pk}),
    "insights:sales_note_create": (DISPUTE_HANDLERS, _DISPUTE),
    "identity:account": (EVERYONE, NO_KWARGS),
    "identity:password_change": (EVERYONE, NO_KWARGS),
    "identity:mfa_verify": (EVERYONE, NO_KWARGS),
    "identity:mfa_enrol": (EVERYONE, NO_KWARGS),
    "identity:tokens": (EVERYONE, NO_KWARGS),
    "identity:token_revoke": (ADMIN, lambda w: {"pk": w.victim_token.pk}),
    "identity:user_list": (ADMIN, NO_KWARGS),
    "identity:user_create": (ADMIN, NO_KWARGS),
    "identity:user_detail": (ADMIN, lambda w: {"pk": w.victim.pk}),
    "identity:user_deactivate": (ADMIN, lambda w: {"pk": w.victim.pk}),
    "identity:user_reactivate": (ADMIN, lambda w: {"pk": w.victim.pk}),
    "identity:user_reset_mfa": (ADMIN, lambda w: {"pk": w.victim.pk}),
    "identity:user_unlock": (ADMIN, lambda w: {"pk": w.victim.pk}),
    "identity:user_password": (ADMIN, lambda w: {"pk": w.victim.pk}),
    "identity:team_list": (ADMIN, NO_KWARGS),
    "identity:team_detail": (ADMIN, lambda w: {"pk": w.south.pk}),
    "imports:upload": (ADMIN, NO_KWARGS),
    "disputes:rules": (MANAGER_OR_ADMIN, NO_KWARGS),
    "disputes:catalogues": (MANAGER_OR_ADMIN, NO_KWARGS),
    "disputes:approvals": (frozenset({Role.DISPUTE_ANALYST, Role.AR_MANAGER, Role.ADMIN}), NO_KWARGS),
    "disputes:reason_code_create": (MANAGER_OR_ADMIN, NO_KWARGS),
    "disputes:reason_code_edit": (MANAGER_OR_ADMIN, lambda w: {"pk": ReasonCode.objects.order_by("pk").first().pk}),
    "disputes:root_cause_create": (MANAGER_OR_ADMIN, NO_KWARGS),
    "disputes:root_cause_edit": (MANAGER_OR_ADMIN, lambda w: {"pk": RootCause.objects.order_by("pk").first().pk}),
    "disputes:escalation_rule_create": (MANAGER_OR_ADMIN, NO_KWARGS),
    "disputes:escalation_rule_edit": (MANAGER_OR_ADMIN, lambda w: {"pk": escalation_world(w).rule.pk}),
    "disputes:escalation_rule_deactivate": (MANAGER_OR_ADMIN, lambda w: {"pk": escalation_world(w).rule.pk}),
    "disputes:auto_rule_create": (MANAGER_OR_ADMIN, NO_KWARGS),
    "disputes:auto_rule_edit": (MANAGER_OR_ADMIN, lambda w: {"pk": escalation_world(w).auto_rule.pk}),
    "disputes:auto_rule_deactivate": (MANAGER_OR_ADMIN, lambda w: {"pk": escalation_world(w).auto_rule.pk}),
    "disputes:auto_resolutions": (MANAGER_OR_ADMIN, NO_KWARGS),
    "disputes:auto_resolution_review": (ADMIN, lambda w: {"pk": escalation_world(w).auto_resolution.pk}),
    "disputes:escalate": (ADMIN, lambda w: {"pk": escalation_world(w).dispute.pk}),
    "comms:send": (DISPUTE_HANDLERS, _DISPUTE),
    "comms:unmatched": (frozenset({Role.DISPUTE_ANALYST, Role.AR_MANAGER, Role.ADMIN}), NO_KWARGS),
    "comms:file_unmatched": (frozenset({Role.DISPUTE_ANALYST, Role.AR_MANAGER, Role.ADMIN}),
                             lambda w: {"pk": w.unmatched_mail.pk}),
    "comms:templates": (MANAGER_OR_ADMIN, NO_KWARGS),
    "comms:template_edit": (MANAGER_OR_ADMIN, lambda w: {"pk": MessageTemplate.objects.order_by("pk").first().pk}),
    **DISPUTE_PAGES,
    "disputes:document": (SEES_EVERY_CUSTOMER, lambda w: {"pk": w.other_dispute.pk, "doc_pk": w.other_document.pk}),
    "disputes:document_upload": (DISPUTE_HANDLERS, _DISPUTE),
    "disputes:document_remove": (DISPUTE_HANDLERS, lambda w: {"pk": w.other_dispute.pk,
                                                              "doc_pk": w.other_document.pk}),
}

Body = Callable[[World, Role], dict[str, Any]]
# "METHOD /path/{param}" -> (who may, body to send)
ROUTES: dict[str, tuple[frozenset[Role], Body | None]] = {
    "GET /api/v1/customers": (EVERYONE, None),
    "POST /api/v1/customers": (MANAGER_OR_ADMIN, lambda w, r: {"number": f"NEW-{r}", "name": "New", "currency": "EUR"}),
    "GET /api/v1/customers/{customer_id}": (SEES_EVERY_CUSTOMER, None),
    "PATCH /api/v1/customers/{customer_id}": (ADMIN, lambda w, r: {"name": f"Renamed by {r}"}),
    "GET /api/v1/customers/{customer_id}/contacts": (SEES_EVERY_CUSTOMER, None),
    "POST /api/v1/customers/{customer_id}/contacts": (ADMIN, lambda w, r: {"name": "X", "email": f"{r}@x.example"}),
    "GET /api/v1/contacts/{contact_id}": (SEES_EVERY_CUSTOMER, None),
    "PATCH /api/v1/contacts/{contact_id}": (ADMIN, lambda w, r: {"phone": "+49 30 1234"}),
    "GET /api/v1/invoices": (EVERYONE, None),
    "POST /api/v1/invoices": (ADMIN, lambda w, r: {
        "customer_id": w.other.pk, "number": f"INV-{r}", "issue_date": "2026-11-01", "due_date": "2026-12-01",
        "currency": "EUR", "amount": "10.00"}),
    "GET /api/v1/invoices/{invoice_id}": (SEES_EVERY_CUSTOMER, None),
    "GET /api/v1/credit-memos": (EVERYONE, None),
    "POST /api/v1/credit-memos": (ADMIN, lambda w, r: {
        "customer_id": w.other.pk, "number": f"CM-{r}", "issue_date": "2026-11-01", "currency": "EUR",
        "amount": "1.00"}),
    "GET /api/v1/credit-memos/{credit_memo_id}": (SEES_EVERY_CUSTOMER, None),
    "POST /api/v1/credit-memos/{credit_memo_id}/applications": (CLERK_OR_ADMIN, lambda w, r: {
        "invoice_id": w.other_invoice.pk, "amount": "1.00"}),
    "GET /api/v1/payments": (EVERYONE, None),
    "POST /api/v1/payments": (CLERK_OR_ADMIN, lambda w, r: {
        "customer_id": w.other.pk, "number": f"PAY-{r}", "received_on": "2026-11-01", "currency": "EUR",
        "amount": "1.00"}),
    "GET /api/v1/payments/{payment_id}": (SEES_EVERY_CUSTOMER, None),
    "GET /api/v1/applications": (EVERYONE, None),
    "POST /api/v1/applications": (CLERK_OR_ADMIN, lambda w, r: {
        "invoice_id": w.other_invoice.pk, "payment_id": w.other_payment.pk, "amount": "1.00"}),
    "GET /api/v1/applications/{application_id}": (SEES_EVERY_CUSTOMER, None),
    "POST /api/v1/applications/{application_id}/reversal": (CLERK_OR_ADMIN, lambda w, r: {"reason": "wrong"}),
    "GET /api/v1/write-offs": (EVERYONE, None),
    "POST /api/v1/write-offs": (ADMIN, lambda w, r: {
        "invoice_id": w.other_invoice.pk, "amount": "1.00", "reason_code": "small_balance"}),
    "GET /api/v1/write-offs/{write_off_id}": (SEES_EVERY_CUSTOMER, None),
    "POST /api/v1/write-offs/{write_off_id}/reversal": (ADMIN, lambda w, r: {"reason": "booked in error"}),
    "GET /api/v1/reports/aging": (EVERYONE, None),
    "GET /api/v1/reports/aging/invoices": (EVERYONE, None),
    "GET /api/v1/reports/disputes/{report}": (EVERYONE, None),
    "GET /api/v1/disputes/corrective-actions": (EVERYONE, None),
    "POST /api/v1/disputes/corrective-actions": (MANAGER_OR_ADMIN, lambda w, r: {
        "root_cause": matrix_corrective_action().root_cause.code, "title": f"Fix by {r}", "department": "pricing",
        "effective_from": "2026-11-01"}),
    "PATCH /api/v1/disputes/corrective-actions/{action_id}": (MANAGER_OR_ADMIN, lambda w, r: {"status": "in_place"}),
    "GET /api/v1/disputes/sales-notes": (EVERYONE, None),
    "GET /api/v1/disputes/{dispute_id}/sales-notes": (SEES_EVERY_CUSTOMER, None),
    "POST /api/v1/disputes/{dispute_id}/sales-notes": (ADMIN, lambda w, r: {"body": "wants the larger pack"}),
    "POST /api/v1/imports": (ADMIN, None),
    "GET /api/v1/imports": (ADMIN, None),
    "GET /api/v1/imports/{batch_id}": (ADMIN, None),
    "GET /api/v1/disputes/escalation-rules": (MANAGER_OR_ADMIN, None),
    "POST /api/v1/disputes/escalation-rules": (MANAGER_OR_ADMIN, lambda w, r: {"name": f"By {r}",
                                                                              "escalate_to": "legal"}),
    "PATCH /api/v1/disputes/escalation-rules/{escalation_rule_id}": (MANAGER_OR_ADMIN, lambda w, r: {"active": False}),
    "GET /api/v1/disputes/auto-resolution-rules": (MANAGER_OR_ADMIN, None),
    "POST /api/v1/disputes/auto-resolution-rules": (MANAGER_OR_ADMIN, lambda w, r: {
        "name": f"By {r}", "max_amount": "0", "monthly_cap": "0", "root_cause": "customer_error",
        "responsible_department": "sales"}),
    "PATCH /api/v1/disputes/auto-resolution-rules/{auto_rule_id}": (MANAGER_OR_ADMIN, lambda w, r: {"active": False}),
    "GET /api/v1/disputes/auto-resolutions": (MANAGER_OR_ADMIN, None),
    "POST /api/v1/disputes/auto-resolutions/{auto_resolution_id}/review": (ADMIN, lambda w, r: {"note": "seen"}),
    "POST /api/v1/disputes/{dispute_id}/escalate": (ADMIN, lambda w, r: {"level": "manager", "reason": "matrix"}),
    "POST /api/v1/disputes/escalation/run": (ADMIN, lambda w, r: {}),
    **DISPUTE_ROUTES,
    "GET /api/v1/disputes/{dispute_id}/documents": (SEES_EVERY_CUSTOMER, None),
    "POST /api/v1/disputes/{dispute_id}/documents": (ADMIN, None),
    "GET /api/v1/disputes/{dispute_id}/documents/{document_id}": (SEES_EVERY_CUSTOMER, None),
    "DELETE /api/v1/disputes/{dispute_id}/documents/{document_id}": (ADMIN, None),  # admin asks last
    "GET /api/v1/disputes/{dispute_id}/messages": (SEES_EVERY_CUSTOMER, None),
    "POST /api/v1/disputes/{dispute_id}/messages": (ADMIN, lambda w, r: {
        "contact_id": w.other_contact.pk, "subject": "About your invoice", "body": f"Hello from {r}"}),
    "POST /api/v1/mail/inbound": (frozenset({Role.DISPUTE_ANALYST, Role.AR_MANAGER, Role.ADMIN}), None),
}

# The framework's own routes, outside ardesk's matrix: schema and docs are open to any signed-in caller.
NOT_ROUTES = {"api:openapi-json", "api:openapi-view", "api:api-root", "api:unknown-route"}


def _page_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                entry.namespace or namespace)
            names |= _page_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return {n for n in names if not n.startswith("api:")}


def _api_routes() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_page_is_in_the_matrix() -> None:
    assert _page_names() - set(PAGES) == set(), "pages missing from the access matrix"
    assert set(PAGES) - _page_names() == set(), "the matrix names pages that no longer exist"


def test_every_api_route_is_in_the_matrix() -> None:
    assert _api_routes() - set(ROUTES) == set(), "API routes missing from the access matrix"
    assert set(ROUTES) - _api_routes() == set(), "the matrix names API routes that no longer exist"


def _verdict(status: int, location: str = "") -> str:
    assert status < 500, f"server error {status}"
    if status in (401, 403, 404) or (status == 302 and "/login/" in location):
        return "denied"
    return "allowed"


def _signed_in(world: World, role: Role) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = world.devices[role].persistent_id
    session.save()
    return client


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access(name: str) -> None:
    world = build_world()
    allowed, kwargs = PAGES[name]
    url = reverse(name, kwargs=kwargs(world)) + QUERY.get(name, lambda w: "")(world)
    verdicts = {}
    for role in ROLES:
        client = _signed_in(world, role)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        verdicts[role] = _verdict(response.status_code, response.get("Location", ""))
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            ids = re.findall(r'\sid="([^"]+)"', response.content.decode())
            assert sorted({i for i in ids if ids.count(i) > 1}) == [], f"{name} as {role}: ids used twice"
    assert verdicts == {r: "allowed" if r in allowed else "denied" for r in ROLES}


def _path_params(world: World) -> dict[str, Any]:
    return {
        "customer_id": world.other.pk, "contact_id": world.other_contact.pk, "invoice_id": world.other_invoice.pk,
        "credit_memo_id": world.other_credit_memo.pk, "payment_id": world.other_payment.pk,
        "application_id": world.other_application.pk, "write_off_id": world.other_write_off.pk,
        **dispute_params(world),
        "dispute_id": world.other_dispute.pk if world.other_dispute else 0,
        "document_id": world.other_document.pk if world.other_document else 0,
        "report": "by_reason", "action_id": matrix_corrective_action().pk,
    }


def _import_batch_id(world: World) -> int:
    client = Client(raise_request_exception=False)
    response = client.post("/api/v1/imports", {
        "kind": "customers",
        "file": SimpleUploadedFile("c.csv", b"customer_number,name,currency\nIMP-1,Imported,EUR\n", "text/csv"),
    }, headers={"Authorization": f"Bearer {world.tokens[Role.ADMIN]}"})
    assert response.status_code in (200, 201), response.content
    return int(response.json()["batch_id"])


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_api_access(route: str) -> None:
    world = build_world()
    allowed, body = ROUTES[route]
    method, template = route.split(" ", 1)
    params = {**escalation_params(world, template), **_path_params(world)}
    if "{batch_id}" in template:
        params["batch_id"] = _import_batch_id(world)
    path = re.sub(r"{(\w+)}", lambda m: str(params[m.group(1)]), template)
    verdicts = {}
    for role in ROLES:
        client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {world.tokens[role]}"})
        if method == "GET":
            response = client.get(path)
        elif route == "POST /api/v1/imports":
            upload = SimpleUploadedFile("c.csv", f"customer_number,name,currency\nI-{role},X,EUR\n".encode())
            response = client.post(path, {"kind": "customers", "file": upload})
        else:
            payload = body(world, role) if body else {}
            response = client.generic(method, path, data=json.dumps(payload),
                                      content_type="application/json")
        verdicts[role] = _verdict(response.status_code)
    assert verdicts == {r: "allowed" if r in allowed else "denied" for r in ROLES}
