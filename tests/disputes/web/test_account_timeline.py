"""The account page's activity timeline tells what happened to the customer's disputes, linking to each."""

from __future__ import annotations

from django.urls import reverse

from ardesk.web.timeline import timeline_for
from tests.disputes.web.conftest import Desk


def test_a_raised_and_reviewed_dispute_shows_on_the_account_timeline(desk: Desk, signed_in):  # type: ignore[no-untyped-def]
    dispute = desk.in_review(desk.raise_on())
    entries = [e for e in timeline_for([desk.customer.pk]) if e.kind == "dispute"]
    assert [e.title.split(": ")[0] for e in entries] == [dispute.number] * len(entries) and len(entries) >= 2
    assert entries[-1].url == reverse("disputes:detail", args=[dispute.pk])
    page = signed_in(desk.analyst).get(reverse("web:customer_detail", args=[desk.customer.pk]))
    assert f"{dispute.number}: Raised".encode() in page.content


def test_another_customers_disputes_stay_off_the_timeline(desk: Desk):
    desk.raise_on(desk.hidden_invoice)
    assert [e for e in timeline_for([desk.customer.pk]) if e.kind == "dispute"] == []
