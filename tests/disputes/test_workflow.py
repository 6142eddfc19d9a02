"""The dispute workflow as a pure state machine: examples, then hypothesis driving it at random."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ardesk.disputes import workflow
from ardesk.disputes.workflow import IllegalTransition, MissingForClose, Outcome, State, Status
from ardesk.errors import Conflict, ErrorCode


def test_a_dispute_walks_from_new_to_closed():
    # given a new dispute
    state = State()
    # when it is reviewed, waits on the customer, is escalated, resolved and closed
    state = workflow.move(state, Status.IN_REVIEW)
    state = workflow.move(state, Status.WAITING_ON_CUSTOMER)
    state = workflow.move(state, Status.ESCALATED)
    state = workflow.resolve(state, Outcome.PARTLY_ACCEPTED)
    state = workflow.close(state, has_root_cause=True, has_responsible_department=True)
    # then it is closed and remembers how it was resolved
    assert state == State(Status.CLOSED, Outcome.PARTLY_ACCEPTED)
    assert not state.is_open


def test_an_illegal_transition_names_both_states():
    with pytest.raises(IllegalTransition) as raised:
        workflow.resolve(State(Status.NEW), Outcome.ACCEPTED)
    assert "from new to resolved" in raised.value.message
    assert "in_review" in raised.value.message  # where it may go instead
    assert raised.value.code == ErrorCode.CONFLICT
    assert isinstance(raised.value, Conflict)


def test_closing_needs_a_root_cause_and_a_responsible_department():
    resolved = State(Status.RESOLVED, Outcome.REJECTED)
    with pytest.raises(MissingForClose) as raised:
        workflow.close(resolved, has_root_cause=False, has_responsible_department=False)
    assert raised.value.missing == ["root cause", "responsible department"]
    with pytest.raises(MissingForClose):
        workflow.close(resolved, has_root_cause=True, has_responsible_department=False)


def test_only_a_resolved_dispute_can_be_closed():
    with pytest.raises(IllegalTransition, match="only a resolved dispute can be closed"):
        workflow.close(State(Status.IN_REVIEW), has_root_cause=True, has_responsible_department=True)


def test_reopen_clears_the_outcome_and_goes_back_to_review():
    assert workflow.reopen(State(Status.CLOSED, Outcome.REJECTED)) == State(Status.IN_REVIEW, None)
    with pytest.raises(IllegalTransition):
        workflow.reopen(State(Status.ESCALATED))


def test_move_refuses_the_states_that_have_their_own_service():
    for target in (Status.RESOLVED, Status.CLOSED, Status.NEW):
        with pytest.raises(IllegalTransition):
            workflow.move(State(Status.IN_REVIEW), target)
    with pytest.raises(IllegalTransition, match="reopen it first"):
        workflow.move(State(Status.RESOLVED, Outcome.ACCEPTED), Status.ESCALATED)


class DisputeMachine(RuleBasedStateMachine):
    """Random walks through the machine, checked against the transition table and a history of states."""

    def __init__(self) -> None:
        super().__init__()
        self.state = State()
        self.history: list[Status] = [Status.NEW]

    def _expect(self, legal: bool, action) -> None:  # type: ignore[no-untyped-def]
        before = self.state
        if legal:
            self.state = action()
            self.history.append(self.state.status)
        else:
            with pytest.raises(IllegalTransition) as raised:
                action()
            assert raised.value.from_status == before.status
            assert self.state == before  # a refused move changes nothing

    @rule(to=st.sampled_from(sorted(workflow.WORKING_STATES)))
    def move(self, to: Status) -> None:
        legal = workflow.can_move(self.state.status, to) and self.state.is_open
        self._expect(legal, lambda: workflow.move(self.state, to))

    @rule(outcome=st.sampled_from(list(Outcome)))
    def resolve(self, outcome: Outcome) -> None:
        legal = self.state.status in workflow.WORKING_STATES
        self._expect(legal, lambda: workflow.resolve(self.state, outcome))

    @rule(root_cause=st.booleans(), department=st.booleans())
    def close(self, root_cause: bool, department: bool) -> None:
        if self.state.status is Status.RESOLVED and not (root_cause and department):
            with pytest.raises(MissingForClose):
                workflow.close(self.state, has_root_cause=root_cause, has_responsible_department=department)
            return
        self._expect(self.state.status is Status.RESOLVED,
                     lambda: workflow.close(self.state, has_root_cause=root_cause,
                                            has_responsible_department=department))

    @rule()
    def reopen(self) -> None:
        self._expect(self.state.status in (Status.RESOLVED, Status.CLOSED), lambda: workflow.reopen(self.state))

    @invariant()
    def outcome_is_known_exactly_when_settled(self) -> None:
        assert (self.state.outcome is not None) == (self.state.status in (Status.RESOLVED, Status.CLOSED))

    @invariant()
    def every_step_was_in_the_table(self) -> None:
        for before, after in zip(self.history, self.history[1:], strict=False):
            assert after in workflow.TRANSITIONS[before], (before, after)

    @invariant()
    def closed_only_after_resolved(self) -> None:
        for i, status in enumerate(self.history):
            if status is Status.CLOSED:
                assert self.history[i - 1] is Status.RESOLVED

    @invariant()
    def never_back_to_new(self) -> None:
        assert Status.NEW not in self.history[1:]


TestDisputeMachine = DisputeMachine.TestCase
