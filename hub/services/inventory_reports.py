"""Dealers' own stock, reported by the dealers (or their systems).

A report is a snapshot of one dealer warehouse at ``as_of``: each item's
on-hand replaces the hub's figure unless the hub already holds a newer
snapshot of that (warehouse, SKU) (an older report never overwrites a newer
one; the same one twice changes nothing). Reservations and the replenishment
levels (safety stock, max level: set by the manufacturer with PUT /stock) are
left alone. VMI and transfer suggestions read these figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from dms_domain.errors import FieldErrors, InvalidInput
from hub.auth.principal import Principal, Role
from hub.db.schema import stock, warehouses
from hub.services.lookups import existing_skus

SOURCE = "dealer-report"


def report_inventory(
    conn: Connection,
    warehouse: str,
    as_of: datetime,
    items: Sequence[tuple[str, int]],
    *,
    actor: Principal,
    now: datetime,
) -> dict[str, Any]:
    owner = conn.execute(
        select(warehouses.c.kind, warehouses.c.dealer_code).where(warehouses.c.code == warehouse)
    ).first()
    mine = owner is not None and owner.kind == "dealer"
    if actor.role is Role.DEALER:
        mine = mine and owner is not None and owner.dealer_code == actor.dealer_code
    if not mine:
        # The same words whether it does not exist or is someone else's: no probing.
        whose = "of yours" if actor.role is Role.DEALER else "of a dealer"
        raise InvalidInput.field("warehouse", f"{warehouse!r} is not a warehouse {whose}")
    known = existing_skus(conn, {sku for sku, _ in items})
    errors = FieldErrors()
    seen: set[str] = set()
    for i, (sku, _) in enumerate(items):
        if sku not in known:
            errors.add(f"items[{i}].sku", f"unknown SKU {sku!r}")
        elif sku in seen:
            errors.add(f"items[{i}].sku", f"{sku!r} appears twice in this report")
        seen.add(sku)
    errors.raise_if_any(f"inventory report of {warehouse} not applied")

    current = {
        row.sku: row.snapshot_as_of
        for row in conn.execute(
            select(stock.c.sku, stock.c.snapshot_as_of)
            .where(stock.c.warehouse_code == warehouse, stock.c.sku.in_(seen))
            .with_for_update()
        )
    }
    new = [
        {
            "warehouse_code": warehouse,
            "sku": sku,
            "on_hand": qty,
            "reserved": 0,
            "updated_at": now,
            "snapshot_as_of": as_of,
            "snapshot_source": SOURCE,
        }
        for sku, qty in items
        if sku not in current
    ]
    newer = [
        {"s_sku": sku, "s_on_hand": qty}
        for sku, qty in items
        if sku in current and (current[sku] is None or current[sku] < as_of)
    ]
    stale = sorted(
        sku
        for sku, _ in items
        if sku in current and current[sku] is not None and current[sku] >= as_of
    )
    if new:
        conn.execute(insert(stock), new)
    if newer:
        conn.execute(
            update(stock)
            .where(stock.c.warehouse_code == warehouse, stock.c.sku == bindparam("s_sku"))
            .values(
                on_hand=bindparam("s_on_hand"),
                updated_at=now,
                snapshot_as_of=as_of,
                snapshot_source=SOURCE,
            ),
            newer,
        )
    return {
        "warehouse": warehouse,
        "as_of": as_of,
        "applied": len(new) + len(newer),
        "stale": stale,
    }
