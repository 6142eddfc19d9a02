"""The message a customer is owed next on a dispute: offered by the Messages form so nobody forgets to
acknowledge a dispute or to tell the outcome (and why it was rejected)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ardesk.comms.next_message import owed_message
from ardesk.disputes import services as disputes
from ardesk.disputes.models import Dispute, ReasonCode
from tests.comms.conftest import Company
from tests.web.html import Page

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _selected_template(page: Page) -> str | None:
    select = page.by_id("mail-template_code")
    assert select is not None
    chosen = [o.attrs.get("value") for o in select.iter("option") if "selected" in o.attrs]
    return chosen[0] if chosen else None


def _owed(status: str, outcome: str = "", resolved_at: datetime | None = None,
          sent: tuple[tuple[str, datetime], ...] = ()) -> str | None:
    found = owed_message(status=status, outcome=outcome, resolved_at=resolved_at, sent=sent)
    return found.template_code if found else None


def test_an_open_dispute_is_owed_its_acknowledgement_once():
    assert _owed("new") == "acknowledge"
    assert _owed("in_review", sent=(("request_documents", T0),)) == "acknowledge"
    assert _owed("waiting_on_customer", sent=(("acknowledge", T0),)) is None


def test_a_resolved_dispute_is_owed_its_outcome_told_after_the_resolution():
    assert _owed("resolved", "rejected", T0, (("acknowledge", T0),)) == "resolution_rejected"
    assert _owed("closed", "partly_accepted", T0) == "resolution_partly_accepted"
    told = (("resolution_accepted", T0 + timedelta(minutes=5)),)
    assert _owed("closed", "accepted", T0, told) is None
    # told of an earlier outcome, then reopened and resolved again: owed again
    assert _owed("resolved", "accepted", T0, (("resolution_rejected", T0 - timedelta(days=3)),)) == \
        "resolution_accepted"
    found = owed_message(status="resolved", outcome="rejected", resolved_at=T0, sent=())
    assert found is not None and "and why" in found.why


@pytest.mark.django_db
def test_the_messages_form_offers_the_owed_template_until_it_is_sent(
        settings: Any, client: Client, login_as: Any, company: Company, dispute: Dispute, analyst: Any) -> None:
    settings.ARDESK_SEE_ALL_CUSTOMERS = True
    login_as(analyst)
    url = reverse("disputes:detail", args=[dispute.pk])
    page = Page(client.get(url).content)
    assert "not been told that the dispute was received" in page.text("mail-owed")
    assert _selected_template(page) == "acknowledge"
    contact = page.by_id("mail-contact")  # the primary contact is chosen
    assert contact is not None
    assert [o.attrs.get("value") for o in contact.iter("option") if "selected" in o.attrs] == [str(company.sue.pk)]
    # when the dispute is rejected, the rejection (with its reason) is offered
    dispute = disputes.set_reason_code(dispute=dispute, reason_code=ReasonCode.objects.get(code="pricing"),
                                       by=analyst)
    dispute = disputes.change_status(dispute=dispute, to="in_review", by=analyst)
    disputes.resolve(dispute=dispute, outcome="rejected", note="the contract price was applied", by=analyst)
    page = Page(client.get(url).content)
    assert "not been told of the outcome and why" in page.text("mail-owed")
    assert _selected_template(page) == "resolution_rejected"
    # and once it is sent, nothing more is owed
    response = client.post(reverse("comms:send", args=[dispute.pk]),
                           {"contact": company.sue.pk, "template_code": "resolution_rejected"})
    assert response.status_code == 302
    assert Page(client.get(url).content).by_id("mail-owed") is None
