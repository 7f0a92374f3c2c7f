"""VMI quantities and transfer matching: examples at the edges, and properties
that must hold for any stock levels (hypothesis)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dms_domain.replenishment import Level, match_transfers, round_up_to_pack, vmi_quantity


def test_vmi_orders_up_to_max_rounded_up_to_whole_packs() -> None:
    # position 3 + 2 = 5 < safety 6: 20 - 5 = 15 -> two packs of 12 = 24.
    assert vmi_quantity(on_hand=3, open_qty=2, safety_stock=6, max_level=20, pack_size=12) == 24
    assert vmi_quantity(on_hand=3, open_qty=2, safety_stock=6, max_level=20, pack_size=1) == 15
    assert vmi_quantity(on_hand=3, open_qty=2, safety_stock=6, max_level=20, pack_size=5) == 15


def test_vmi_at_exactly_safety_stock_orders_nothing() -> None:
    assert vmi_quantity(on_hand=4, open_qty=2, safety_stock=6, max_level=20, pack_size=1) == 0
    assert vmi_quantity(on_hand=4, open_qty=1, safety_stock=6, max_level=20, pack_size=1) == 15


def test_pack_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="pack_size"):
        round_up_to_pack(5, 0)


@given(
    on_hand=st.integers(0, 500),
    open_qty=st.integers(0, 500),
    safety=st.integers(0, 300),
    extra=st.integers(0, 300),
    pack=st.integers(1, 50),
)
def test_vmi_brings_the_position_to_max_within_one_pack(
    on_hand: int, open_qty: int, safety: int, extra: int, pack: int
) -> None:
    max_level = safety + extra
    qty = vmi_quantity(
        on_hand=on_hand,
        open_qty=open_qty,
        safety_stock=safety,
        max_level=max_level,
        pack_size=pack,
    )
    position = on_hand + open_qty
    assert qty % pack == 0
    if position >= safety:
        assert qty == 0
    else:
        assert max_level <= position + qty < max_level + pack


def test_transfers_go_from_excess_to_need_in_whole_packs() -> None:
    levels = [
        Level("W1", "D1", on_hand=50, safety_stock=5, max_level=20),  # 30 too many
        Level("W2", "D2", on_hand=2, safety_stock=5, max_level=20),  # needs 18
        Level("W3", "D3", on_hand=10, safety_stock=5, max_level=20),  # fine
    ]
    [move] = match_transfers(levels, pack_size=4)
    assert (move.from_warehouse, move.to_warehouse, move.qty) == ("W1", "W2", 16)


def test_no_transfer_between_two_warehouses_of_one_dealer() -> None:
    levels = [
        Level("W1", "D1", on_hand=50, safety_stock=5, max_level=20),
        Level("W2", "D1", on_hand=0, safety_stock=5, max_level=20),
    ]
    assert match_transfers(levels, pack_size=1) == []


def test_a_taker_exactly_at_safety_stock_needs_nothing() -> None:
    levels = [
        Level("W1", "D1", on_hand=50, safety_stock=5, max_level=20),
        Level("W2", "D2", on_hand=5, safety_stock=5, max_level=20),
    ]
    assert match_transfers(levels, pack_size=1) == []


levels_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),  # dealer
        st.integers(0, 200),  # on hand
        st.integers(0, 50),  # safety
        st.integers(0, 100),  # max above safety
    ),
    max_size=12,
)


@settings(max_examples=200)
@given(rows=levels_strategy, pack=st.integers(1, 12))
def test_transfers_never_overdraw_or_overfill(
    rows: list[tuple[int, int, int, int]], pack: int
) -> None:
    levels = [
        Level(f"W{i}", f"D{dealer}", on_hand, safety, safety + extra)
        for i, (dealer, on_hand, safety, extra) in enumerate(rows)
    ]
    by_code = {lv.warehouse: lv for lv in levels}
    moves = match_transfers(levels, pack)
    given_out: dict[str, int] = defaultdict(int)
    taken_in: dict[str, int] = defaultdict(int)
    for move in moves:
        assert move.qty > 0
        assert move.qty % pack == 0
        assert move.from_dealer != move.to_dealer
        given_out[move.from_warehouse] += move.qty
        taken_in[move.to_warehouse] += move.qty
    for code, qty in given_out.items():
        assert qty <= by_code[code].excess  # the giver stays at or above its max
        assert code not in taken_in
    for code, qty in taken_in.items():
        level = by_code[code]
        assert level.on_hand < level.safety_stock
        assert level.on_hand + qty <= level.max_level  # the taker never goes above its max
    assert match_transfers(list(reversed(levels)), pack) == moves  # order does not matter
