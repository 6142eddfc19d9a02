"""Resolving a dispute over several invoices item by item: the accepted part is booked where the analyst says
(one invoice of an account dispute, say), the rest goes back to collectible; the same through an approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.disputes import rules, services
from ardesk.disputes.models import ApprovalRequest, Dispute, DisputeSettlement, Kind
from ardesk.disputes.queries import disputed_cache_mismatches
from ardesk.ledger.models import Invoice, WriteOff
from ardesk.ledger.queries import cache_mismatches
from ardesk.money import InvalidAmount
from tests.factories import CustomerFactory, InvoiceFactory

D = Decimal


def _sound() -> None:
    assert cache_mismatches() == []
    assert disputed_cache_mismatches() == []


def _two_invoices(by, reason) -> tuple[Dispute, Invoice, Invoice]:  # type: ignore[no-untyped-def]
    """An account dispute under review: 100 on A (of 100) and 50 on B (of 200)."""
    customer = CustomerFactory()
    a = InvoiceFactory(customer=customer, number="A-1", amount=D("100.00"))
    b = InvoiceFactory(customer=customer, number="B-1", amount=D("200.00"))
    dispute = services.raise_dispute(customer=customer, kind=Kind.ACCOUNT, reason_code=reason, by=by,
                                     items=[services.ItemInput(a, D("100.00")), services.ItemInput(b, D("50.00"))])
    return services.change_status(dispute=dispute, to="in_review", by=by), a, b


def _items(dispute: Dispute) -> tuple[int, int]:
    first, second = dispute.items.order_by("pk")
    return first.pk, second.pk


@pytest.mark.django_db
def test_the_accepted_part_is_credited_on_the_invoice_named_and_the_rest_is_collectible(analyst, pricing):
    dispute, a, b = _two_invoices(analyst, pricing)
    on_a, on_b = _items(dispute)
    result = services.resolve(dispute=dispute, outcome="partly_accepted", item_amounts={on_a: D("100.00")},
                              by=analyst)
    assert [(s.invoice_id, s.amount) for s in result.settlements] == [(a.pk, D("100.00"))]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.open_amount, a.disputed_amount) == (D("0.00"), D("0"))
    assert (b.open_amount, b.disputed_amount, b.collectible_amount) == (D("200.00"), D("0"), D("200.00"))
    assert dict(dispute.items.values_list("pk", "accepted_amount")) == {on_a: D("100.00"), on_b: D("0")}
    assert Dispute.objects.get(pk=dispute.pk).accepted_amount == D("100.00")
    _sound()


@pytest.mark.django_db
def test_per_item_amounts_are_checked_and_nothing_is_booked_on_a_refusal(analyst, pricing):
    dispute, _, _ = _two_invoices(analyst, pricing)
    on_a, on_b = _items(dispute)
    with pytest.raises(InvalidAmount, match=r"invoice B-1: grant from 0 to the 50\.00") as over:
        services.resolve(dispute=dispute, outcome="partly_accepted", item_amounts={on_b: D("60.00")}, by=analyst)
    assert over.value.field == f"items[{on_b}].accepted_amount"
    with pytest.raises(InvalidAmount, match=r"the items add up to 30\.00 EUR, not the accepted amount of 40\.00 EUR"):
        services.resolve(dispute=dispute, outcome="partly_accepted", accepted_amount=D("40.00"),
                         item_amounts={on_a: D("30.00")}, by=analyst)
    with pytest.raises(InvalidAmount, match="is not part of this dispute"):
        services.resolve(dispute=dispute, outcome="partly_accepted", item_amounts={on_a + on_b + 1: D("1")},
                         by=analyst)
    with pytest.raises(InvalidAmount, match=r"grants all 150\.00"):  # accepted: every item in full
        services.resolve(dispute=dispute, outcome="accepted", item_amounts={on_a: D("100.00")}, by=analyst)
    assert not DisputeSettlement.objects.exists() and Dispute.objects.get(pk=dispute.pk).status == "in_review"
    _sound()


@pytest.mark.django_db
def test_an_approval_books_the_write_off_where_it_was_asked_for(analyst, approver, pricing):
    # the analyst may write off 100: 120 on two items waits for the manager
    dispute, a, b = _two_invoices(analyst, pricing)
    on_a, on_b = _items(dispute)
    result = services.resolve(dispute=dispute, outcome="partly_accepted", settlement="write_off",
                              item_amounts={on_a: D("80.00"), on_b: D("40.00")}, by=analyst)
    assert result.pending and result.approval.amount == D("120.00")
    assert ApprovalRequest.objects.get().item_amounts == {str(on_a): "80.00", str(on_b): "40.00"}
    services.decide_approval(request=result.approval, approve=True, by=approver)
    assert sorted(WriteOff.objects.values_list("invoice_id", "amount")) == [(a.pk, D("80.00")), (b.pk, D("40.00"))]
    _sound()


amounts = st.integers(0, 10_000).map(lambda c: D(c).scaleb(-2))


@given(outstanding=st.lists(st.integers(1, 10_000).map(lambda c: D(c).scaleb(-2)), min_size=1, max_size=6),
       asked=st.dictionaries(st.integers(0, 7), amounts, max_size=6))
def test_item_parts_book_exactly_what_was_named_or_refuse(outstanding, asked):  # type: ignore[no-untyped-def]
    items = [(pk, f"item {pk}", cap) for pk, cap in enumerate(outstanding)]
    valid = all(pk < len(outstanding) and amount <= outstanding[pk] for pk, amount in asked.items())
    if not valid:
        with pytest.raises(InvalidAmount):
            rules.item_parts(asked, items, accepted=None, currency="EUR")
        return
    parts = rules.item_parts(asked, items, accepted=None, currency="EUR")
    # each item gets what was named for it (nothing when not named), never more than it holds
    assert parts == [asked.get(pk, D(0)) for pk in range(len(outstanding))]
    assert all(D(0) <= part <= cap for part, cap in zip(parts, outstanding, strict=True))
    # a total given beside them must be their sum
    total = sum(parts, D(0))
    assert rules.item_parts(asked, items, accepted=total, currency="EUR") == parts
    with pytest.raises(InvalidAmount, match="the items add up to"):
        rules.item_parts(asked, items, accepted=total + D("0.01"), currency="EUR")
