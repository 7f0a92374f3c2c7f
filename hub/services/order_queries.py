"""Reading orders (scoped by role), cancelling them, and releasing reservations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from connectors import correlation
from dms_domain.errors import NotFound
from dms_domain.orders import OrderEvent, OrderStatus, Transition, apply_event
from hub.auth.principal import Principal
from hub.db.schema import (
    order_lines,
    order_timeline,
    orders,
    outbox,
    shipment_lines,
    shipments,
    stock,
)
from hub.notifications.events import EventKind, notify
from hub.pagination import Page, keyset_page
from hub.services.scope import dealer_visible

ORDER_CANCEL = "order.cancel"

_HEADER = (
    orders.c.order_no,
    orders.c.status,
    orders.c.dealer_code,
    orders.c.warehouse_code.label("warehouse"),
    orders.c.currency,
    orders.c.total,
    orders.c.tax_total,
    orders.c.discounts,
    orders.c.warnings,
    orders.c.urgent,
    orders.c.remark,
    orders.c.customer_po,
    orders.c.requested_date,
    orders.c.ship_to,
    orders.c.erp_ref,
    orders.c.wms_ref,
    orders.c.reject_reason,
    orders.c.created_at,
    orders.c.updated_at,
)


def _visible_order(
    conn: Connection, order_no: str, principal: Principal, *, lock: bool = False
) -> Mapping[Any, Any]:
    query = select(*_HEADER).where(
        orders.c.order_no == order_no, dealer_visible(principal, orders.c.dealer_code)
    )
    if lock:
        query = query.with_for_update(of=orders)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no order {order_no!r}")
    return row._mapping


def get_order(conn: Connection, order_no: str, principal: Principal) -> dict[str, Any]:
    order = dict(_visible_order(conn, order_no, principal))
    order["lines"] = [
        dict(row._mapping)
        for row in conn.execute(
            select(
                order_lines.c.line_no,
                order_lines.c.sku,
                order_lines.c.qty,
                order_lines.c.unit_price,
                order_lines.c.list_amount,
                order_lines.c.amount,
                order_lines.c.tax_rate,
                order_lines.c.tax_amount,
                order_lines.c.is_gift,
                order_lines.c.price_trace,
                order_lines.c.shipped_qty,
            )
            .where(order_lines.c.order_no == order_no)
            .order_by(order_lines.c.line_no)
        )
    ]
    order["shipments"] = _shipments(conn, order_no)
    order["timeline"] = [
        dict(row._mapping)
        for row in conn.execute(
            select(
                order_timeline.c.at,
                order_timeline.c.event,
                order_timeline.c.from_status,
                order_timeline.c.to_status,
                order_timeline.c.applied,
                order_timeline.c.reason,
                order_timeline.c.note,
                order_timeline.c.actor,
            )
            .where(order_timeline.c.order_no == order_no)
            .order_by(order_timeline.c.id)
        )
    ]
    return order


def _shipments(conn: Connection, order_no: str) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in conn.execute(
        select(shipments).where(shipments.c.order_no == order_no).order_by(shipments.c.shipped_at)
    ):
        found[row.shipment_no] = {
            "shipment_no": row.shipment_no,
            "tracking_no": row.tracking_no,
            "carrier": row.carrier,
            "shipped_at": row.shipped_at,
            "lines": [],
        }
    if found:
        for line in conn.execute(
            select(shipment_lines)
            .where(shipment_lines.c.shipment_no.in_(list(found)))
            .order_by(shipment_lines.c.shipment_no, shipment_lines.c.line_no)
        ):
            found[line.shipment_no]["lines"].append({"sku": line.sku, "qty": line.qty})
    return list(found.values())


def list_orders(
    conn: Connection,
    principal: Principal,
    *,
    status: str | None,
    dealer_code: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = select(*_HEADER).where(dealer_visible(principal, orders.c.dealer_code))
    if status:
        query = query.where(orders.c.status == status)
    if dealer_code:
        query = query.where(orders.c.dealer_code == dealer_code)
    return keyset_page(
        conn, query, (orders.c.created_at, orders.c.order_no), cursor, limit, descending=True
    )


def record_transition(
    conn: Connection,
    order_no: str,
    transition: Transition,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Write the timeline entry of an event, applied or ignored, and apply it."""
    entry_id = conn.execute(
        insert(order_timeline)
        .values(
            order_no=order_no,
            at=now,
            event=transition.event.value,
            from_status=transition.previous.value,
            to_status=transition.status.value,
            applied=transition.applied,
            reason=transition.reason.value,
            note=note or transition.note or transition.detail,
            actor=actor,
        )
        .returning(order_timeline.c.id)
    ).scalar_one()
    if transition.applied and transition.status is not transition.previous:
        order = conn.execute(
            update(orders)
            .where(orders.c.order_no == order_no)
            .values(status=transition.status.value, updated_at=now)
            .returning(orders.c.dealer_code, orders.c.erp_ref)
        ).one()
        notify(
            conn,
            EventKind.ORDER_STATUS_CHANGED,
            order.dealer_code,
            f"order-timeline:{entry_id}",
            {
                "order_no": order_no,
                "dealer_code": order.dealer_code,
                "from": transition.previous.value,
                "to": transition.status.value,
                "at": now,
                "erp_ref": order.erp_ref,
                "note": note or transition.note,
            },
            now,
        )


def release_reservation(conn: Connection, order_no: str, warehouse: str) -> None:
    """Give back what an order still holds: its unshipped units, in SKU order."""
    held: dict[str, int] = {}
    for line in conn.execute(
        select(order_lines.c.sku, order_lines.c.qty, order_lines.c.shipped_qty).where(
            order_lines.c.order_no == order_no
        )
    ):
        held[line.sku] = held.get(line.sku, 0) + max(line.qty - line.shipped_qty, 0)
    for sku, qty in sorted(held.items()):
        if qty:
            conn.execute(
                update(stock)
                .where(stock.c.warehouse_code == warehouse, stock.c.sku == sku)
                .values(reserved=stock.c.reserved - qty)
            )


def cancel_order(
    conn: Connection, order_no: str, principal: Principal, *, reason: str | None, now: datetime
) -> tuple[Transition, dict[str, Any]]:
    """A dealer's (or its manager's) cancel: at once before ERP acceptance, else asked of
    the ERP. Either way the sync engine is told (outbox), since a push may be in flight."""
    order = _visible_order(conn, order_no, principal, lock=True)
    transition = apply_event(OrderStatus(order["status"]), OrderEvent.CANCEL_REQUESTED, note=reason)
    record_transition(conn, order_no, transition, actor=principal.name, now=now, note=reason)
    if transition.applied:
        if transition.status is OrderStatus.CANCELLED:
            release_reservation(conn, order_no, order["warehouse"])
        conn.execute(
            insert(outbox).values(
                topic=ORDER_CANCEL,
                key=order_no,
                payload={"order_no": order_no, "reason": reason},
                priority=0,
                status="pending",
                attempts=0,
                created_at=now,
                available_at=now,
                correlation_id=correlation.current(),
            )
        )
    return transition, get_order(conn, order_no, principal)
