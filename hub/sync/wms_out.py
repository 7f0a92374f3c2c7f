"""The warehouse leg of an order: once its ERP confirmed it, the order goes to
the WMS named by ``DMS_ORDER_WMS`` (an ``order.confirmed`` outbox row, relayed
to the ``push_to_wms`` job); a cancel after that is asked of the WMS first.

Same rules as the ERP leg (``orders_out``): the job checks the order's state
before acting, holds the order's lease while it talks to the WMS, and looks
the order up there before creating it. The WMS's number is kept in
``orders.wms_ref``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update

from connectors.port import Connector
from dms_domain.errors import BusinessRejection, TransientError
from dms_domain.exchange import CancelStatus
from dms_domain.orders import OrderStatus
from hub.db.engine import Database
from hub.db.schema import orders
from hub.services.alerts import SYNC_FAILURE, raise_alert
from hub.sync.orders_out import LEASE, Lease, cancel_in_wms, canonical_order

# Past these the goods are on their way (or the order is over): nothing to put.
_NOT_PUT = frozenset(
    {
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.INVOICED,
        OrderStatus.CLOSED,
        OrderStatus.REJECTED,
    }
)


class CancelPending(TransientError):
    """The order waits for its cancel's answer: put it once that is known."""


def put_order(
    db: Database,
    connectors: Mapping[str, Connector],
    order_no: str,
    *,
    wms: str | None,
    now: datetime,
    lease: timedelta = LEASE,
) -> str:
    """Put one confirmed order to the WMS. Returns what happened, for the job log."""
    if wms is None or wms not in connectors:
        return "no WMS"
    connector = connectors[wms]
    with db.read() as conn:
        order = conn.execute(select(orders).where(orders.c.order_no == order_no)).first()
        if order is None:
            return "unknown order"
        canonical = canonical_order(conn, order)
    with Lease(db, order_no, now, lease):
        with db.read() as conn:
            current = conn.execute(
                select(orders.c.status, orders.c.wms_ref).where(orders.c.order_no == order_no)
            ).one()
        skipped = _not_now(connector, order_no, OrderStatus(current.status), current.wms_ref)
        if skipped is not None:
            return skipped
        try:
            result = connector.find_order(order_no) or connector.push_order(canonical)
        except BusinessRejection as exc:
            with db.transaction() as conn:
                raise_alert(
                    conn,
                    kind=SYNC_FAILURE,
                    subject=f"order:{order_no}",
                    message=f"the warehouse ({wms}) refused order {order_no}: "
                    f"{exc.code}: {exc.detail}",
                    details={"order_no": order_no, "wms": wms, "code": exc.code},
                    dealer_code=order.dealer_code,
                    now=now,
                )
            return "refused by the WMS"
        with db.transaction() as conn:
            conn.execute(
                update(orders)
                .where(orders.c.order_no == order_no)
                .values(wms_ref=result.erp_ref, updated_at=now)
            )
        return f"put as {result.erp_ref}"


def _not_now(
    connector: Connector, order_no: str, status: OrderStatus, wms_ref: str | None
) -> str | None:
    """Why the order is not to be put now (None: put it)."""
    if wms_ref:
        return f"already in the WMS as {wms_ref}"
    if status is OrderStatus.CANCEL_REQUESTED:
        raise CancelPending(f"order {order_no}: a cancel is pending; put it after")
    if status is OrderStatus.CANCELLED:
        found = connector.find_order(order_no)
        if found is not None:
            connector.cancel_order(order_no, found.erp_ref, "cancelled in the hub")
        return "cancelled before it was put"
    if status in _NOT_PUT or status is OrderStatus.SUBMITTED:
        return f"not put: order is {status.value}"
    return None


def cancel_cancelled(
    db: Database,
    connectors: Mapping[str, Connector],
    order_no: str,
    *,
    wms: str | None,
    now: datetime,
    lease: timedelta = LEASE,
) -> str:
    """An order cancelled in the hub that the WMS holds: cancel it there too."""
    if wms is None or wms not in connectors:
        return "no WMS"
    connector = connectors[wms]
    with Lease(db, order_no, now, lease):
        with db.read() as conn:
            order = conn.execute(select(orders).where(orders.c.order_no == order_no)).first()
        if order is None or order.status != OrderStatus.CANCELLED.value:
            return "not cancelled"
        answer = cancel_in_wms(db, connector, order_no, "cancelled in the hub")
    if answer.status is CancelStatus.REFUSED:
        with db.transaction() as conn:
            raise_alert(
                conn,
                kind=SYNC_FAILURE,
                subject=f"order:{order_no}",
                message=f"order {order_no} is cancelled but the warehouse ({wms}) will not "
                f"cancel it: {answer.reason}",
                dealer_code=order.dealer_code,
                now=now,
            )
    return answer.status.value
