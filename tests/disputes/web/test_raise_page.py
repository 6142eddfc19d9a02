"""Raising a dispute from the invoice and account pages, with the suggestion and the duplicate check."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ardesk.disputes.models import Dispute
from tests.web.html import Page

pytestmark = pytest.mark.django_db
D = Decimal
RAISE = "/disputes/raise/"


def test_the_invoice_page_offers_raise_and_lists_open_disputes(desk, signed_in):
    page = Page(signed_in(desk.collector).get(reverse("web:invoice_detail", args=[desk.invoice.pk])).content)
    assert page.by_id("raise-dispute") is not None
    dispute = desk.raise_on(amount="40.00")
    page = Page(signed_in(desk.collector).get(reverse("web:invoice_detail", args=[desk.invoice.pk])).content)
    assert dispute.number in page.text("related-dispute-list")
    assert page.text("invoice-disputed") == "EUR 40.00"


def test_who_may_not_raise_sees_no_button(desk, signed_in):
    page = Page(signed_in(desk.auditor).get(reverse("web:customer_detail", args=[desk.customer.pk])).content)
    assert page.by_id("related-disputes") is not None and page.by_id("raise-dispute") is None


def test_a_whole_invoice_dispute_is_raised_from_the_invoice(desk, signed_in):
    client = signed_in(desk.collector)
    url = f"{RAISE}?invoice={desk.invoice.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "invoice", "amount": "50.00", "description": "the price is wrong",
                                 "priority": "2"})
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("disputes:detail", args=[dispute.pk])
    assert (dispute.kind, dispute.amount, dispute.raised_by) == ("invoice", D("50.00"), desk.collector)
    assert dispute.suggested_reason is not None and dispute.suggested_reason.code == "pricing"


def test_a_dispute_above_the_collectible_amount_is_refused_on_the_page(desk, signed_in):
    response = signed_in(desk.collector).post(f"{RAISE}?invoice={desk.invoice.pk}", {
        "kind": "invoice", "amount": "999.00", "priority": "2"})
    assert response.status_code == 400
    assert "999" in Page(response.content).text("raise-errors") and not Dispute.objects.exists()


def test_a_line_dispute_takes_the_quantity_short(desk, signed_in):
    line = desk.invoice.lines.get(line_no=1)
    response = signed_in(desk.analyst).post(f"{RAISE}?invoice={desk.invoice.pk}", {
        "kind": "lines", f"qty_{line.pk}": "2", "priority": "2", "description": "two widgets missing"})
    assert response.status_code == 302
    item = Dispute.objects.get().items.get()
    assert (item.invoice_line, item.disputed_quantity, item.amount) == (line, D("2"), D("25.00"))


def test_a_line_dispute_without_any_line_filled_is_explained(desk, signed_in):
    response = signed_in(desk.analyst).post(f"{RAISE}?invoice={desk.invoice.pk}", {"kind": "lines", "priority": "2"})
    assert response.status_code == 400 and "at least one line" in Page(response.content).text("raise-errors")


def test_an_account_dispute_covers_the_ticked_invoices(desk, signed_in):
    response = signed_in(desk.analyst).post(f"{RAISE}?customer={desk.customer.pk}", {
        "kind": "account", "invoices": [desk.invoice.pk], "priority": "3"})
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.kind, dispute.amount, dispute.priority) == ("account", D("225.00"), 3)


def test_a_likely_duplicate_needs_raise_anyway(desk, signed_in):
    first = desk.raise_on(amount="10.00")
    client = signed_in(desk.analyst)
    url = f"{RAISE}?invoice={desk.invoice.pk}"
    body = {"kind": "invoice", "amount": "20.00", "priority": "2"}
    response = client.post(url, body)
    assert response.status_code == 409
    page = Page(response.content)
    assert first.number in page.text("duplicate-warning") and page.by_id("id_confirm_duplicate") is not None
    assert Dispute.objects.count() == 1
    assert client.post(url, {**body, "confirm_duplicate": "on"}).status_code == 302
    assert Dispute.objects.count() == 2


def test_the_suggestion_follows_the_words(desk, signed_in):
    response = signed_in(desk.analyst).get(reverse("disputes:suggest"), {"description": "goods arrived damaged"})
    assert "Damaged" in Page(response.content).text("suggested-reason")


def test_raising_on_an_invoice_out_of_scope_is_not_found(desk, signed_in):
    client = signed_in(desk.analyst)
    assert client.get(f"{RAISE}?invoice={desk.hidden_invoice.pk}").status_code == 404
    assert client.get(f"{RAISE}?customer={desk.hidden.pk}").status_code == 404
    assert client.get(RAISE).status_code == 404
    assert client.post(f"{RAISE}?invoice={desk.hidden_invoice.pk}", {"kind": "invoice"}).status_code == 404
    assert not Dispute.objects.exists()


def test_raising_needs_the_permission(desk, signed_in):
    assert signed_in(desk.auditor).get(f"{RAISE}?invoice={desk.invoice.pk}").status_code == 403
