"""VMI: replenishment proposals for dealer warehouses, kept current by a job.

For every (dealer warehouse, SKU) with a safety stock and a max level, one SQL
query reads on-hand and the units on the dealer's open orders (not yet
shipped); ``dms_domain.replenishment.vmi_quantity`` says how many to order.
Proposals are synced like alerts: one ``proposed`` row per (warehouse, SKU),
updated when the figures move, ``withdrawn`` when no longer needed. Dealers
that opted in (``PUT /dealers/{code}/vmi``) get them placed as orders, one
order per warehouse, through the ordering use case (prices, credit and stock
checks apply; a refusal is noted on the proposals, which stay proposed).

Units on open orders count toward every warehouse of the dealer: with one own
warehouse per dealer (the usual case) that is exact; with several it proposes
too little rather than too much.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update

from dms_domain.errors import DmsError
from dms_domain.orders import OrderStatus
from dms_domain.pricing import RequestedLine
from dms_domain.replenishment import vmi_quantity
from hub.auth.principal import Principal, Role
from hub.db.engine import Database
from hub.db.schema import (
    dealer_vmi,
    order_lines,
    orders,
    products,
    replenishments,
    stock,
    warehouses,
)
from hub.services.order_placement import place_order, request_hash
from hub.services.order_pricing import OrderRequest

PROPOSED, PLACED, WITHDRAWN = "proposed", "placed", "withdrawn"
NOT_YET_SHIPPED = tuple(
    s.value
    for s in (
        OrderStatus.SUBMITTED,
        OrderStatus.CONFIRMED,
        OrderStatus.CANCEL_REQUESTED,
        OrderStatus.PARTIALLY_SHIPPED,
    )
)
VMI_PRINCIPAL = Principal(name="vmi", role=Role.ADMIN, via="job")
FIGURES = ("qty", "on_hand", "open_qty", "safety_stock", "max_level", "pack_size")


@dataclass(frozen=True, slots=True)
class VmiResult:
    needed: int
    proposed: int
    updated: int
    withdrawn: int
    placed_orders: int


def _needs(conn: Connection) -> dict[tuple[str, str], dict[str, Any]]:
    open_qty = (
        select(
            orders.c.dealer_code,
            order_lines.c.sku,
            func.sum(order_lines.c.qty - order_lines.c.shipped_qty).label("units"),
        )
        .join(order_lines, order_lines.c.order_no == orders.c.order_no)
        .where(orders.c.status.in_(NOT_YET_SHIPPED))
        .group_by(orders.c.dealer_code, order_lines.c.sku)
        .subquery()
    )
    query = (
        select(
            stock.c.warehouse_code,
            stock.c.sku,
            stock.c.on_hand,
            stock.c.safety_stock,
            stock.c.max_level,
            warehouses.c.dealer_code,
            products.c.pack_size,
            func.coalesce(open_qty.c.units, 0).label("open_qty"),
        )
        .join(warehouses, warehouses.c.code == stock.c.warehouse_code)
        .join(products, products.c.sku == stock.c.sku)
        .outerjoin(
            open_qty,
            and_(
                open_qty.c.dealer_code == warehouses.c.dealer_code,
                open_qty.c.sku == stock.c.sku,
            ),
        )
        .where(
            warehouses.c.kind == "dealer",
            products.c.active.is_(True),
            stock.c.safety_stock.is_not(None),
            stock.c.max_level.is_not(None),
            # Only positions below safety stock can need anything: let the database filter.
            stock.c.on_hand + func.coalesce(open_qty.c.units, 0) < stock.c.safety_stock,
        )
    )
    needs = {}
    for row in conn.execute(query):
        qty = vmi_quantity(
            on_hand=row.on_hand,
            open_qty=int(row.open_qty),
            safety_stock=row.safety_stock,
            max_level=row.max_level,
            pack_size=row.pack_size,
        )
        if qty > 0:
            needs[(row.warehouse_code, row.sku)] = {
                "dealer_code": row.dealer_code,
                "warehouse_code": row.warehouse_code,
                "sku": row.sku,
                "qty": qty,
                "on_hand": row.on_hand,
                "open_qty": int(row.open_qty),
                "safety_stock": row.safety_stock,
                "max_level": row.max_level,
                "pack_size": row.pack_size,
            }
    return needs


def sync_proposals(conn: Connection, now: datetime) -> tuple[int, int, int, int]:
    """(needed, proposed, updated, withdrawn); idempotent."""
    needs = _needs(conn)
    existing = {
        (row.warehouse_code, row.sku): row
        for row in conn.execute(select(replenishments).where(replenishments.c.status == PROPOSED))
    }
    new = [
        {**need, "status": PROPOSED, "created_at": now, "updated_at": now}
        for key, need in needs.items()
        if key not in existing
    ]
    if new:
        conn.execute(insert(replenishments), new)
    changed = [
        {"r_id": row.id, **{f"r_{k}": need[k] for k in FIGURES}}
        for key, need in needs.items()
        if (row := existing.get(key)) is not None
        and any(getattr(row, k) != need[k] for k in FIGURES)
    ]
    if changed:
        conn.execute(
            update(replenishments)
            .where(replenishments.c.id == bindparam("r_id"))
            .values(**{k: bindparam(f"r_{k}") for k in FIGURES}, updated_at=now),
            changed,
        )
    gone = [{"r_id": row.id} for key, row in existing.items() if key not in needs]
    if gone:
        conn.execute(
            update(replenishments)
            .where(replenishments.c.id == bindparam("r_id"))
            .values(status=WITHDRAWN, note="no longer needed", updated_at=now),
            gone,
        )
    return len(needs), len(new), len(changed), len(gone)


def _refusal(exc: DmsError) -> tuple[int, dict[str, Any]]:
    return 409, {"code": exc.code, "detail": exc.detail}


def place_opted_in(db: Database, now: datetime, today: date) -> int:
    """Place the proposals of dealers that opted in: one order per warehouse."""
    with db.read() as conn:
        rows = conn.execute(
            select(replenishments)
            .join(dealer_vmi, dealer_vmi.c.dealer_code == replenishments.c.dealer_code)
            .where(replenishments.c.status == PROPOSED, dealer_vmi.c.auto_place.is_(True))
            .order_by(replenishments.c.warehouse_code, replenishments.c.sku)
        ).all()
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row.dealer_code, row.warehouse_code)].append(row)
    placed = 0
    for (dealer, warehouse), group in groups.items():
        placed += _place(db, dealer, warehouse, group, now, today)
    return placed


def _place(
    db: Database, dealer: str, warehouse: str, group: Sequence[Any], now: datetime, today: date
) -> int:
    lines = [RequestedLine(row.sku, row.qty) for row in group]
    body = {"vmi": [[row.id, row.qty] for row in group]}
    # A new key each minute: a refusal (credit, stock) is tried again next run,
    # while two runs of one minute place one order.
    key = "vmi:" + hashlib.sha256(f"{body}{now:%Y%m%d%H%M}".encode()).hexdigest()[:40]
    answer = place_order(
        db,
        OrderRequest(dealer, lines, remark=f"VMI replenishment of {warehouse}"),
        VMI_PRINCIPAL,
        idempotency_key=key,
        body_hash=request_hash(body),
        now=now,
        today=today,
        key_ttl=timedelta(hours=24),
        render_refusal=_refusal,
    )
    ids = [row.id for row in group]
    with db.transaction() as conn:
        if answer.status == 201:
            conn.execute(
                update(replenishments)
                .where(replenishments.c.id.in_(ids), replenishments.c.status == PROPOSED)
                .values(status=PLACED, order_no=answer.body["order_no"], note=None, updated_at=now)
            )
            return 1
        note = f"not placed: {answer.body.get('code')}: {answer.body.get('detail')}"[:500]
        conn.execute(
            update(replenishments)
            .where(replenishments.c.id.in_(ids))
            .values(note=note, updated_at=now)
        )
    return 0


def run_vmi(db: Database, now: datetime, today: date) -> VmiResult:
    with db.transaction() as conn:
        needed, proposed, updated, withdrawn = sync_proposals(conn, now)
    placed = place_opted_in(db, now, today)
    return VmiResult(needed, proposed, updated, withdrawn, placed)
