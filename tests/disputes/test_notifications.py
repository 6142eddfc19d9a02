"""Colleagues hear by mail when they are @mentioned and when a write-off waits for their approval."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core import mail

from ardesk.disputes import services
from ardesk.disputes.mail_hold import hold_mail
from ardesk.disputes.models import Kind
from tests.factories import CustomerFactory, InvoiceFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _dispute(by, customer=None, amount: str = "40.00"):  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(amount=D("500.00"), **({"customer": customer} if customer else {}))
    return services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE, by=by,
                                  items=[services.ItemInput(invoice=invoice, amount=D(amount))])


def test_the_mentioned_colleague_gets_a_mail_with_the_comment_and_a_link(analyst, second_analyst, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.ARDESK_BASE_URL = "https://ar.example.com"
    dispute = _dispute(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(dispute=dispute, body="@dirk is the price list signed?", by=analyst)
    assert [m.to for m in mail.outbox] == [["dirk@example.com"]]
    assert dispute.number in mail.outbox[0].subject
    assert "is the price list signed?" in mail.outbox[0].body
    assert f"https://ar.example.com/disputes/{dispute.pk}/" in mail.outbox[0].body


def test_nobody_is_mailed_under_a_mail_hold_or_when_the_change_rolls_back(analyst, second_analyst,
                                                                       django_capture_on_commit_callbacks):
    dispute = _dispute(analyst)
    with hold_mail(), django_capture_on_commit_callbacks(execute=True):
        services.add_comment(dispute=dispute, body="@dirk quiet please", by=analyst)
    with django_capture_on_commit_callbacks(execute=False):  # never committed: callbacks dropped
        services.add_comment(dispute=dispute, body="@dirk never sent", by=analyst)
    assert mail.outbox == []


def test_a_write_off_over_the_limit_mails_the_teams_manager_not_the_requester(analyst, pricing,
                                                                               django_capture_on_commit_callbacks):
    manager = UserFactory(username="mona", role="ar_manager", approval_limit=D("10000.00"))
    team = TeamFactory(name="South", manager=manager)
    dispute = _dispute(analyst, customer=CustomerFactory(team=team), amount="250.00")
    services.set_reason_code(dispute=dispute, reason_code=pricing, by=analyst)
    dispute.refresh_from_db()
    services.change_status(dispute=dispute, to="in_review", by=analyst)
    dispute.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", by=analyst)
    assert result.approval is not None
    waiting = [m for m in mail.outbox if "waits for approval" in m.subject]
    assert [m.to for m in waiting] == [["mona@example.com"]]
    assert "250.00 EUR" in waiting[0].subject
