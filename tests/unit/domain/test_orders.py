from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dms_domain.errors import Refused
from dms_domain.orders import (
    ALLOWED,
    RANK,
    TERMINAL,
    OrderEvent,
    OrderStatus,
    TransitionReason,
    apply_event,
    is_cancellable,
    is_open,
    is_terminal,
)

S = OrderStatus
E = OrderEvent
R = TransitionReason


def run(status: OrderStatus, *events: OrderEvent) -> OrderStatus:
    for event in events:
        status = apply_event(status, event).status
    return status


def test_the_happy_path_step_by_step() -> None:
    steps = [
        (E.CONFIRMED, S.CONFIRMED),
        (E.PARTIALLY_SHIPPED, S.PARTIALLY_SHIPPED),
        (E.SHIPPED, S.SHIPPED),
        (E.INVOICED, S.INVOICED),
        (E.CLOSED, S.CLOSED),
    ]
    status = S.SUBMITTED
    for event, expected in steps:
        transition = apply_event(status, event)
        assert (transition.previous, transition.status) == (status, expected)
        assert (transition.applied, transition.reason) == (True, R.ADVANCED)
        status = transition.status


def test_a_later_event_implies_the_earlier_ones() -> None:
    transition = apply_event(S.SUBMITTED, E.SHIPPED)

    assert (transition.status, transition.applied, transition.reason) == (
        S.SHIPPED,
        True,
        R.ADVANCED,
    )
    assert run(S.SUBMITTED, E.INVOICED) == S.INVOICED


def test_a_late_event_is_ignored_not_applied() -> None:
    transition = apply_event(S.SHIPPED, E.CONFIRMED)

    assert (transition.status, transition.applied, transition.reason) == (
        S.SHIPPED,
        False,
        R.BACKWARD,
    )
    assert "arrived late" in transition.detail
    assert apply_event(S.SHIPPED, E.PARTIALLY_SHIPPED).reason is R.BACKWARD


def test_a_repeated_event_is_a_duplicate() -> None:
    transition = apply_event(S.PARTIALLY_SHIPPED, E.PARTIALLY_SHIPPED)

    assert (transition.status, transition.applied, transition.reason) == (
        S.PARTIALLY_SHIPPED,
        False,
        R.DUPLICATE,
    )


def test_erp_rejection_before_acceptance_is_final_and_ignored_after_it() -> None:
    rejected = apply_event(S.SUBMITTED, E.REJECTED, note="customer blocked")

    assert (rejected.status, rejected.applied, rejected.note) == (
        S.REJECTED,
        True,
        "customer blocked",
    )
    assert apply_event(S.CONFIRMED, E.REJECTED).reason is R.NOT_ALLOWED
    assert apply_event(S.CONFIRMED, E.REJECTED).status is S.CONFIRMED
    assert apply_event(S.REJECTED, E.CONFIRMED).reason is R.TERMINAL


def test_cancel_before_acceptance_cancels_at_once() -> None:
    transition = apply_event(S.SUBMITTED, E.CANCEL_REQUESTED)

    assert (transition.status, transition.applied, transition.reason) == (
        S.CANCELLED,
        True,
        R.CANCEL_FLOW,
    )
    # the ERP's acceptance arriving after that changes nothing
    assert apply_event(S.CANCELLED, E.CONFIRMED).reason is R.TERMINAL


def test_cancel_after_acceptance_asks_the_erp() -> None:
    requested = apply_event(S.CONFIRMED, E.CANCEL_REQUESTED)
    assert (requested.status, requested.applied) == (S.CANCEL_REQUESTED, True)

    yes = apply_event(S.CANCEL_REQUESTED, E.CANCEL_ACCEPTED)
    assert (yes.status, yes.applied) == (S.CANCELLED, True)

    no = apply_event(S.CANCEL_REQUESTED, E.CANCEL_DECLINED, note="already picked")
    assert (no.status, no.applied, no.reason, no.note) == (
        S.CONFIRMED,
        True,
        R.CANCEL_FLOW,
        "already picked",
    )


def test_while_a_cancel_is_pending() -> None:
    again = apply_event(S.CANCEL_REQUESTED, E.CANCEL_REQUESTED)
    assert (again.status, again.applied, again.reason) == (S.CANCEL_REQUESTED, False, R.DUPLICATE)
    late_acceptance = apply_event(S.CANCEL_REQUESTED, E.CONFIRMED)
    assert (late_acceptance.status, late_acceptance.reason) == (S.CANCEL_REQUESTED, R.BACKWARD)
    # the goods left anyway: the shipment is a fact and wins over the pending cancel
    assert run(S.CANCEL_REQUESTED, E.SHIPPED) == S.SHIPPED


def test_cancel_answers_without_a_pending_cancel_are_ignored() -> None:
    for status in (S.SUBMITTED, S.CONFIRMED, S.SHIPPED):
        for event in (E.CANCEL_ACCEPTED, E.CANCEL_DECLINED):
            transition = apply_event(status, event)
            assert (transition.status, transition.reason) == (status, R.NOT_ALLOWED)


@pytest.mark.parametrize(
    "status", [S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICED, S.CLOSED, S.REJECTED]
)
def test_cancel_after_shipment_or_an_end_is_refused(status: OrderStatus) -> None:
    with pytest.raises(Refused) as caught:
        apply_event(status, E.CANCEL_REQUESTED)

    assert (caught.value.code, caught.value.status) == ("not_cancellable", 409)
    assert caught.value.extra == {"order_status": status.value}
    assert not is_cancellable(status)


def test_cancelling_a_cancelled_order_again_is_a_harmless_repeat() -> None:
    transition = apply_event(S.CANCELLED, E.CANCEL_REQUESTED)

    assert (transition.status, transition.applied, transition.reason) == (
        S.CANCELLED,
        False,
        R.DUPLICATE,
    )


def test_terminal_and_open_statuses() -> None:
    assert {s for s in OrderStatus if is_terminal(s)} == {S.REJECTED, S.CANCELLED, S.CLOSED}
    assert {s for s in OrderStatus if is_open(s)} == set(OrderStatus) - TERMINAL
    assert all(not ALLOWED[s] for s in TERMINAL)
    assert set(RANK) == set(OrderStatus) == set(ALLOWED)


def test_allowed_moves_never_go_down_in_rank() -> None:
    for status, targets in ALLOWED.items():
        assert all(RANK[target] >= RANK[status] for target in targets), status


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(list(OrderStatus)), st.lists(st.sampled_from(list(OrderEvent))))
def test_no_sequence_of_events_moves_an_order_backwards(
    start: OrderStatus, events: list[OrderEvent]
) -> None:
    status = start
    for event in events:
        try:
            transition = apply_event(status, event)
        except Refused:
            assert event is E.CANCEL_REQUESTED
            assert not is_cancellable(status)
            continue
        assert transition.previous is status
        assert RANK[transition.status] >= RANK[status]
        if transition.applied:
            assert transition.status in ALLOWED[status]
        else:
            assert transition.status is status
        if is_terminal(status):
            assert transition.status is status
            assert not transition.applied
        status = transition.status


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(OrderEvent)), min_size=1))
def test_event_order_does_not_matter_for_progress_events(events: list[OrderEvent]) -> None:
    # Without cancel or rejection, an order ends where its furthest event says,
    # whatever order the events arrived in.
    progress = [e for e in events if e not in (E.REJECTED, E.CANCEL_REQUESTED)]
    progress = [e for e in progress if e not in (E.CANCEL_ACCEPTED, E.CANCEL_DECLINED)]
    furthest = max((S(e.value) for e in progress), key=lambda s: RANK[s], default=S.SUBMITTED)

    assert run(S.SUBMITTED, *progress) == furthest
    assert run(S.SUBMITTED, *reversed(progress)) == furthest
