"""Replenishment: vendor-managed inventory (VMI) quantities and stock transfers.

VMI (min/max): a dealer warehouse whose position (on hand + units on open
orders) is below its safety stock gets a proposal of ``max_level - position``,
rounded UP to whole packs: ordering whole packs is a must, and the pack that
tips over max_level is the smaller evil than staying below it.

Transfers: within one region, a dealer warehouse above its max level can give
its excess (``on_hand - max_level``) to a neighbour below its safety stock,
which needs up to its max level (``max_level - on_hand``). Moves are whole
packs, rounded DOWN, so the giver never falls below its own max level and the
taker never goes above its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def round_up_to_pack(qty: int, pack_size: int) -> int:
    if pack_size < 1:
        raise ValueError(f"pack_size must be at least 1, not {pack_size}")
    return -(-qty // pack_size) * pack_size if qty > 0 else 0


def vmi_quantity(
    *, on_hand: int, open_qty: int, safety_stock: int, max_level: int, pack_size: int
) -> int:
    """Units to order for one (dealer warehouse, SKU); 0 when none are needed."""
    position = on_hand + open_qty
    if position >= safety_stock:
        return 0
    return round_up_to_pack(max_level - position, pack_size)


@dataclass(frozen=True, slots=True)
class Level:
    """One dealer warehouse's stock of one SKU."""

    warehouse: str
    dealer_code: str
    on_hand: int
    safety_stock: int
    max_level: int

    @property
    def excess(self) -> int:
        return max(self.on_hand - self.max_level, 0)

    @property
    def need(self) -> int:
        """What a warehouse below its safety stock needs to reach its max level."""
        return self.max_level - self.on_hand if self.on_hand < self.safety_stock else 0


@dataclass(frozen=True, slots=True)
class Transfer:
    from_warehouse: str
    from_dealer: str
    to_warehouse: str
    to_dealer: str
    qty: int


def match_transfers(levels: Iterable[Level], pack_size: int) -> list[Transfer]:
    """Transfers of one SKU within one region: the largest excess first to the
    largest need first (fewest moves for the most stock), ties by warehouse code
    so the answer is the same on every call. Never between two warehouses of
    one dealer: that is the dealer's own business."""
    if pack_size < 1:
        raise ValueError(f"pack_size must be at least 1, not {pack_size}")
    rows = list(levels)
    givers = sorted(
        (lv for lv in rows if lv.excess >= pack_size), key=lambda x: (-x.excess, x.warehouse)
    )
    takers = sorted(
        (lv for lv in rows if lv.need >= pack_size), key=lambda x: (-x.need, x.warehouse)
    )
    left = {lv.warehouse: lv.excess for lv in givers}
    wanted = {lv.warehouse: lv.need for lv in takers}
    moves = []
    for taker in takers:
        for giver in givers:
            if giver.dealer_code == taker.dealer_code:
                continue
            qty = min(left[giver.warehouse], wanted[taker.warehouse]) // pack_size * pack_size
            if qty <= 0:
                continue
            moves.append(
                Transfer(
                    giver.warehouse, giver.dealer_code, taker.warehouse, taker.dealer_code, qty
                )
            )
            left[giver.warehouse] -= qty
            wanted[taker.warehouse] -= qty
            if wanted[taker.warehouse] < pack_size:
                break
    return moves
