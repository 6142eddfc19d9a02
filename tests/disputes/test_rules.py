"""The pure money rules of disputes, and @mention parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.disputes import rules
from ardesk.disputes.mentions import parse_mentions
from ardesk.disputes.rules import Settlement
from ardesk.disputes.workflow import Outcome
from ardesk.errors import DomainError
from ardesk.money import InvalidAmount

D = Decimal


def test_an_invoice_can_be_disputed_up_to_its_collectible_amount():
    rules.check_disputable(invoice="I1", currency="EUR", requested=D("60.00"), open_amount=D("100.000"),
                           disputed=D("40.000"))
    with pytest.raises(rules.OverDispute) as raised:
        rules.check_disputable(invoice="I1", currency="EUR", requested=D("60.01"), open_amount=D("100.000"),
                               disputed=D("40.000"))
    assert "only 60.00 EUR is collectible" in raised.value.message
    assert raised.value.field == "amount"


def test_a_paid_invoice_cannot_be_disputed():
    with pytest.raises(rules.NothingOpen, match="is paid"):
        rules.check_disputable(invoice="I1", currency="EUR", requested=D("1.00"), open_amount=D("0"), disputed=D("0"))


def test_an_invoice_wholly_in_dispute_has_nothing_left():
    with pytest.raises(rules.AllInDispute):
        rules.check_disputable(invoice="I1", currency="EUR", requested=D("0"), open_amount=D("50.00"),
                               disputed=D("50.00"))


def test_a_short_quantity_costs_the_units_at_the_invoiced_price():
    amount = rules.line_amount(currency="EUR", quantity=D("10"), unit_price=D("12.345"), disputed_quantity=D("3"))
    assert amount == D("37.04")  # 37.035 rounded half up to the cent


def test_a_price_claim_costs_the_gap_on_every_unit():
    amount = rules.line_amount(currency="JPY", quantity=D("4"), unit_price=D("1000"), claimed_unit_price=D("900"))
    assert amount == D("400")


@pytest.mark.parametrize(("quantity", "price"), [(None, None), (D("1"), D("1")), (D("11"), None),
                                                 (D("0"), None), (None, D("12.50")), (None, D("-1"))])
def test_line_detail_must_be_one_sensible_claim(quantity, price):
    with pytest.raises(DomainError):
        rules.line_amount(currency="EUR", quantity=D("10"), unit_price=D("12.50"), disputed_quantity=quantity,
                          claimed_unit_price=price)


def test_outcomes_grant_all_part_or_nothing():
    assert rules.accepted_for(outcome=Outcome.ACCEPTED, outstanding=D("80"), accepted=None, currency="EUR") == D("80")
    assert rules.accepted_for(outcome=Outcome.PARTLY_ACCEPTED, outstanding=D("80"), accepted=D("30"),
                              currency="EUR") == D("30")
    assert rules.accepted_for(outcome=Outcome.REJECTED, outstanding=D("80"), accepted=None, currency="EUR") == D("0")
    for outcome, accepted in ((Outcome.ACCEPTED, D("79")), (Outcome.PARTLY_ACCEPTED, D("80")),
                              (Outcome.PARTLY_ACCEPTED, D("0")), (Outcome.PARTLY_ACCEPTED, None),
                              (Outcome.REJECTED, D("1"))):
        with pytest.raises(InvalidAmount):
            rules.accepted_for(outcome=outcome, outstanding=D("80"), accepted=accepted, currency="EUR")


def test_a_rejection_books_nothing_and_an_acceptance_books_something():
    assert rules.check_settlement(outcome="rejected", settlement="none") is Settlement.NONE
    with pytest.raises(DomainError):
        rules.check_settlement(outcome="rejected", settlement="credit_memo")
    with pytest.raises(DomainError):
        rules.check_settlement(outcome="accepted", settlement="none")


def test_allocation_gives_rounding_to_the_first_item_with_room():
    assert rules.allocate(D("10.00"), [D("10.00"), D("10.00"), D("10.00")], "EUR") == [D("3.34"), D("3.33"),
                                                                                       D("3.33")]


@given(capacities=st.lists(st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2), min_size=1,
                           max_size=8),
       share=st.fractions(min_value=0, max_value=1))
def test_allocation_adds_up_and_never_overfills_an_item(capacities, share):
    whole = sum(capacities, D(0))
    total = (whole * D(share.numerator) / D(share.denominator)).quantize(D("0.01"), rounding="ROUND_DOWN")
    parts = rules.allocate(total, capacities, "EUR")
    assert sum(parts, D(0)) == total
    assert all(D(0) <= part <= cap for part, cap in zip(parts, capacities, strict=True))
    assert all(part == part.quantize(D("0.01")) for part in parts)


def test_allocation_refuses_more_than_there_is():
    with pytest.raises(InvalidAmount):
        rules.allocate(D("20.01"), [D("10"), D("10")], "EUR")


def test_overlapping_finds_open_disputes_sharing_an_invoice():
    others = {"DSP-2": {1, 2}, "DSP-1": {3}, "DSP-3": {2, 9}}
    assert rules.overlapping({2, 4}, others) == ["DSP-2", "DSP-3"]
    assert rules.overlapping({7}, others) == []


def test_mentions_are_words_that_start_with_an_at_sign():
    text = "@Ana please check with @bob.smith. Mail billing@example.com, cc @ana again; @ alone is nothing"
    assert parse_mentions(text) == ["ana", "bob.smith"]
