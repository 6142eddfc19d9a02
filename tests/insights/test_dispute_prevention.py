"""Corrective actions, their before/after effect, the prevention view, and notes handed to sales (mailed over a
real SMTP server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse

from ardesk.audit.models import AuditEvent
from ardesk.disputes.models import Dispute, RootCause, SalesNote
from ardesk.disputes.services import (
    NoSalesRep,
    hand_to_sales,
    record_corrective_action,
    update_corrective_action,
)
from ardesk.errors import DomainError, PermissionDenied
from ardesk.insights.dispute_report import default_period
from ardesk.insights.prevention import corrective_actions, root_cause_costs
from tests.insights.dispute_world import DisputeWorld, build_dispute_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> DisputeWorld:  # type: ignore[no-untyped-def]
    return build_dispute_world()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it by this name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def test_root_causes_ranked_by_cost_with_who_is_behind(world: DisputeWorld):
    causes, rates = root_cause_costs(period=default_period(world.today), user=world.manager)
    # pricing_error: d1 granted 50.00, d4 granted 400 USD × 0.9; shipping_error: d3 rejected, cost 0
    assert [(c.root_cause.code, c.disputes, c.cost) for c in causes] == [
        ("pricing_error", 2, Decimal("410.00")), ("shipping_error", 1, Decimal("0.00"))]
    pricing = causes[0]
    assert [(b.label, b.cost) for b in pricing.customers] == [("C-YANK Yankee Inc", Decimal("360.00")),
                                                             ("C-ALPHA Alpha GmbH", Decimal("50.00"))]
    assert [(b.label, b.cost) for b in pricing.skus] == [("(no SKU)", Decimal("360.00")), ("SKU-1", Decimal("25.00")),
                                                        ("SKU-2", Decimal("25.00"))]
    assert [(b.label, b.cost) for b in pricing.sales_reps] == [("Sam", Decimal("360.00")), ("Rita", Decimal("50.00"))]
    assert rates == {"USD": Decimal("0.9")}


def test_a_corrective_action_is_audited_and_shows_whether_disputes_fell(world: DisputeWorld):
    pricing_error = RootCause.objects.get(code="pricing_error")
    # given: d1 (day −100) was before the fix, d4 (day −40) after it
    action = record_corrective_action(root_cause=pricing_error, title="Price list checked weekly",
                                      department="pricing", effective_from=world.today - timedelta(days=70),
                                      by=world.manager)
    assert AuditEvent.objects.get(verb="dispute.corrective_action_recorded").actor_id == world.manager.pk
    # when
    [found] = corrective_actions(user=world.manager, as_of=world.today, months=2)
    # then: one dispute in the two months before, one in the two after: not fewer
    assert found.action == action and sum(found.effect.before) == 1 and sum(found.effect.after) == 1
    assert found.effect.complete and found.effect.fell is False
    update_corrective_action(action=action, status="in_place", by=world.manager)
    event = AuditEvent.objects.get(verb="dispute.corrective_action_updated")
    assert event.before == {"status": "planned"} and event.after == {"status": "in_place"}


def test_corrective_actions_need_the_rule_permission_and_a_title(world: DisputeWorld):
    cause = RootCause.objects.get(code="pricing_error")
    with pytest.raises(PermissionDenied):
        record_corrective_action(root_cause=cause, title="x", department="pricing",
                                 effective_from=world.today, by=world.analyst)
    with pytest.raises(DomainError, match="title"):
        record_corrective_action(root_cause=cause, title="  ", department="pricing", effective_from=world.today,
                                 by=world.manager)


def test_hand_to_sales_mails_the_rep_over_smtp(world: DisputeWorld, smtp: Inbox, settings: Any,
                                               django_capture_on_commit_callbacks: Any):
    settings.ARDESK_SALES_REP_EMAILS = "Rita=rita@sales.example, Sam = sam@sales.example"
    with django_capture_on_commit_callbacks(execute=True):
        [note] = hand_to_sales(dispute=world.d2, body="Wants the 10-pack instead", by=world.analyst)
    assert (note.sales_rep, note.sent_to) == ("Rita", "rita@sales.example")
    [(to, message)] = smtp.messages
    assert to == ["rita@sales.example"] and world.d2.number in message["Subject"]
    assert "Wants the 10-pack instead" in message.get_payload()
    assert AuditEvent.objects.get(verb="dispute.handed_to_sales").after["sales_reps"] == ["Rita"]


def test_hand_to_sales_without_a_known_address_keeps_the_note_unmailed(world: DisputeWorld, smtp: Inbox,
                                                                       django_capture_on_commit_callbacks: Any):
    with django_capture_on_commit_callbacks(execute=True):
        [note] = hand_to_sales(dispute=world.d3, body="Asks for monthly terms", by=world.analyst)
    assert note.sales_rep == "Sam" and note.sent_to == "" and smtp.messages == []


def test_hand_to_sales_refuses_when_no_rep_is_named(world: DisputeWorld):
    with pytest.raises(NoSalesRep, match=r"no sales rep is named on the invoices of .*A2"):
        hand_to_sales(dispute=world.d6, body="Wants another product", by=world.analyst)
    assert not SalesNote.objects.exists()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_prevention_page_and_its_forms(world: DisputeWorld):
    client = _client(world.manager)
    cause = RootCause.objects.get(code="pricing_error")
    response = client.post(reverse("insights:action_create"), {
        "root_cause": cause.pk, "title": "Second check of price changes", "department": "pricing",
        "status": "planned", "effective_from": (world.today - timedelta(days=70)).isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("insights:prevention"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Second check of price changes" in text and "Pricing error" in text and "C-YANK Yankee Inc" in text
    action = cause.corrective_actions.get()
    client.post(reverse("insights:action_update", args=[action.pk]),
                {"status": "in_place", "effective_from": action.effective_from.isoformat()})
    action.refresh_from_db()
    assert action.status == "in_place"
    # an analyst sees the page but may not record actions
    assert _client(world.analyst).post(reverse("insights:action_create"), {}).status_code == 403


def test_the_dispute_page_panel_hands_a_note_to_sales(world: DisputeWorld):
    client = _client(world.analyst)
    detail = client.get(reverse("disputes:detail", args=[world.d2.pk]))
    assert 'id="sales-note-form"' in detail.content.decode() and "Rita" in detail.content.decode()
    response = client.post(reverse("insights:sales_note_create", args=[world.d2.pk]), {"body": "Wants a 10-pack"})
    assert response.status_code == 302
    assert SalesNote.objects.get().body == "Wants a 10-pack"
    assert "Wants a 10-pack" in client.get(reverse("disputes:detail", args=[world.d2.pk])).content.decode()
    # a dispute outside the analyst's team is not found
    outside = client.post(reverse("insights:sales_note_create", args=[world.d5.pk]), {"body": "x"})
    assert outside.status_code == 404


def test_sales_notes_over_the_api(world: DisputeWorld):
    client = _client(world.analyst)
    created = client.post(f"/api/v1/disputes/{world.d3.pk}/sales-notes", {"body": "Asks for terms"},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()[0]["sales_rep"] == "Sam"
    refused = client.post(f"/api/v1/disputes/{world.d6.pk}/sales-notes", {"body": "x"},
                          content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "sales_rep"
    listed = client.get("/api/v1/disputes/sales-notes").json()
    assert [n["dispute"] for n in listed] == [world.d3.number]
    assert Dispute.objects.filter(pk=world.d3.pk).exists()


def test_corrective_actions_over_the_api(world: DisputeWorld):
    client = _client(world.manager)
    created = client.post("/api/v1/disputes/corrective-actions", {
        "root_cause": "pricing_error", "title": "Weekly price audit", "department": "pricing",
        "effective_from": (world.today - timedelta(days=70)).isoformat()}, content_type="application/json")
    assert created.status_code == 201, created.content
    changed = client.patch(f"/api/v1/disputes/corrective-actions/{created.json()['id']}", {"status": "in_place"},
                           content_type="application/json")
    assert changed.json()["status"] == "in_place"
    [listed] = client.get("/api/v1/disputes/corrective-actions?months=2").json()
    assert listed["effect"]["before"] == [0, 1] and listed["effect"]["fell"] is False
