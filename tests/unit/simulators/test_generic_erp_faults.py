"""Faults are taken by the calls they fit, for as many calls as armed, in order."""

from __future__ import annotations

import pytest

from simulators.generic_erp.faults import Call, FaultKind, FaultPlan

ANY = Call()
WRITE = Call(write=True)
PULL = Call(pull=True)
LOOKUP = Call(lookup=True)


def test_a_fault_lasts_for_the_calls_it_was_armed_for() -> None:
    plan = FaultPlan()
    plan.arm("server_error", times=2)

    assert [plan.take(ANY) for _ in range(3)] == [
        FaultKind.SERVER_ERROR,
        FaultKind.SERVER_ERROR,
        None,
    ]


def test_faults_are_taken_in_the_order_they_were_armed() -> None:
    plan = FaultPlan()
    plan.arm(FaultKind.TIMEOUT)
    plan.arm(FaultKind.UNAVAILABLE)

    assert (plan.take(ANY), plan.take(ANY)) == (FaultKind.TIMEOUT, FaultKind.UNAVAILABLE)


@pytest.mark.parametrize(
    ("kind", "fits", "skips"),
    [
        (FaultKind.LOSE_ANSWER, WRITE, PULL),
        (FaultKind.REFUSE_WRITE, WRITE, LOOKUP),
        (FaultKind.DUPLICATE_RECORDS, PULL, WRITE),
        (FaultKind.STALE_READ, LOOKUP, WRITE),
    ],
)
def test_some_faults_wait_for_a_call_they_fit(kind: FaultKind, fits: Call, skips: Call) -> None:
    plan = FaultPlan()
    plan.arm(kind)

    assert plan.take(skips) is None
    assert plan.take(ANY) is None
    assert plan.take(fits) is kind
    assert plan.armed() == []


def test_a_later_fault_can_be_taken_before_one_still_waiting() -> None:
    plan = FaultPlan()
    plan.arm(FaultKind.LOSE_ANSWER)
    plan.arm(FaultKind.SERVER_ERROR)

    assert plan.take(PULL) is FaultKind.SERVER_ERROR
    assert plan.armed() == [("lose_answer", 1)]


def test_clear_disarms_everything() -> None:
    plan = FaultPlan()
    plan.arm(FaultKind.SLOW, times=5)
    plan.clear()

    assert plan.take(ANY) is None


@pytest.mark.parametrize(("kind", "times"), [("no_such_fault", 1), ("timeout", 0)])
def test_bad_arming_is_refused(kind: str, times: int) -> None:
    with pytest.raises(ValueError, match=kind if times else "at least 1"):
        FaultPlan().arm(kind, times)
