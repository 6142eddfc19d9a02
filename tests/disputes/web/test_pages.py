"""The dispute queue and page through the test client: every action, the errors shown, scope and permission."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ardesk.audit.models import AuditEvent
from ardesk.disputes import services
from ardesk.disputes.models import ApprovalRequest, Comment, Dispute, Offer, Task
from ardesk.ledger import services as ledger
from ardesk.ledger.models import CreditMemo
from tests.web.html import Page

pytestmark = pytest.mark.django_db
D = Decimal


def _queue_numbers(page: Page) -> list[str]:
    """The dispute numbers down the queue (after the checkbox column of users who may reassign)."""
    return [row[1] if len(row) > 1 else row[0] for row in page.rows("dispute-queue")]


def _detail(dispute: Dispute) -> str:
    return reverse("disputes:detail", args=[dispute.pk])


# -- the queue --------------------------------------------------------------------------------------

def test_the_queue_lists_open_disputes_in_scope_with_sla_and_totals(desk, signed_in):
    mine = desk.raise_on(amount="40.00")
    desk.raise_on(desk.hidden_invoice, amount="10.00", confirm_duplicate=True)
    Dispute.objects.filter(pk=mine.pk).update(sla_due=mine.raised_on.replace(year=mine.raised_on.year - 1))
    response = signed_in(desk.analyst).get(reverse("disputes:queue"))
    assert response.status_code == 200
    page = Page(response.content)
    assert _queue_numbers(page) == [mine.number]
    assert "past SLA" in page.text(f"dispute-{mine.pk}")
    assert page.text("queue-count") == "1" and page.text("queue-breached") == "1 past SLA"
    assert "EUR 40.00" in page.text("queue-summary")


def test_queue_filters_narrow_the_page(desk, signed_in):
    first = desk.raise_on(amount="40.00")
    second = desk.raise_on(amount="60.00", confirm_duplicate=True, owner=desk.colleague)
    client = signed_in(desk.analyst)

    def numbers(**params: str) -> list[str]:
        return _queue_numbers(Page(client.get(reverse("disputes:queue"), params).content))

    assert numbers(owner="none") == [first.number]
    assert numbers(owner=str(desk.colleague.pk)) == [second.number]
    assert numbers(min_amount="50") == [second.number]
    assert numbers(q=first.number) == [first.number]
    assert numbers(status="closed") == ["No dispute matches."]
    assert numbers(sort="-amount") == [second.number, first.number]


def test_a_bad_filter_is_named_on_the_page_not_a_server_error(desk, signed_in):
    response = signed_in(desk.analyst).get(reverse("disputes:queue"), {"min_amount": "lots"})
    assert response.status_code == 400
    assert "min_amount" in Page(response.content).text("filter-errors")


def test_bulk_reassign_moves_the_ticked_disputes_and_keeps_the_filter(desk, signed_in):
    disputes = [desk.raise_on(amount="10.00", confirm_duplicate=True) for _ in range(3)]
    response = signed_in(desk.analyst).post(reverse("disputes:bulk_assign"), {
        "disputes": [disputes[0].pk, disputes[2].pk], "owner": desk.colleague.pk, "department": "pricing",
        "back": "owner=none&sort=-amount"})
    assert response.status_code == 302 and response["Location"] == "/disputes/?owner=none&sort=-amount"
    owners = {d.pk: (d.owner_id, d.department) for d in Dispute.objects.all()}
    assert owners[disputes[0].pk] == owners[disputes[2].pk] == (desk.colleague.pk, "pricing")
    assert owners[disputes[1].pk][0] is None
    assert AuditEvent.objects.filter(verb="dispute.assigned").count() == 2


def test_bulk_reassign_of_a_dispute_out_of_scope_is_not_found_and_changes_nothing(desk, signed_in):
    mine = desk.raise_on()
    hidden = desk.raise_on(desk.hidden_invoice, amount="10.00")
    response = signed_in(desk.analyst).post(reverse("disputes:bulk_assign"), {
        "disputes": [mine.pk, hidden.pk], "owner": desk.colleague.pk})
    assert response.status_code == 404
    assert not Dispute.objects.filter(owner=desk.colleague).exists()


def test_only_reassigners_may_bulk_reassign(desk, signed_in):
    dispute = desk.raise_on()
    response = signed_in(desk.collector).post(reverse("disputes:bulk_assign"), {
        "disputes": [dispute.pk], "owner": desk.colleague.pk})
    assert response.status_code == 403
    queue = Page(signed_in(desk.collector).get(reverse("disputes:queue")).content)
    assert queue.by_id("bulk-bar") is None and queue.first_column("dispute-queue") == [dispute.number]


# -- the dispute page -------------------------------------------------------------------------------

def test_the_dispute_page_shows_header_items_and_timeline(desk, signed_in):
    dispute = desk.raise_on(amount="40.00", description="the price is wrong, we agreed a discount")
    page = Page(signed_in(desk.analyst).get(_detail(dispute)).content)
    assert page.text("dispute-status") == "New"
    assert page.text("dispute-amount") == "EUR 40.00" and page.text("dispute-outstanding") == "EUR 40.00"
    assert "Pricing" in page.text("dispute-suggestion") and "%" in page.text("dispute-suggestion")
    assert page.first_column("dispute-items") == ["INV-100"]
    assert "Raised" in page.text("dispute-timeline")
    for placeholder in ("dispute-documents", "dispute-messages", "dispute-escalations", "dispute-sales-notes"):
        assert page.by_id(placeholder) is not None


def test_a_read_only_user_sees_the_page_without_actions(desk, signed_in):
    dispute = desk.raise_on()
    page = Page(signed_in(desk.auditor).get(_detail(dispute)).content)
    assert page.by_id("status-form") is None and page.by_id("comment-form") is None
    assert "may read this dispute" in page.text("actions")


def test_a_dispute_out_of_scope_is_not_found(desk, signed_in):
    hidden = desk.raise_on(desk.hidden_invoice, amount="10.00")
    client = signed_in(desk.analyst)
    assert client.get(_detail(hidden)).status_code == 404
    assert client.post(reverse("disputes:comment", args=[hidden.pk]), {"body": "hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_missing_permission_is_refused(desk, signed_in):
    dispute = desk.raise_on()
    response = signed_in(desk.collector).post(reverse("disputes:comment", args=[dispute.pk]), {"body": "hi"})
    assert response.status_code == 403 and not Comment.objects.exists()


def test_status_moves_through_the_workflow_and_an_illegal_move_is_explained(desk, signed_in):
    dispute = desk.raise_on()
    client = signed_in(desk.analyst)
    response = client.post(reverse("disputes:status", args=[dispute.pk]),
                           {"to": "waiting_on_customer", "note": "asked for the POD", "version": dispute.version})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "waiting_on_customer"
    response = client.post(reverse("disputes:status", args=[dispute.pk]), {"to": "resolved"})
    assert response.status_code == 400
    assert "Move to" in Page(response.content).text("action-errors")


def test_a_change_on_a_stale_page_says_someone_else_changed_it(desk, signed_in):
    dispute = desk.raise_on()
    opened_at = dispute.version
    services.change_status(dispute=dispute, to="in_review", by=desk.colleague)
    response = signed_in(desk.analyst).post(reverse("disputes:status", args=[dispute.pk]),
                                            {"to": "escalated", "version": opened_at})
    assert response.status_code == 409
    assert "Someone else changed this dispute" in Page(response.content).text("action-errors")
    dispute.refresh_from_db()
    assert dispute.status == "in_review"


def test_owner_priority_and_reason_set_on_a_stale_page_are_refused(desk, signed_in):
    dispute = desk.raise_on()
    client = signed_in(desk.analyst)
    page = Page(client.get(reverse("disputes:detail", args=[dispute.pk])).content)
    for form in ("assign", "priority", "reason"):  # each form carries the version it was shown
        assert page.by_id(f"{form}-version") is not None
    opened_at = dispute.version
    services.set_priority(dispute=dispute, priority=3, by=desk.colleague)
    for name, body in (("assign", {"owner": desk.analyst.pk}), ("priority", {"priority": 4}),
                       ("reason", {"reason_code": "damaged_goods"})):
        response = client.post(reverse(f"disputes:{name}", args=[dispute.pk]), {**body, "version": opened_at})
        assert response.status_code == 409, name
        assert "Someone else changed this dispute" in Page(response.content).text("action-errors")
    dispute.refresh_from_db()
    assert (dispute.owner, dispute.priority, dispute.reason_code) == (None, 3, None)


def test_assign_priority_and_reason(desk, signed_in):
    dispute = desk.raise_on()
    client = signed_in(desk.analyst)
    assert client.post(reverse("disputes:assign", args=[dispute.pk]),
                       {"owner": desk.colleague.pk, "department": "billing"}).status_code == 302
    assert client.post(reverse("disputes:priority", args=[dispute.pk]),
                       {"priority": "4", "reason": "big customer"}).status_code == 302
    assert client.post(reverse("disputes:reason", args=[dispute.pk]),
                       {"reason_code": "tax", "reroute": "on"}).status_code == 302
    dispute.refresh_from_db()
    assert (dispute.owner, dispute.priority, dispute.reason_code.code, dispute.department) == (
        desk.colleague, 4, "tax", "tax")


def test_a_comment_with_a_mention_and_an_empty_comment(desk, signed_in):
    dispute = desk.raise_on()
    client = signed_in(desk.analyst)
    response = client.post(reverse("disputes:comment", args=[dispute.pk]),
                           {"body": "@dirk can you check the price list?", "internal": "on"}, follow=True)
    page = Page(response.content)
    assert "told dirk" in response.content.decode()
    assert "@dirk" in page.text("comment-list")
    assert list(Comment.objects.get().mentions.all()) == [desk.colleague]
    response = client.post(reverse("disputes:comment", args=[dispute.pk]), {"body": "   "})
    assert response.status_code == 400 and Comment.objects.count() == 1


def test_a_task_is_added_and_completed(desk, signed_in):
    dispute = desk.raise_on()
    client = signed_in(desk.analyst)
    response = client.post(reverse("disputes:task_add", args=[dispute.pk]),
                           {"title": "Confirm the price list", "department": "pricing", "due_date": "2999-01-01"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert client.post(reverse("disputes:task_done", args=[dispute.pk, task.pk]),
                       {"note": "list says 11.00"}).status_code == 302
    task.refresh_from_db()
    assert task.done and task.outcome_note == "list says 11.00"
    response = client.post(reverse("disputes:task_add", args=[dispute.pk]),
                           {"title": "Late", "department": "pricing", "due_date": "2000-01-01"})
    assert response.status_code == 400 and "past" in Page(response.content).text("action-errors")


def test_offers_are_recorded_and_an_offer_above_the_dispute_is_refused(desk, signed_in):
    dispute = desk.raise_on(amount="40.00")
    client = signed_in(desk.analyst)
    assert client.post(reverse("disputes:offer", args=[dispute.pk]),
                       {"kind": "offer", "party": "company", "amount": "20.00"}).status_code == 302
    assert client.post(reverse("disputes:offer", args=[dispute.pk]),
                       {"kind": "counter_offer", "party": "customer", "amount": "30.00"}).status_code == 302
    response = client.post(reverse("disputes:offer", args=[dispute.pk]),
                           {"kind": "offer", "party": "company", "amount": "99.00"})
    assert response.status_code == 400 and "between 0 and" in Page(response.content).text("action-errors")
    assert [o.amount for o in Offer.objects.order_by("pk")] == [D("20.00"), D("30.00")]


def test_resolve_with_a_credit_memo_then_close_with_a_root_cause(desk, signed_in):
    dispute = desk.in_review(desk.raise_on(amount="40.00"))
    client = signed_in(desk.analyst)
    response = client.post(reverse("disputes:resolve", args=[dispute.pk]), {
        "outcome": "partly_accepted", "settlement": "credit_memo", "accepted_amount": "25.00",
        "note": "agreed discount", "version": dispute.version}, follow=True)
    assert response.status_code == 200
    memo = CreditMemo.objects.get()
    assert memo.amount == D("25.00") and memo.number in response.content.decode()
    desk.invoice.refresh_from_db()
    assert desk.invoice.open_amount == D("225.00") - D("25.00") and desk.invoice.disputed_amount == 0
    dispute.refresh_from_db()
    response = client.post(reverse("disputes:close", args=[dispute.pk]), {"version": dispute.version})
    assert response.status_code == 400 and "Root cause" in Page(response.content).text("action-errors")
    response = client.post(reverse("disputes:close", args=[dispute.pk]), {
        "root_cause": "pricing_error", "responsible_department": "pricing", "version": dispute.version})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "closed" and dispute.root_cause.code == "pricing_error"


def test_resolving_twice_from_two_pages_books_once(desk, signed_in):
    dispute = desk.in_review(desk.raise_on(amount="40.00"))
    client = signed_in(desk.analyst)
    body = {"outcome": "accepted", "settlement": "credit_memo", "version": dispute.version}
    assert client.post(reverse("disputes:resolve", args=[dispute.pk]), body).status_code == 302
    response = client.post(reverse("disputes:resolve", args=[dispute.pk]), body)
    assert response.status_code == 409 and CreditMemo.objects.count() == 1


def test_a_write_off_over_the_limit_waits_for_a_manager_who_is_not_the_requester(desk, signed_in):
    dispute = desk.in_review(desk.raise_on(amount="200.00"))
    client = signed_in(desk.analyst)
    response = client.post(reverse("disputes:resolve", args=[dispute.pk]), {
        "outcome": "accepted", "settlement": "write_off", "version": dispute.version}, follow=True)
    assert "waits for a manager" in response.content.decode()
    approval = ApprovalRequest.objects.get()
    page = Page(response.content)
    assert "Waiting for another approver" in page.text(f"approval-{approval.pk}")
    assert page.by_id("resolve-form") is None  # nothing else is resolved while a write-off waits
    response = client.post(reverse("disputes:approval", args=[dispute.pk, approval.pk]), {"decision": "approve"})
    assert response.status_code == 403 or "own approval" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == "pending"
    manager = signed_in(desk.manager)
    response = manager.post(reverse("disputes:approval", args=[dispute.pk, approval.pk]),
                            {"decision": "approve", "note": "fine"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "resolved" and dispute.settlement == "write_off"


def test_a_resolved_dispute_is_reopened_with_a_reason(desk, signed_in):
    dispute = desk.in_review(desk.raise_on(amount="40.00"))
    services.resolve(dispute=dispute, outcome="rejected", by=desk.analyst)
    client = signed_in(desk.analyst)
    dispute.refresh_from_db()
    assert client.post(reverse("disputes:reopen", args=[dispute.pk]),
                       {"reason": "", "version": dispute.version}).status_code == 400
    assert client.post(reverse("disputes:reopen", args=[dispute.pk]),
                       {"reason": "new proof arrived", "version": dispute.version}).status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "in_review"


def test_a_rebill_books_the_corrected_invoice(desk, signed_in):
    dispute = desk.in_review(desk.raise_on(amount="25.00"))
    response = signed_in(desk.analyst).post(reverse("disputes:resolve", args=[dispute.pk]), {
        "outcome": "accepted", "settlement": "rebill", "version": dispute.version,
        "rebill_lines": "SKU-1; Widget; 10; 10.00\nSKU-2; Gadget; 4; 25.00"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.rebill_invoice is not None and dispute.rebill_invoice.amount == D("200.00")


def _over_two_invoices(desk):  # type: ignore[no-untyped-def]
    """An account dispute in review: 40 on the desk's invoice, 30 on INV-101 (of 80)."""
    second = ledger.book_invoice(customer=desk.customer, number="INV-101", issue_date=timezone.localdate(),
                                 due_date=timezone.localdate(), currency="EUR", amount=D("80.00"), by=desk.analyst)
    dispute = services.raise_dispute(customer=desk.customer, kind="account", by=desk.analyst,
                                     items=[services.ItemInput(desk.invoice, D("40.00")),
                                            services.ItemInput(second, D("30.00"))])
    return desk.in_review(dispute), second


def test_a_dispute_over_two_invoices_is_resolved_item_by_item_from_the_page(desk, signed_in):
    dispute, second = _over_two_invoices(desk)
    _, on_second = dispute.items.order_by("pk")
    client = signed_in(desk.analyst)
    # the resolve form asks item by item
    page = Page(client.get(reverse("disputes:detail", args=[dispute.pk])).content)
    assert "Accepted on INV-101" in page.text("resolve-form") and "30.00 EUR in dispute" in page.text("resolve-form")
    # an amount above what the item holds is refused, naming the invoice
    body = {"outcome": "partly_accepted", "settlement": "credit_memo", "version": dispute.version,
            f"item_{on_second.pk}": "35.00"}
    response = client.post(reverse("disputes:resolve", args=[dispute.pk]), body)
    assert response.status_code == 400
    assert "Invoice INV-101: grant from 0 to the 30.00 EUR" in Page(response.content).text("action-errors")
    # granting 30 on the second invoice only credits it there; the first invoice's 40 is collectible again
    body[f"item_{on_second.pk}"] = "30.00"
    assert client.post(reverse("disputes:resolve", args=[dispute.pk]), body).status_code == 302
    memo = CreditMemo.objects.get()
    assert (memo.invoice_id, memo.amount) == (second.pk, D("30.00"))
    desk.invoice.refresh_from_db()
    assert (desk.invoice.open_amount, desk.invoice.disputed_amount) == (D("225.00"), D("0"))


def test_every_id_on_the_dispute_page_is_unique(desk, signed_in):
    # every panel and action form is on the page of a dispute over two invoices (labels point at one input each)
    dispute, _ = _over_two_invoices(desk)
    services.add_task(dispute=dispute, title="Check the price list", department="pricing", by=desk.analyst)
    html = signed_in(desk.manager).get(reverse("disputes:detail", args=[dispute.pk])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert {"resolve-form", "document-form", "mail-form", "comment-form"} <= set(ids)
    assert [i for i in set(ids) if ids.count(i) > 1] == []


def test_a_whole_invoice_item_shows_its_skus(desk, signed_in):
    dispute = desk.raise_on(amount="45.00")  # INV-100: SKU-1 125.00 and SKU-2 100.00 of 225.00
    page = Page(signed_in(desk.analyst).get(reverse("disputes:detail", args=[dispute.pk])).content)
    assert "whole invoice SKU-1 55.6 %, SKU-2 44.4 %" in page.text("dispute-items")
