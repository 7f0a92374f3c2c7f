"""Orders going out: push to the routed ERP, cancel there. Idempotent, leased.

Each function is one job's work. It checks the order's current state before
acting (a cancel and a create of one order never overtake each other), holds
the order's lease while it talks to the ERP (two deliveries of one job cannot
both create the document), and looks the order up in the ERP before creating.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, or_, select, update

from connectors.port import Connector
from dms_domain.errors import BusinessRejection, TransientError
from dms_domain.exchange import (
    CancelResult,
    CancelStatus,
    OrderLineOut,
    OrderOut,
    PushResult,
    PushStatus,
)
from dms_domain.orders import OrderEvent, OrderStatus
from hub.db.engine import Database
from hub.db.schema import dealers, order_lines, orders
from hub.services.alerts import SYNC_FAILURE, raise_alert, resolve_alert
from hub.sync.inbound import order_event

LEASE = timedelta(minutes=5)


class OrderBusy(TransientError):
    """Another job holds this order's lease: try again later."""


def route(
    conn: Connection, order: Any, connectors: Mapping[str, Connector], default: str | None
) -> str | None:
    """The connector for an order: the dealer's own ERP, else the setting."""
    dealer_erp = conn.scalar(
        select(dealers.c.erp_system).where(dealers.c.code == order.dealer_code)
    )
    for name in (dealer_erp, default):
        if name and name in connectors:
            return name
    return None


def canonical_order(conn: Connection, order: Any) -> OrderOut:
    lines = conn.execute(
        select(order_lines)
        .where(order_lines.c.order_no == order.order_no)
        .order_by(order_lines.c.line_no)
    )
    return OrderOut(
        order_no=order.order_no,
        dealer_code=order.dealer_code,
        warehouse=order.warehouse_code,
        currency=order.currency,
        total=order.total,
        tax_total=order.tax_total,
        urgent=order.urgent,
        created_at=order.created_at,
        customer_po=order.customer_po,
        requested_date=order.requested_date,
        remark=order.remark,
        ship_to=order.ship_to,
        lines=tuple(
            OrderLineOut(
                line_no=line.line_no,
                sku=line.sku,
                qty=line.qty,
                unit_price=line.unit_price,
                amount=line.amount,
                tax_rate=line.tax_rate,
                tax_amount=line.tax_amount,
                is_gift=line.is_gift,
            )
            for line in lines
        ),
    )


class Lease:
    """The order's lease, taken in its own short transaction (the ERP call in
    between must not hold a database transaction open)."""

    def __init__(
        self, db: Database, order_no: str, now: datetime, length: timedelta = LEASE
    ) -> None:
        self.db = db
        self.length = length
        self.order_no = order_no
        self.holder = uuid.uuid4().hex
        self.now = now

    def __enter__(self) -> Lease:
        with self.db.transaction() as conn:
            taken = conn.execute(
                update(orders)
                .where(
                    orders.c.order_no == self.order_no,
                    or_(orders.c.lease_expires_at.is_(None), orders.c.lease_expires_at < self.now),
                )
                .values(lease_holder=self.holder, lease_expires_at=self.now + self.length)
            ).rowcount
        if not taken:
            raise OrderBusy(f"order {self.order_no} is being sent by another job")
        return self

    def __exit__(self, *_: object) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                update(orders)
                .where(orders.c.order_no == self.order_no, orders.c.lease_holder == self.holder)
                .values(lease_holder=None, lease_expires_at=None)
            )


def push_order(
    db: Database,
    connectors: Mapping[str, Connector],
    order_no: str,
    *,
    default_erp: str | None,
    now: datetime,
    lease: timedelta = LEASE,
) -> str:
    """Send one order to its ERP. Returns what happened, for the job log."""
    with db.transaction() as conn:
        order = conn.execute(select(orders).where(orders.c.order_no == order_no)).first()
        if order is None:
            return "unknown order"
        target = route(conn, order, connectors, default_erp)
        if target is None:
            raise_alert(
                conn,
                kind=SYNC_FAILURE,
                subject=f"order:{order_no}",
                message=f"order {order_no} has no ERP to go to: set DMS_ORDER_ERP or the "
                f"dealer's erp.system to a configured connector",
                dealer_code=order.dealer_code,
                now=now,
            )
            return "no route"
        canonical = canonical_order(conn, order)
    connector = connectors[target]
    with Lease(db, order_no, now, lease):
        with db.read() as conn:
            status = OrderStatus(
                conn.execute(
                    select(orders.c.status).where(orders.c.order_no == order_no)
                ).scalar_one()
            )
        if status is OrderStatus.CANCELLED:
            # Cancelled before it was sent: make sure the ERP does not keep it.
            found = connector.find_order(order_no)
            if found is not None:
                connector.cancel_order(
                    order_no, found.erp_ref, "cancelled in the hub before it was sent"
                )
            return "cancelled before sending"
        if status is not OrderStatus.SUBMITTED:
            return f"already {status.value}"
        try:
            result = connector.find_order(order_no)
            if result is None or result.status is not PushStatus.ACCEPTED:
                # A document still pending there is pushed again: a connector whose ERP
                # takes several calls (K3's Save, Submit, Audit) resumes where it stopped.
                result = connector.push_order(canonical)
        except BusinessRejection as exc:
            with db.transaction() as conn:
                order_event(
                    conn, order_no, OrderEvent.REJECTED, actor=target, now=now, note=exc.detail
                )
            return "rejected"
        return _apply_push(db, order_no, target, result, now)


def _apply_push(db: Database, order_no: str, target: str, result: PushResult, now: datetime) -> str:
    with db.transaction() as conn:
        if result.status is PushStatus.ACCEPTED:
            order_event(
                conn, order_no, OrderEvent.CONFIRMED, actor=target, now=now, erp_ref=result.erp_ref
            )
        elif result.erp_ref:
            conn.execute(
                update(orders).where(orders.c.order_no == order_no).values(erp_ref=result.erp_ref)
            )
        resolve_alert(conn, kind=SYNC_FAILURE, subject=f"order:{order_no}", by=target, now=now)
    return result.status.value


def cancel_order(
    db: Database,
    connectors: Mapping[str, Connector],
    order_no: str,
    *,
    reason: str | None,
    default_erp: str | None,
    now: datetime,
    lease: timedelta = LEASE,
    wms: str | None = None,
) -> str:
    """Ask the ERP to cancel; with a WMS (``DMS_ORDER_WMS``), ask the warehouse
    first: it is where the goods can still be stopped, and its no ends it."""
    with db.transaction() as conn:
        order = conn.execute(select(orders).where(orders.c.order_no == order_no)).first()
        if order is None:
            return "unknown order"
        target = route(conn, order, connectors, default_erp)
    if target is None:
        return "no route"
    connector = connectors[target]
    warehouse = connectors.get(wms) if wms else None
    with Lease(db, order_no, now, lease):
        with db.read() as conn:
            current = conn.execute(
                select(orders.c.status, orders.c.erp_ref).where(orders.c.order_no == order_no)
            ).one()
        status = OrderStatus(current.status)
        if status is OrderStatus.CANCELLED:
            found = connector.find_order(order_no)
            if found is not None:
                connector.cancel_order(order_no, found.erp_ref, reason)
            if warehouse is not None:
                cancel_in_wms(db, warehouse, order_no, reason)
            return "cancelled"
        if status is not OrderStatus.CANCEL_REQUESTED:
            return f"nothing to cancel: order is {status.value}"
        if warehouse is not None:
            held = _cancel_in_warehouse(db, warehouse, order_no, reason, now)
            if held is not None:
                return held
        answer = connector.cancel_order(order_no, current.erp_ref, reason)
        if answer.status is CancelStatus.REFUSED and warehouse is not None:
            _warn_wms_cancelled(db, order, answer.reason, now)
        with db.transaction() as conn:
            if answer.status is CancelStatus.CANCELLED:
                order_event(
                    conn, order_no, OrderEvent.CANCEL_ACCEPTED, actor=target, now=now, note=reason
                )
            elif answer.status is CancelStatus.REFUSED:
                order_event(
                    conn,
                    order_no,
                    OrderEvent.CANCEL_DECLINED,
                    actor=target,
                    now=now,
                    note=answer.reason,
                )
        return answer.status.value


def _cancel_in_warehouse(
    db: Database, warehouse: Connector, order_no: str, reason: str | None, now: datetime
) -> str | None:
    """The WMS's answer; a "no" (already picked or shipped) ends the cancel
    here, returning the order to confirmed with the warehouse's reason."""
    answer = cancel_in_wms(db, warehouse, order_no, reason)
    if answer.status is not CancelStatus.REFUSED:
        return None
    with db.transaction() as conn:
        order_event(
            conn,
            order_no,
            OrderEvent.CANCEL_DECLINED,
            actor=warehouse.name,
            now=now,
            note=f"the warehouse refused: {answer.reason}",
        )
    return "refused by the WMS"


def _warn_wms_cancelled(db: Database, order: Any, reason: str | None, now: datetime) -> None:
    with db.transaction() as conn:
        raise_alert(
            conn,
            kind=SYNC_FAILURE,
            subject=f"order:{order.order_no}",
            message=f"order {order.order_no}: the warehouse cancelled it but the ERP refused "
            f"({reason}); the order stays confirmed: issue it to the warehouse again",
            dealer_code=order.dealer_code,
            now=now,
        )


def cancel_in_wms(
    db: Database, connector: Connector, order_no: str, reason: str | None
) -> CancelResult:
    """Ask the WMS to cancel (the caller holds the order's lease). An order the
    WMS does not have counts as cancelled there."""
    with db.read() as conn:
        wms_ref = _wms_ref(conn, order_no)
    if wms_ref is None:
        found = connector.find_order(order_no)
        if found is None:
            return CancelResult(CancelStatus.CANCELLED, "not in the WMS")
        wms_ref = found.erp_ref
    return connector.cancel_order(order_no, wms_ref, reason)


def _wms_ref(conn: Connection, order_no: str) -> str | None:
    value = conn.scalar(select(orders.c.wms_ref).where(orders.c.order_no == order_no))
    return None if value is None else str(value)
