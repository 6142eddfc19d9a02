"""Managers find the write-offs waiting for them on one page, linked from the queue; never their own requests."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from ardesk.disputes import services
from ardesk.disputes.models import Kind
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARDESK_REQUIRE_MFA = False
    settings.ARDESK_SEE_ALL_CUSTOMERS = True


def _waiting(analyst, pricing):  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(amount=D("500.00"))
    dispute = services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, reason_code=pricing, by=analyst,
                                     items=[services.ItemInput(invoice=invoice, amount=D("250.00"))])
    dispute = services.change_status(dispute=dispute, to="in_review", by=analyst)
    return services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", by=analyst).approval


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_manager_sees_the_request_and_the_queue_links_to_it(analyst, approver, pricing):
    request = _waiting(analyst, pricing)
    page = _client(approver).get(reverse("disputes:approvals"))
    assert page.status_code == 200
    assert f'id="approval-{request.pk}"'.encode() in page.content and b"250.00" in page.content
    queue = _client(approver).get(reverse("disputes:queue"))
    assert b"1 write-off waits for approval" in queue.content


def test_the_requester_does_not_see_their_own_request(analyst, pricing):
    _waiting(analyst, pricing)
    page = _client(analyst).get(reverse("disputes:approvals"))
    assert page.status_code == 200 and b"Nothing waits for your approval" in page.content


def test_a_decided_request_leaves_the_list(analyst, approver, pricing):
    request = _waiting(analyst, pricing)
    services.decide_approval(request=request, approve=False, note="credit it", by=approver)
    assert b"Nothing waits for your approval" in _client(approver).get(reverse("disputes:approvals")).content
