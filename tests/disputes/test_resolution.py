"""Resolving, approving, closing and reopening: what the ledger books and what becomes collectible again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ardesk.audit.models import AuditEvent
from ardesk.disputes import services
from ardesk.disputes.models import ApprovalRequest, Dispute, DisputeSettlement, Kind, RootCause
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.disputes.workflow import IllegalTransition, MissingForClose
from ardesk.errors import Conflict, DomainError, PermissionDenied
from ardesk.ledger import services as ledger
from ardesk.ledger.models import CreditMemo, Invoice, WriteOff
from ardesk.ledger.queries import cache_mismatches
from ardesk.ledger.rules import OverSettlement
from ardesk.ledger.services import LineInput
from ardesk.money import InvalidAmount
from tests.factories import CustomerFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _sound() -> None:
    assert cache_mismatches() == []
    assert disputed_cache_mismatches() == []


def _in_review(by, reason, *invoices_and_amounts) -> Dispute:  # type: ignore[no-untyped-def]
    """A dispute on the given (invoice, amount) pairs, with its reason chosen and under review."""
    customer = invoices_and_amounts[0][0].customer
    dispute = services.raise_dispute(
        customer=customer, kind=Kind.ACCOUNT if len(invoices_and_amounts) > 1 else Kind.INVOICE, reason_code=reason,
        items=[services.ItemInput(invoice=inv, amount=D(amount)) for inv, amount in invoices_and_amounts], by=by)
    return services.change_status(dispute=dispute, to="in_review", by=by)


def _fresh(invoice: Invoice) -> Invoice:
    invoice.refresh_from_db()
    return invoice


def test_an_accepted_dispute_books_and_applies_a_credit_memo(analyst, pricing):
    # given 30 of an invoice of 100 in dispute
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "30.00"))
    # when the analyst accepts it
    result = services.resolve(dispute=dispute, outcome="accepted", note="price list confirms", by=analyst)
    # then a credit memo of 30 is applied: 70 open, nothing in dispute, all of it collectible
    memo = CreditMemo.objects.get()
    assert (memo.amount, memo.unapplied_amount, memo.invoice_id) == (D("30.00"), D("0.00"), invoice.pk)
    assert memo.number == f"{dispute.number}-CM1"
    invoice = _fresh(invoice)
    assert (invoice.open_amount, invoice.disputed_amount, invoice.collectible_amount) == (D("70.00"), D("0"),
                                                                                          D("70.00"))
    assert result.dispute.status == "resolved" and result.dispute.outcome == "accepted"
    assert result.dispute.accepted_amount == D("30.00")
    assert [s.credit_memo_id for s in result.settlements] == [memo.pk]
    event = AuditEvent.objects.get(verb="dispute.resolved")
    assert event.after["credit_memos"] == [memo.number] and event.actor_id == analyst.pk
    _sound()


def test_a_partly_accepted_dispute_credits_the_part_and_returns_the_rest_to_collectible(analyst, pricing):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "40.00"))
    services.resolve(dispute=dispute, outcome="partly_accepted", accepted_amount=D("15.00"), by=analyst)
    invoice = _fresh(invoice)
    assert invoice.open_amount == D("85.00")
    assert invoice.disputed_amount == D("0")
    assert invoice.collectible_amount == D("85.00")  # the 25 not granted is collectible again
    _sound()


def test_a_partly_accepted_dispute_over_two_invoices_spreads_the_credit(analyst, pricing):
    customer = CustomerFactory()
    first = InvoiceFactory(customer=customer, amount=D("100.00"))
    second = InvoiceFactory(customer=customer, amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (first, "60.00"), (second, "20.00"))
    result = services.resolve(dispute=dispute, outcome="partly_accepted", accepted_amount=D("40.00"), by=analyst)
    assert sorted((s.invoice_id, s.amount) for s in result.settlements) == [(first.pk, D("30.00")),
                                                                            (second.pk, D("10.00"))]
    assert (_fresh(first).open_amount, _fresh(second).open_amount) == (D("70.00"), D("90.00"))
    _sound()


def test_a_rejected_dispute_books_nothing_and_the_money_is_collectible_again(analyst, pricing):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "100.00"))
    assert _fresh(invoice).collectible_amount == D("0")
    services.resolve(dispute=dispute, outcome="rejected", by=analyst)
    invoice = _fresh(invoice)
    assert (invoice.open_amount, invoice.collectible_amount) == (D("100.00"), D("100.00"))
    assert not CreditMemo.objects.exists() and not DisputeSettlement.objects.exists()
    _sound()


def test_a_write_off_within_the_users_limit_is_booked_at_once(analyst, pricing):
    invoice = InvoiceFactory(amount=D("500.00"))
    dispute = _in_review(analyst, pricing, (invoice, "80.00"))
    result = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", by=analyst)
    entry = WriteOff.objects.get()
    assert (entry.amount, entry.reason_code) == (D("80.00"), "dispute:pricing")
    assert not result.pending and _fresh(invoice).open_amount == D("420.00")
    _sound()


def test_a_write_off_over_the_limit_waits_for_someone_else_to_approve(analyst, approver, pricing):
    # given a dispute of 250 and an analyst who may write off only 100
    invoice = InvoiceFactory(amount=D("500.00"))
    dispute = _in_review(analyst, pricing, (invoice, "250.00"))
    # when the analyst writes it off
    result = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", note="not worth it",
                              by=analyst)
    # then nothing is booked yet; the money stays in dispute; a request waits
    assert result.pending and result.approval.status == "pending" and result.approval.amount == D("250.00")
    assert not WriteOff.objects.exists()
    assert _fresh(invoice).disputed_amount == D("250.00")
    assert Dispute.objects.get().status == "in_review"
    with pytest.raises(Conflict, match="waiting for approval"):
        services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    # and the analyst cannot approve it
    with pytest.raises(services.SelfApproval):
        services.decide_approval(request=result.approval, approve=True, by=analyst)
    assert not WriteOff.objects.exists()
    # when the manager approves it, the write-off is booked as asked
    decided = services.decide_approval(request=result.approval, approve=True, note="ok", by=approver)
    assert decided.status == "approved" and decided.approver == approver
    entry = WriteOff.objects.get()
    assert entry.amount == D("250.00") and entry.created_by == approver
    assert _fresh(invoice).open_amount == D("250.00") and _fresh(invoice).disputed_amount == D("0")
    assert AuditEvent.objects.get(verb="dispute.resolved").after["requested_by"] == analyst.username
    # and deciding it again is refused
    with pytest.raises(Conflict, match="already approved"):
        services.decide_approval(request=result.approval, approve=True, by=approver)
    assert WriteOff.objects.count() == 1
    _sound()


def test_an_approver_needs_a_limit_high_enough(analyst, second_analyst, pricing):
    invoice = InvoiceFactory(amount=D("500.00"))
    dispute = _in_review(analyst, pricing, (invoice, "250.00"))
    request = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", by=analyst).approval
    with pytest.raises(services.OverApprovalLimit, match=r"above your approval limit of 100\.00 EUR"):
        services.decide_approval(request=request, approve=True, by=second_analyst)
    assert not WriteOff.objects.exists()


def test_a_rejected_approval_leaves_the_dispute_open_for_another_resolution(analyst, approver, pricing):
    invoice = InvoiceFactory(amount=D("500.00"))
    dispute = _in_review(analyst, pricing, (invoice, "250.00"))
    request = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", by=analyst).approval
    services.decide_approval(request=request, approve=False, note="send a credit memo", by=approver)
    services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    assert CreditMemo.objects.get().amount == D("250.00") and not WriteOff.objects.exists()
    _sound()


def test_the_database_refuses_a_self_approval_even_past_the_service(analyst, pricing):
    invoice = InvoiceFactory(amount=D("500.00"))
    dispute = _in_review(analyst, pricing, (invoice, "250.00"))
    request = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", by=analyst).approval
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.filter(pk=request.pk).update(status="approved", approver=analyst,
                                                             decided_at=request.created_at)


def test_a_rebill_credits_the_old_invoice_fully_and_books_a_corrected_one(analyst, pricing):
    # given an invoice of 200, 50 of it in a price dispute
    invoice = InvoiceFactory(amount=D("200.00"), po_number="PO-7", due_date=date(2026, 12, 31))
    dispute = _in_review(analyst, pricing, (invoice, "50.00"))
    # when the analyst accepts it with a re-bill
    result = services.resolve(dispute=dispute, outcome="accepted", settlement="rebill", on=date(2026, 11, 20),
                              by=analyst)
    # then the old invoice is credited in full and a corrected invoice of 150 is due
    old = _fresh(invoice)
    new = result.dispute.rebill_invoice
    assert old.open_amount == D("0") and CreditMemo.objects.get().amount == D("200.00")
    assert (new.number, new.amount, new.open_amount, new.po_number) == (f"{invoice.number}-R1", D("150.00"),
                                                                        D("150.00"), "PO-7")
    assert new.due_date == date(2026, 12, 31) and new.customer_id == invoice.customer_id
    assert result.settlements[0].kind == "rebill" and result.settlements[0].amount == D("50.00")
    _sound()


def test_a_rebill_with_corrected_lines_must_add_up(analyst, pricing, lined_invoice):
    widget = lined_invoice.lines.get(line_no=1)
    dispute = services.raise_dispute(customer=lined_invoice.customer, kind=Kind.LINES, reason_code=pricing,
                                     items=[services.ItemInput(invoice=lined_invoice, line=widget,
                                                               claimed_unit_price=D("11.00"))], by=analyst)
    services.change_status(dispute=dispute, to="in_review", by=analyst)
    wrong = [LineInput("SKU-1", "Widget", D("10"), D("11.50")), LineInput("SKU-2", "Gadget", D("4"), D("25.00"))]
    with pytest.raises(DomainError, match=r"must add up to 210\.00 EUR"):
        services.resolve(dispute=dispute, outcome="accepted", settlement="rebill", rebill_lines=wrong, by=analyst)
    assert Invoice.objects.count() == 1 and not CreditMemo.objects.exists()  # rolled back whole
    right = [LineInput("SKU-1", "Widget", D("10"), D("11.00")), LineInput("SKU-2", "Gadget", D("4"), D("25.00"))]
    result = services.resolve(dispute=dispute, outcome="accepted", settlement="rebill", rebill_lines=right,
                              by=analyst)
    assert result.dispute.rebill_invoice.lines.count() == 2
    _sound()


def test_a_dispute_cannot_be_resolved_straight_from_new_nor_without_a_reason(analyst, pricing):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = services.raise_dispute(customer=invoice.customer, kind=Kind.INVOICE,
                                     items=[services.ItemInput(invoice=invoice, amount=D("10.00"))], by=analyst)
    with pytest.raises(IllegalTransition):
        services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    services.change_status(dispute=dispute, to="in_review", by=analyst)
    with pytest.raises(DomainError, match="choose the reason code"):
        services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    assert not CreditMemo.objects.exists()


def test_resolving_twice_books_once(analyst, pricing):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "30.00"))
    services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    with pytest.raises(services.AlreadyResolved):
        services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    assert CreditMemo.objects.count() == 1 and _fresh(invoice).open_amount == D("70.00")


def test_a_partly_accepted_amount_must_be_part(analyst, pricing):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "30.00"))
    with pytest.raises(InvalidAmount, match=r"less than the 30\.00 EUR"):
        services.resolve(dispute=dispute, outcome="partly_accepted", accepted_amount=D("30.00"), by=analyst)


def test_a_credit_for_money_paid_meanwhile_is_refused_whole(analyst, pricing):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "30.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=D("100.00"))
    ledger.apply_payment(payment=payment, invoice=invoice, amount=D("100.00"), by=analyst)
    with pytest.raises(OverSettlement):
        services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    assert not CreditMemo.objects.exists() and Dispute.objects.get().status == "in_review"
    _sound()


def test_closing_needs_a_root_cause_and_a_department(analyst, pricing, pricing_error):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "30.00"))
    services.resolve(dispute=dispute, outcome="rejected", by=analyst)
    with pytest.raises(MissingForClose, match="root cause"):
        services.close(dispute=dispute, root_cause=None, responsible_department="sales", by=analyst)
    closed = services.close(dispute=dispute, root_cause=pricing_error, responsible_department="sales", by=analyst)
    assert closed.status == "closed" and closed.outcome == "rejected" and closed.closed_at is not None


def test_reopening_holds_back_what_was_not_granted_and_a_second_resolution_books_the_rest(analyst, pricing):
    # given a dispute of 40, 10 granted by credit memo and closed
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "40.00"))
    services.resolve(dispute=dispute, outcome="partly_accepted", accepted_amount=D("10.00"), by=analyst)
    services.close(dispute=dispute, root_cause=RootCause.objects.get(code="contract_terms"),
                   responsible_department="sales", by=analyst)
    # when the customer proves the rest and the dispute is reopened
    reopened = services.reopen(dispute=dispute, reason="new contract found", by=analyst)
    # then the 30 not granted is in dispute again, and accepting it credits 30 more
    assert reopened.status == "in_review" and reopened.outcome == ""
    assert _fresh(invoice).disputed_amount == D("30.00")
    services.resolve(dispute=dispute, outcome="accepted", by=analyst)
    assert _fresh(invoice).open_amount == D("60.00")
    assert list(CreditMemo.objects.values_list("number", flat=True)) == [f"{dispute.number}-CM1",
                                                                        f"{dispute.number}-CM2"]
    assert Dispute.objects.get().accepted_amount == D("40.00")
    with pytest.raises(Conflict, match="nothing left to reopen"):
        services.reopen(dispute=dispute, reason="again", by=analyst)
    _sound()


def test_reopen_needs_a_reason_and_a_settled_dispute(analyst, pricing):
    invoice = InvoiceFactory(amount=D("100.00"))
    dispute = _in_review(analyst, pricing, (invoice, "30.00"))
    with pytest.raises(DomainError, match="say why"):
        services.reopen(dispute=dispute, reason=" ", by=analyst)
    with pytest.raises(IllegalTransition):
        services.reopen(dispute=dispute, reason="why not", by=analyst)


def test_a_deduction_rejected_goes_back_to_the_collector(clerk, analyst):
    invoice = InvoiceFactory(amount=D("100.00"))
    payment = PaymentFactory(customer=invoice.customer, amount=D("90.00"))
    ledger.apply_payment(payment=payment, invoice=invoice, amount=D("90.00"), by=clerk)
    deduction = services.raise_deduction(payment=payment, invoice=invoice, amount=D("10.00"), by=clerk)
    services.set_reason_code(dispute=deduction, reason_code=services.suggest_reason("unauthorised deduction")[0],
                             by=analyst)
    services.change_status(dispute=deduction, to="in_review", by=analyst)
    services.resolve(dispute=deduction, outcome="rejected", by=analyst)
    assert _fresh(invoice).collectible_amount == D("10.00")
    _sound()


def test_approval_without_write_off_permission_is_refused(analyst, collector, pricing):
    invoice = InvoiceFactory(amount=D("500.00"))
    dispute = _in_review(analyst, pricing, (invoice, "250.00"))
    request = services.resolve(dispute=dispute, outcome="accepted", settlement="write_off", by=analyst).approval
    with pytest.raises(PermissionDenied, match="write-off permission"):
        services.decide_approval(request=request, approve=True, by=collector)
