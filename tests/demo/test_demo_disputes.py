"""The demo company's disputes: every state, kind and settlement, sound caches, a trained suggester, repeatable."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q

from ardesk.audit.models import AuditEvent
from ardesk.demo import generate
from ardesk.demo.customers import plan_groups
from ardesk.demo.dispute_texts import REASONS, Filling, text_for
from ardesk.demo.disputes import CATALOGUE, HANDOVER, Catalogue
from ardesk.disputes.models import (
    ApprovalRequest,
    ApprovalStatus,
    AutoResolution,
    AutoResolutionRule,
    Comment,
    CorrectiveAction,
    Dispute,
    DisputeItem,
    DisputeSettlement,
    Document,
    Escalation,
    EscalationRule,
    ItemSkuShare,
    Offer,
    ReasonModel,
    Task,
)
from ardesk.disputes.workflow import OPEN_STATES, Outcome, Status
from ardesk.ledger.models import CreditMemo, Invoice, WriteOff
from tests.demo.conftest import TODAY, context, tiny_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hasher")]
INVOICES = 1_500


def load(seed: int = 2026, invoices: int = INVOICES, **options: object) -> str:
    out = StringIO()
    call_command("demo", "load", invoices=invoices, seed=seed, as_of=TODAY, stdout=out, **options)
    return out.getvalue()


def test_the_demo_has_disputes_in_every_state_kind_and_outcome():
    # when
    load()
    # then: every status, outcome, kind and way of settling
    disputes = Dispute.objects.all()
    assert set(disputes.values_list("status", flat=True)) == {s.value for s in Status}
    assert set(disputes.exclude(outcome="").values_list("outcome", flat=True)) == {o.value for o in Outcome}
    assert set(disputes.values_list("kind", flat=True)) == {"invoice", "lines", "account", "deduction"}
    assert set(DisputeSettlement.objects.values_list("kind", flat=True)) == {"credit_memo", "write_off", "rebill"}
    for status in (Status.RESOLVED, Status.CLOSED):
        assert set(disputes.filter(status=status).values_list("outcome", flat=True)) >= {"accepted", "rejected"}
    # reopened after closing, and a write-off waiting for a manager
    assert AuditEvent.objects.filter(verb="dispute.reopened").exists()
    reopened = Dispute.objects.get(pk=AuditEvent.objects.filter(verb="dispute.reopened").first().subject_id)
    assert reopened.is_open  # back in the working states (and possibly escalated since)
    assert Invoice.objects.filter(dispute_items__dispute=reopened, disputed_amount__gt=0).exists()
    assert ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).exists()
    # the work around them: comments with @mentions, tasks open and done, offers from both sides
    assert Comment.objects.filter(mentions__isnull=False, body__contains="@").exists()
    assert Task.objects.filter(done=True).exists() and Task.objects.filter(done=False).exists()
    assert {"company", "customer"} <= set(Offer.objects.values_list("party", flat=True))
    # documents that are what they say, escalations, rules, an auto-resolution, corrective actions
    assert {"application/pdf", "image/png"} <= set(Document.objects.values_list("content_type", flat=True))
    assert {"manager", "legal"} <= set(Escalation.objects.values_list("level", flat=True))
    assert EscalationRule.objects.count() >= 2 and AutoResolutionRule.objects.exists()
    assert AutoResolution.objects.exists() and CorrectiveAction.objects.exists()
    # closed disputes know why; some open ones are past their SLA; several hundred customer texts
    assert not disputes.filter(status=Status.CLOSED).filter(Q(root_cause__isnull=True)
                                                            | Q(responsible_department="")).exists()
    assert disputes.filter(status__in=list(OPEN_STATES), sla_due__lt=TODAY).exists()
    assert disputes.exclude(description="").count() >= 200  # about 800 at the default size
    assert disputes.values("description").distinct().count() > disputes.count() * 0.6


def test_settlements_are_the_ledger_entries_they_name():
    load()
    for row in DisputeSettlement.objects.select_related("credit_memo", "write_off", "dispute"):
        assert row.amount > 0
        if row.kind == "credit_memo":
            assert row.credit_memo.invoice_id == row.invoice_id and row.credit_memo.amount == row.amount
        elif row.kind == "write_off":
            assert row.write_off.invoice_id == row.invoice_id and row.write_off.amount == row.amount
    # the accepted part of every resolved dispute is what its settlements booked
    accepted = Counter[int]()
    for dispute_id, amount in DisputeSettlement.objects.values_list("dispute_id", "amount"):
        accepted[dispute_id] += amount
    for dispute in Dispute.objects.filter(status__in=["resolved", "closed"]).exclude(outcome="rejected"):
        assert accepted[dispute.pk] == dispute.accepted_amount > 0
    assert not Dispute.objects.filter(outcome="rejected").exclude(accepted_amount=0).exists()
    # items never hold more than their invoice, and deductions name their short payment
    assert not DisputeItem.objects.filter(amount__gt=F("invoice__amount")).exists()
    assert not Dispute.objects.filter(kind="deduction", payment__isnull=True).exists()
    # every item, bulk-written or raised through the services, is split over SKUs, each dispute once per SKU
    assert not DisputeItem.objects.filter(sku_shares__isnull=True).exists()
    firsts = Counter(ItemSkuShare.objects.filter(first=True).values_list("dispute_id", "sku"))
    assert firsts and set(firsts.values()) == {1}
    assert len(firsts) == len(set(ItemSkuShare.objects.values_list("dispute_id", "sku")))
    assert CreditMemo.objects.filter(dispute_settlements__isnull=False).exists()
    assert WriteOff.objects.filter(dispute_settlements__isnull=False).exists()


def test_ledger_and_disputes_verify_pass_after_the_load():
    load()
    ledger, disputes = StringIO(), StringIO()
    call_command("ledger", "verify", stdout=ledger)
    call_command("disputes", "verify", stdout=disputes)
    assert "every cached balance matches" in ledger.getvalue()
    assert "every invoice's disputed amount matches" in disputes.getvalue()
    assert Invoice.objects.filter(disputed_amount__gt=0).exists()
    assert not Invoice.objects.filter(disputed_amount__gt=F("open_amount")).exists()


def test_the_suggester_is_trained_and_beats_the_keywords():
    load()
    model = ReasonModel.objects.get()
    assert model.examples >= 150 and model.held_out > 0  # about 600 at the default size
    assert model.model_accuracy is not None and model.keyword_accuracy is not None
    assert model.model_accuracy > model.keyword_accuracy
    out = StringIO()
    call_command("disputes", "suggest", "three cartons were missing from the pallet", stdout=out)
    assert "from model" in out.getvalue()


def test_a_rerun_with_if_empty_changes_nothing():
    # given
    load()
    before = [m.objects.count() for m in (Dispute, DisputeItem, Comment, Task, Offer, CreditMemo, AuditEvent)]
    # when
    out = load(seed=5, if_empty=True)
    # then
    assert "not loaded" in out
    assert [m.objects.count() for m in (Dispute, DisputeItem, Comment, Task, Offer, CreditMemo, AuditEvent)] == before


def test_the_same_seed_gives_the_same_disputes():
    prints = []
    for _ in range(2):
        with pytest.raises(RuntimeError), transaction.atomic():
            load(invoices=400)
            prints.append(list(Dispute.objects.order_by("number").values_list(
                "number", "customer__number", "kind", "status", "outcome", "amount", "accepted_amount",
                "description", "raised_on", "sla_due")))
            raise RuntimeError("roll back")
    assert prints[0] == prints[1] and prints[0]


def test_open_disputes_of_the_story_are_handed_to_the_live_step_and_the_rest_segregated():
    # given a pure generation with a made-up catalogue
    plan = tiny_plan(seed=3, invoices=3_000)
    ctx = context(plan)
    ctx.refs[CATALOGUE] = Catalogue(reasons={code: (k, 10, "logistics") for k, code in enumerate(REASONS, 1)},
                                    root_causes={c: k for k, c in enumerate(
                                        ("pricing_error", "shipping_error", "order_entry", "product_quality",
                                         "customer_error", "contract_terms", "other"), 1)})
    # when
    books = [generate.book_for(ctx, group) for group in plan_groups(plan)]
    # then: the live step gets at most a dozen of each kind; every other open one holds money on its invoice
    handed = Counter(c.kind for c in ctx.handover[HANDOVER])
    assert 0 < handed["invoice"] <= 12 and 0 < handed["deduction"] <= 12
    for book in books:
        held = sum((inv.disputed_amount for inv in book.invoices), Decimal(0))
        open_rows = [row for batch in book.extra if batch.table == "disputes.dispute" for row in batch.rows
                     if row[5] in {s.value for s in OPEN_STATES}]
        assert held == sum((row[16] for row in open_rows), Decimal(0))
        assert all(inv.disputed_amount <= inv.open_amount for inv in book.invoices)
        assert all(row[24] <= TODAY and row[14] == row[24] + timedelta(days=10) for batch in book.extra
                   if batch.table == "disputes.dispute" for row in batch.rows)


def test_customer_texts_vary_within_a_reason():
    r = random.Random(1)
    fill = Filling(invoice="INV-1", sku="Mesh deck panel", quantity=12, price="24.80 EUR", other_invoice="INV-0",
                   po="PO-1", day="2026-01-05")
    for reason in REASONS:
        texts = {text_for(r, reason, fill) for _ in range(60)}
        assert len(texts) >= 20, reason
        assert all(not t[0].islower() and "{" not in t and "}" not in t for t in texts)
