"""The pure hash chain: any tampering with a stored event is reported with the event's number."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ardesk.audit import chain

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
bodies = st.fixed_dictionaries({
    "actor_id": st.none() | st.integers(1, 10**6),
    "actor_label": st.text(min_size=1, max_size=20),
    "verb": st.sampled_from(["invoice.booked", "payment.applied", "application.reversed", "customer.changed"]),
    "subject_type": st.sampled_from(["ledger.invoice", "ledger.payment", "customers.customer"]),
    "subject_id": st.integers(1, 10**6).map(str),
    "before": st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    "after": st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    "reason": st.text(max_size=30),
    "request_id": st.text(alphabet="0123456789abcdef", max_size=32),
})


def build_chain(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Link bodies the way ardesk.audit.services.record does: seq from 1, each holding the previous hash."""
    events: list[dict[str, Any]] = []
    prev = chain.GENESIS
    for seq, body in enumerate(bodies, start=1):
        event = {**body, "seq": seq, "created_at": f"2026-11-26T12:00:{seq % 60:02d}+00:00", "prev_hash": prev}
        event["hash"] = chain.event_hash(event)
        prev = event["hash"]
        events.append(event)
    return events


@given(st.lists(bodies, max_size=12))
def test_an_untouched_chain_verifies(items: list[dict[str, Any]]) -> None:
    assert chain.verify(build_chain(items)) == []


@given(items=st.lists(bodies, min_size=1, max_size=12), data=st.data())
def test_an_altered_event_is_reported_by_its_number(items: list[dict[str, Any]], data: st.DataObject) -> None:
    # given an intact chain
    events = build_chain(items)
    victim = data.draw(st.sampled_from(events))
    field = data.draw(st.sampled_from([f for f in chain.HASHED_FIELDS if f not in {"seq", "prev_hash"}]))
    # when one field of one event is changed and its stored hash left alone
    victim[field] = ["tampered", victim[field]]
    # then that event, and only that event, is reported as altered
    assert chain.verify(events) == [chain.Break(victim["seq"], "altered")]


@given(items=st.lists(bodies, min_size=3, max_size=12), data=st.data())
def test_a_missing_event_is_reported_by_its_number(items: list[dict[str, Any]], data: st.DataObject) -> None:
    events = build_chain(items)
    # when an event other than the last is deleted (the last one is invisible without an outside anchor)
    gone = data.draw(st.integers(0, len(events) - 2))
    del events[gone]
    # then
    assert chain.verify(events) == [chain.Break(gone + 1, "missing")]


def test_a_run_of_missing_events_names_each_of_them() -> None:
    events = build_chain([{"verb": "x"}] * 6)
    assert chain.verify([events[0], events[4], events[5]]) == [
        chain.Break(2, "missing"), chain.Break(3, "missing"), chain.Break(4, "missing")]


def test_an_event_rehashed_after_tampering_breaks_the_link_to_the_next() -> None:
    # given a forger who changes event 2 and recomputes its hash
    events = build_chain([{"verb": "a", "after": {"amount": "10.00"}}] * 4)
    events[1]["after"] = {"amount": "99.00"}
    events[1]["hash"] = chain.event_hash(events[1])
    # then event 3 no longer points at what came before it
    assert chain.verify(events) == [chain.Break(3, "relinked")]


def test_a_forged_first_event_must_start_from_genesis() -> None:
    events = build_chain([{"verb": "a"}, {"verb": "b"}])
    events[0]["prev_hash"] = "f" * 64
    events[0]["hash"] = chain.event_hash(events[0])
    events[1]["prev_hash"] = events[0]["hash"]
    events[1]["hash"] = chain.event_hash(events[1])
    assert chain.verify(events) == [chain.Break(1, "relinked")]


def test_the_hash_does_not_depend_on_key_order() -> None:
    # PostgreSQL's jsonb gives keys back in its own order; the hash must not care.
    one = {"seq": 1, "after": {"b": 1, "a": [1, {"y": 2, "x": 3}]}, "prev_hash": chain.GENESIS}
    two = {"prev_hash": chain.GENESIS, "after": {"a": [1, {"x": 3, "y": 2}], "b": 1}, "seq": 1}
    assert chain.event_hash(one) == chain.event_hash(two)


@pytest.mark.parametrize("field", ["hash", "id"])
def test_fields_outside_the_hash_are_not_part_of_it(field: str) -> None:
    event = build_chain([{"verb": "a"}])[0]
    before = chain.event_hash(event)
    event[field] = "anything"
    assert chain.event_hash(event) == before
