"""Transfer suggestions: stock moves between dealers of one region.

Computed when asked, from the current dealer stock (so never stale): one SQL
query picks the (dealer warehouse, SKU) rows above their max level or below
their safety stock, and ``dms_domain.replenishment.match_transfers`` pairs
them per (region, SKU). The region is the dealer warehouse's region.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, or_, select

from dms_domain.replenishment import Level, match_transfers
from hub.auth.principal import Principal, Role
from hub.db.schema import products, stock, warehouses
from hub.pagination import Page, decode_cursor, encode_cursor

KEY = ("region", "sku", "from_warehouse", "to_warehouse")


def suggestions(
    conn: Connection,
    principal: Principal,
    *,
    region: str | None,
    sku: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = (
        select(
            warehouses.c.region,
            stock.c.sku,
            stock.c.warehouse_code,
            warehouses.c.dealer_code,
            stock.c.on_hand,
            stock.c.safety_stock,
            stock.c.max_level,
            products.c.pack_size,
        )
        .join(warehouses, warehouses.c.code == stock.c.warehouse_code)
        .join(products, products.c.sku == stock.c.sku)
        .where(
            warehouses.c.kind == "dealer",
            warehouses.c.region.is_not(None),
            warehouses.c.dealer_code.is_not(None),
            stock.c.safety_stock.is_not(None),
            stock.c.max_level.is_not(None),
            or_(stock.c.on_hand > stock.c.max_level, stock.c.on_hand < stock.c.safety_stock),
        )
    )
    if principal.role is Role.MANAGER:
        query = query.where(warehouses.c.region.in_(sorted(principal.regions)))
    if region:
        query = query.where(warehouses.c.region == region)
    if sku:
        query = query.where(stock.c.sku == sku)
    groups: dict[tuple[str, str], list[Level]] = defaultdict(list)
    packs: dict[str, int] = {}
    for row in conn.execute(query):
        groups[(row.region, row.sku)].append(
            Level(row.warehouse_code, row.dealer_code, row.on_hand, row.safety_stock, row.max_level)
        )
        packs[row.sku] = row.pack_size
    items = [
        {
            "region": group_region,
            "sku": group_sku,
            "from_warehouse": move.from_warehouse,
            "from_dealer": move.from_dealer,
            "to_warehouse": move.to_warehouse,
            "to_dealer": move.to_dealer,
            "qty": move.qty,
        }
        for (group_region, group_sku), levels in groups.items()
        for move in match_transfers(levels, packs[group_sku])
    ]
    items.sort(key=lambda item: [item[k] for k in KEY])
    if cursor:
        after = decode_cursor(cursor, len(KEY))
        items = [item for item in items if [item[k] for k in KEY] > after]
    page = items[:limit]
    more = len(items) > limit
    return Page(page, encode_cursor([page[-1][k] for k in KEY]) if more else None)
