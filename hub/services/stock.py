"""Stock per (warehouse, SKU): manual corrections and scoped reads.

The hub owns ``reserved``; ``available = on_hand - reserved``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dms_domain.errors import FieldErrors, NotFound
from hub.auth.principal import Principal
from hub.db.schema import stock, warehouses
from hub.pagination import Page, keyset_page
from hub.services import audit
from hub.services.lookups import existing_skus, warehouse_exists
from hub.services.scope import warehouse_visible


@dataclass(frozen=True, slots=True)
class StockCorrection:
    on_hand: int
    safety_stock: int | None
    max_level: int | None


_COLUMNS = (
    stock.c.warehouse_code.label("warehouse"),
    # Unlabelled too: keyset_page reads the cursor's values by the key columns' names.
    stock.c.warehouse_code,
    stock.c.sku,
    stock.c.on_hand,
    stock.c.reserved,
    (stock.c.on_hand - stock.c.reserved).label("available"),
    stock.c.safety_stock,
    stock.c.max_level,
    stock.c.updated_at,
)


def _row(conn: Connection, warehouse: str, sku: str, *, lock: bool = False) -> Any:
    query = select(*_COLUMNS).where(stock.c.warehouse_code == warehouse, stock.c.sku == sku)
    if lock:
        query = query.with_for_update()
    return conn.execute(query).first()


def put_stock(
    conn: Connection,
    warehouse: str,
    sku: str,
    data: StockCorrection,
    *,
    actor: Principal,
    now: datetime,
) -> dict[str, Any]:
    """A manual correction of on-hand (and the replenishment levels) of one SKU.

    Reservations are left alone: they belong to open orders. A correction may
    leave on_hand below reserved (the count is what it is); available then
    shows the shortfall as a negative number and no new order can take it.
    """
    if not warehouse_exists(conn, warehouse):
        raise NotFound(f"no warehouse {warehouse!r}", code="warehouse_not_found")
    if not existing_skus(conn, {sku}):
        raise NotFound(f"no product {sku!r}", code="product_not_found")
    errors = FieldErrors()
    if (
        data.safety_stock is not None
        and data.max_level is not None
        and data.max_level < data.safety_stock
    ):
        errors.add("max_level", f"{data.max_level} is below safety_stock {data.safety_stock}")
    errors.raise_if_any(f"stock {warehouse}/{sku} not saved")

    before = _row(conn, warehouse, sku, lock=True)
    values = {
        "on_hand": data.on_hand,
        "safety_stock": data.safety_stock,
        "max_level": data.max_level,
        "updated_at": now,
    }
    if before is None:
        conn.execute(insert(stock).values(warehouse_code=warehouse, sku=sku, reserved=0, **values))
    else:
        conn.execute(
            update(stock)
            .where(stock.c.warehouse_code == warehouse, stock.c.sku == sku)
            .values(**values)
        )
    after = dict(_row(conn, warehouse, sku)._mapping)
    audit.record(
        conn,
        actor=actor,
        action="correct",
        entity="stock",
        key=f"{warehouse}/{sku}",
        before=None if before is None else audit.snapshot(dict(before._mapping)),
        after=audit.snapshot(after),
        at=now,
    )
    return after


def list_stock(
    conn: Connection,
    principal: Principal,
    *,
    sku: str | None,
    warehouse: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = (
        select(*_COLUMNS)
        .join(warehouses, warehouses.c.code == stock.c.warehouse_code)
        .where(warehouse_visible(principal))
    )
    if sku:
        query = query.where(stock.c.sku == sku)
    if warehouse:
        query = query.where(stock.c.warehouse_code == warehouse)
    return keyset_page(conn, query, (stock.c.warehouse_code, stock.c.sku), cursor, limit)
