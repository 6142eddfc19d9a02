"""The dispute desk in a real browser: filter the queue, work a dispute to closed, see the ledger follow.

A small company is built here (not the demo) so the test states exactly what the analyst sees;
the screenshots disputes-queue.png and dispute-page.png go to docs/screenshots/ for the README.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ardesk.customers.models import Customer
from ardesk.demo.dispute_files import pdf, png
from ardesk.demo.people import DEMO_PASSWORD
from ardesk.disputes import services
from ardesk.disputes.models import Dispute, Kind, ReasonCode
from ardesk.identity.models import Team, User
from ardesk.ledger import services as ledger
from ardesk.ledger.models import CreditMemo, Invoice
from ardesk.ledger.services import LineInput
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
D = Decimal


@dataclass
class Desk:
    analyst: User
    colleague: User
    acme: Customer
    invoice: Invoice
    disputes: list[Dispute]


def _user(username: str, first: str, last: str, team: Team) -> User:
    user = User(username=username, first_name=first, last_name=last, role="dispute_analyst", team=team,
                approval_limit=D("500.00"))
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@pytest.fixture
def desk(live_server: Any) -> Desk:
    today = timezone.localdate()
    team = Team.objects.create(name="North")
    analyst, colleague = _user("dana", "Dana", "Reyes", team), _user("dirk", "Dirk", "Vos", team)
    reasons = {rc.code: rc for rc in ReasonCode.objects.all()}
    customers = [Customer.objects.create(number=f"C-{n}", name=name, currency="EUR", team=team)
                 for n, name in enumerate(["Acme Foods GmbH", "Borealis Retail", "Cobalt Trading"], start=1)]
    texts = [("pricing", "Price on the invoice is higher than the agreed contract price"),
             ("quantity_short", "Only 8 of 10 cases were delivered"),
             ("damaged_goods", "Two pallets arrived damaged"),
             ("not_received", "We never received this shipment"),
             ("duplicate_billing", "This invoice was billed twice")]
    disputes, first_invoice = [], None
    for n in range(9):
        customer = customers[n % 3]
        invoice = ledger.book_invoice(
            customer=customer, number=f"INV-{1000 + n}", issue_date=today - timedelta(days=30 + n * 4),
            due_date=today - timedelta(days=n), currency="EUR", by=analyst,
            lines=[LineInput("SKU-1", "Widget", D("10"), D("12.50")), LineInput("SKU-2", "Gadget", D("4"), D("25.00"))])
        first_invoice = first_invoice or invoice
        code, text = texts[n % len(texts)]
        dispute = services.raise_dispute(
            customer=customer, kind=Kind.INVOICE, description=text, reason_code=reasons.get(code), by=analyst,
            owner=analyst if n % 2 == 0 else None,
            items=[services.ItemInput(invoice=invoice, amount=D("40.00") + n * 10)])
        disputes.append(dispute)
    # some are past their SLA, one is escalated to a manager
    Dispute.objects.filter(pk__in=[disputes[3].pk, disputes[6].pk]).update(sla_due=today - timedelta(days=4))
    Dispute.objects.filter(pk=disputes[5].pk).update(escalation_level="manager", priority=4)
    return Desk(analyst=analyst, colleague=colleague, acme=customers[0], invoice=first_invoice, disputes=disputes)


def test_an_analyst_works_a_dispute_from_the_queue_to_closed(desk: Desk, sign_in: Callable[..., Page],
                                                             live_server: Any) -> None:
    page = sign_in(desk.analyst)
    page.goto(f"{live_server.url}/disputes/")
    queue = page.locator("#dispute-queue")
    expect(queue.locator("tbody tr")).to_have_count(9)
    expect(page.locator("#queue-breached")).to_have_text("2 past SLA")
    screenshot(page, "disputes-queue")
    # when the analyst narrows the queue to one customer's disputes by name
    page.get_by_label("Search").fill("Acme")
    page.locator("#apply-filters").click()
    expect(queue.locator("tbody tr")).to_have_count(3)
    expect(page.locator("#queue-count")).to_have_text("3")
    target = desk.disputes[0]
    # and opens the one on the first invoice
    queue.get_by_role("link", name=target.number).click()
    expect(page.locator("main h1")).to_contain_text(target.number)
    expect(page.locator("#dispute-items")).to_contain_text(desk.invoice.number)
    # it goes into review
    page.locator("#action-status summary").click()
    page.locator("#status-to").select_option("in_review")
    page.locator("#status-form-submit").click()
    expect(page.locator("#dispute-status")).to_have_text("In review")
    # a comment mentions the colleague
    page.locator("#comment-body").fill("@dirk the contract says 11.25 a widget, can you confirm?")
    page.locator("#comment-form-submit").click()
    expect(page.locator("#comment-list")).to_contain_text("@dirk")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "dispute-page")
    # it is resolved: partly accepted, a credit memo for 25.00
    page.locator("#action-resolve summary").click()
    page.locator("#resolve-outcome").select_option("partly_accepted")
    page.locator("#resolve-settlement").select_option("credit_memo")
    page.locator("#resolve-accepted_amount").fill("25.00")
    page.locator("#resolve-note").fill("The contract price applies to widgets")
    page.locator("#resolve-form-submit").click()
    expect(page.locator("#dispute-status")).to_have_text("Resolved")
    memo = CreditMemo.objects.get(invoice=desk.invoice)
    expect(page.locator("#dispute-settlements")).to_contain_text(memo.number)
    # it closes with the root cause and the department at fault
    page.locator("#close-root_cause").select_option("pricing_error")
    page.locator("#close-responsible_department").select_option("pricing")
    page.locator("#close-form-submit").click()
    expect(page.locator("#dispute-status")).to_have_text("Closed")
    expect(page.locator("#dispute-root-cause")).to_contain_text("Pricing")
    expect(page.locator("#dispute-timeline")).to_contain_text("Closed")
    # then the invoice shows the credit memo and what is open now: 225 − 25, nothing left in dispute
    page.locator("#dispute-items").get_by_role("link", name=desk.invoice.number).click()
    expect(page.locator("#invoice-credit-memos")).to_contain_text(memo.number)
    expect(page.locator("#invoice-open")).to_have_text("EUR 200.00")
    expect(page.locator("#invoice-disputed")).to_have_text("EUR 0.00")


def test_bulk_reassign_from_the_queue(desk: Desk, sign_in: Callable[..., Page], live_server: Any) -> None:
    page = sign_in(desk.analyst)
    page.goto(f"{live_server.url}/disputes/?owner=none")
    queue = page.locator("#dispute-queue")
    unowned = [d for d in desk.disputes if d.owner_id is None]
    expect(queue.locator("tbody tr")).to_have_count(len(unowned))
    # when the analyst ticks two unowned disputes and hands them to Dirk in pricing
    for dispute in unowned[:2]:
        page.locator(f"#pick-{dispute.pk}").check()
    page.locator("#assign-owner").select_option(label="Dirk Vos")
    page.locator("#assign-department").select_option("pricing")
    page.locator("#bulk-assign-submit").click()
    # then the page says so, keeps the filter, and the two have left the unowned queue
    expect(page.locator(".message-success")).to_contain_text("2 disputes reassigned to dirk")
    assert re.search(r"owner=none", page.url)
    expect(queue.locator("tbody tr")).to_have_count(len(unowned) - 2)
    page.goto(f"{live_server.url}/disputes/?owner={desk.colleague.pk}")
    for dispute in unowned[:2]:
        expect(page.locator(f"#dispute-{dispute.pk}")).to_contain_text("Dirk Vos")


def test_an_analyst_keeps_proof_on_a_dispute_and_a_file_that_lies_is_refused(
        desk: Desk, sign_in: Callable[..., Page], live_server: Any) -> None:
    target = desk.disputes[2]
    page = sign_in(desk.analyst)
    page.goto(f"{live_server.url}/disputes/{target.pk}/")
    upload = page.locator("#document-upload")
    # a real PDF proof of delivery and a photo are kept, each with its kind
    for name, content, kind, note in (
            ("pod-4471.pdf", pdf("Proof of delivery 4471", ["10 cases received", "Signed: J. Weber"]),
             "proof_of_delivery", "signed by the customer's warehouse"),
            ("pallet.png", png(64, 48, 7), "photo", "damage on arrival")):
        upload.locator("summary").click()
        page.locator("#document-file").set_input_files(files=[{"name": name, "mimeType": "application/octet-stream",
                                                          "buffer": content}])
        page.locator("#document-kind").select_option(kind)
        page.locator("#document-note").fill(note)
        page.locator("#document-form-submit").click()
        expect(page.locator("#document-list")).to_contain_text(name)
    # a file whose name says PDF but whose content is a picture is refused, by name, and not kept
    upload.locator("summary").click()
    page.locator("#document-file").set_input_files(files=[{"name": "contract.pdf", "mimeType": "application/pdf",
                                                      "buffer": png(8, 8, 1)}])
    page.locator("#document-form-submit").click()
    expect(page.locator("main")).to_contain_text("contract.pdf")
    expect(page.locator("#document-list tbody tr")).to_have_count(2)
    page.locator("#dispute-documents").scroll_into_view_if_needed()
    screenshot(page, "dispute-documents")
