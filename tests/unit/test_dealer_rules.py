from __future__ import annotations

import itertools

import pytest

from dms_domain.catalog import WarehouseKind, check_warehouse_owner
from dms_domain.dealers import DealerStatus, can_transition, check_transition
from dms_domain.errors import InvalidInput, Refused

S = DealerStatus
ALLOWED = {
    (S.PROSPECT, S.ACTIVE),
    (S.ACTIVE, S.SUSPENDED),
    (S.SUSPENDED, S.ACTIVE),
    (S.PROSPECT, S.TERMINATED),
    (S.ACTIVE, S.TERMINATED),
    (S.SUSPENDED, S.TERMINATED),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(S, S)))
def test_lifecycle_is_exactly_the_contracts(current: S, new: S) -> None:
    expected = current == new or (current, new) in ALLOWED
    assert can_transition(current, new) is expected


def test_terminated_is_final_and_the_refusal_names_both_states() -> None:
    with pytest.raises(Refused) as caught:
        check_transition("D9", S.TERMINATED, S.ACTIVE)
    assert caught.value.code == "invalid_status_transition"
    assert caught.value.extra == {"field": "status", "current": "terminated", "requested": "active"}
    assert "terminated" in caught.value.detail


def test_dealer_warehouse_needs_an_owner_and_others_must_not_have_one() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_warehouse_owner(WarehouseKind.DEALER, None)
    assert caught.value.errors[0].field == "dealer_code"
    with pytest.raises(InvalidInput):
        check_warehouse_owner(WarehouseKind.CENTRAL, "D1")
    check_warehouse_owner(WarehouseKind.DEALER, "D1")
    check_warehouse_owner(WarehouseKind.REGIONAL, None)
