"""low_stock: available (on hand - reserved) below the safety stock, in the
hub's warehouses and in dealers' own. Exactly at safety stock is not low."""

from __future__ import annotations

from sqlalchemy import Connection, select

from hub.alerting.conditions import Context, Thresholds
from hub.alerting.lifecycle import Condition
from hub.db.schema import stock, warehouses

_QUERY = (
    select(
        stock.c.warehouse_code,
        stock.c.sku,
        stock.c.on_hand,
        stock.c.reserved,
        stock.c.safety_stock,
        warehouses.c.kind,
        warehouses.c.dealer_code,
    )
    .join(warehouses, warehouses.c.code == stock.c.warehouse_code)
    .where(
        stock.c.safety_stock.is_not(None),
        stock.c.on_hand - stock.c.reserved < stock.c.safety_stock,
    )
)


def find(conn: Connection, thresholds: Thresholds, ctx: Context) -> list[Condition]:
    found = []
    for row in conn.execute(_QUERY):
        available = row.on_hand - row.reserved
        found.append(
            Condition(
                subject=f"stock:{row.warehouse_code}/{row.sku}",
                message=f"{row.sku} in {row.warehouse_code}: {available} available, "
                f"below the safety stock of {row.safety_stock}",
                details={
                    "warehouse": row.warehouse_code,
                    "warehouse_kind": row.kind,
                    "sku": row.sku,
                    "on_hand": row.on_hand,
                    "reserved": row.reserved,
                    "available": available,
                    "safety_stock": row.safety_stock,
                },
                dealer_code=row.dealer_code,
                warehouse_code=row.warehouse_code,
                severity="critical" if available <= 0 else "warning",
            )
        )
    return found
