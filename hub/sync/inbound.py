"""Applying inbound records from ERPs and the WMS to the hub, idempotently.

Every function runs inside the caller's transaction, returns what it did
("applied", "stale", "duplicate", "ignored"), and raises ``BadRecord`` (naming
the field and the value) for a record it cannot apply, which the caller
quarantines while the records behind it go on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from connectors import correlation
from dms_domain.errors import BadRecord, FieldError
from dms_domain.exchange import (
    CreditNoteIn,
    ErpOrderEvent,
    InvoiceIn,
    OrderEventIn,
    PaymentIn,
    ShipmentIn,
    StockSnapshotIn,
)
from dms_domain.orders import OrderEvent, OrderStatus, apply_event
from hub.db.schema import (
    credit_notes,
    dealers,
    invoices,
    order_lines,
    orders,
    outbox,
    payments,
    shipment_lines,
    shipments,
    stock,
)
from hub.services.alerts import SYNC_FAILURE, raise_alert
from hub.services.ledger import settle_dealer
from hub.services.order_placement import ORDER_PLACED
from hub.services.order_queries import record_transition, release_reservation
from hub.sync.versions import claim_version

log = logging.getLogger(__name__)
ORDER_CONFIRMED = "order.confirmed"
ORDER_CANCELLED = "order.cancelled"

_ERP_EVENTS = {
    ErpOrderEvent.CONFIRMED: OrderEvent.CONFIRMED,
    ErpOrderEvent.REJECTED: OrderEvent.REJECTED,
    ErpOrderEvent.CLOSED: OrderEvent.CLOSED,
}


def bad(entity: str, key: str, field: str, value: Any, why: str) -> BadRecord:
    return BadRecord(
        f"{entity} {key}: {field} {value!r} {why}", [FieldError(field, f"{value!r} {why}")]
    )


def _order(conn: Connection, order_no: str, entity: str, key: str) -> Any:
    row = conn.execute(
        select(orders).where(orders.c.order_no == order_no).with_for_update()
    ).first()
    if row is None:
        raise bad(entity, key, "order_no", order_no, "is not an order of the hub")
    return row


def order_event(
    conn: Connection,
    order_no: str,
    event: OrderEvent,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    erp_ref: str | None = None,
) -> str:
    """Apply one lifecycle event to an order, with what follows from it:
    a rejection or a cancellation releases the reservation and a rejection
    raises an alert. Out-of-order events are recorded and ignored."""
    order = _order(conn, order_no, "order event", order_no)
    transition = apply_event(OrderStatus(order.status), event, note=note)
    # Before the transition, so its order.status_changed event carries the ERP reference.
    # A confirmation names the ERP's document for good: an ERP that answered a push
    # with a provisional reference (a staging row) names its own document number here.
    if (
        erp_ref
        and erp_ref != order.erp_ref
        and (not order.erp_ref or event is OrderEvent.CONFIRMED)
    ):
        conn.execute(update(orders).where(orders.c.order_no == order_no).values(erp_ref=erp_ref))
    record_transition(conn, order_no, transition, actor=actor, now=now, note=note)
    # Logged under the id of the request that placed the order: its trail
    # runs from the dealer's request to the ERP's answer.
    with correlation.bound(_placed_under(conn, order_no) or correlation.current()):
        log.info(
            "order %s: %s from %s: %s -> %s%s",
            order_no,
            event.value,
            actor,
            order.status,
            transition.status.value,
            "" if transition.applied else " (ignored)",
        )
    if not transition.applied:
        return "ignored"
    if transition.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
        release_reservation(conn, order_no, order.warehouse_code)
    if transition.previous is OrderStatus.SUBMITTED and transition.status is OrderStatus.CONFIRMED:
        # The warehouse leg (DMS_ORDER_WMS) follows the ERP's yes; the relay
        # drops the event at once where no WMS is configured.
        _announce(conn, ORDER_CONFIRMED, order, now)
    if transition.status is OrderStatus.CANCELLED and order.wms_ref:
        # The warehouse must not ship it. A dealer's cancel asked it already (a
        # repeat is harmless); an ERP's own cancel did not.
        _announce(conn, ORDER_CANCELLED, order, now)
    if transition.status is OrderStatus.REJECTED:
        conn.execute(update(orders).where(orders.c.order_no == order_no).values(reject_reason=note))
        raise_alert(
            conn,
            kind=SYNC_FAILURE,
            subject=f"order:{order_no}",
            message=f"order {order_no} was rejected by the ERP: {note or 'no reason given'}",
            details={"order_no": order_no, "reason": note},
            dealer_code=order.dealer_code,
            now=now,
        )
    return "applied"


def _placed_under(conn: Connection, order_no: str) -> str | None:
    """The correlation id of the request that placed the order (while its
    outbox row is kept: retention purges done rows after a while)."""
    found: str | None = conn.scalar(
        select(outbox.c.correlation_id)
        .where(outbox.c.key == order_no, outbox.c.topic == ORDER_PLACED)
        .limit(1)
    )
    return found


def _announce(conn: Connection, topic: str, order: Any, now: datetime) -> None:
    conn.execute(
        insert(outbox).values(
            topic=topic,
            key=order.order_no,
            payload={"order_no": order.order_no},
            priority=10 if order.urgent else 0,
            status="pending",
            attempts=0,
            created_at=now,
            available_at=now,
        )
    )


def apply_order_event(conn: Connection, record: OrderEventIn, now: datetime) -> str:
    if not claim_version(conn, record.source, "order_event", record.key, record.version, now):
        return "stale"
    if record.event is ErpOrderEvent.CANCELLED:
        event = OrderEvent.CANCEL_ACCEPTED
        order = _order(conn, record.order_no, "order event", record.key)
        if order.status == OrderStatus.CONFIRMED.value:
            # The ERP cancelled on its own: treat it as a cancel asked and accepted.
            order_event(
                conn,
                record.order_no,
                OrderEvent.CANCEL_REQUESTED,
                actor=record.source,
                now=now,
                note=record.reason,
            )
    elif record.event is ErpOrderEvent.CANCEL_REFUSED:
        event = OrderEvent.CANCEL_DECLINED
    else:
        event = _ERP_EVENTS[record.event]
    return order_event(
        conn,
        record.order_no,
        event,
        actor=record.source,
        now=now,
        note=record.reason,
        erp_ref=record.erp_ref,
    )


def apply_shipment(conn: Connection, record: ShipmentIn, now: datetime) -> str:
    """A shipment turns reserved units into an on-hand decrease and moves the
    order to partially shipped or shipped. Shipments are immutable: the same
    shipment number again changes nothing."""
    if not claim_version(conn, record.source, "shipment", record.key, record.version, now):
        return "stale"
    order = _order(conn, record.order_no, "shipment", record.shipment_no)
    exists = conn.scalar(
        select(shipments.c.shipment_no).where(shipments.c.shipment_no == record.shipment_no)
    )
    if exists is not None:
        return "duplicate"
    lines = list(
        conn.execute(
            select(order_lines)
            .where(order_lines.c.order_no == record.order_no)
            .order_by(order_lines.c.is_gift, order_lines.c.line_no)
        )
    )
    ordered_skus = {line.sku for line in lines}
    for index, line in enumerate(record.lines):
        if line.sku not in ordered_skus:
            raise bad(
                "shipment",
                record.shipment_no,
                f"lines[{index}].sku",
                line.sku,
                f"is not on order {record.order_no}",
            )
        if line.qty <= 0:
            raise bad(
                "shipment",
                record.shipment_no,
                f"lines[{index}].qty",
                line.qty,
                "must be a positive quantity",
            )
    conn.execute(
        insert(shipments).values(
            shipment_no=record.shipment_no,
            order_no=record.order_no,
            tracking_no=record.tracking_no,
            carrier=record.carrier,
            shipped_at=record.shipped_at,
            source=record.source,
            recorded_at=now,
        )
    )
    conn.execute(
        insert(shipment_lines),
        [
            {"shipment_no": record.shipment_no, "line_no": n, "sku": line.sku, "qty": line.qty}
            for n, line in enumerate(record.lines, start=1)
        ],
    )
    # Spread each shipped quantity over the order's lines of that SKU (ordered
    # lines before gifts); what was reserved for them is released as it leaves.
    shipped: dict[str, int] = defaultdict(int)
    for line in record.lines:
        shipped[line.sku] += line.qty
    released: dict[str, int] = defaultdict(int)
    open_order = order.status not in (OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value)
    for order_line in lines:
        take = min(shipped[order_line.sku], order_line.qty - order_line.shipped_qty)
        if take <= 0:
            continue
        shipped[order_line.sku] -= take
        if open_order:
            released[order_line.sku] += take
        conn.execute(
            update(order_lines)
            .where(
                order_lines.c.order_no == record.order_no,
                order_lines.c.line_no == order_line.line_no,
            )
            .values(shipped_qty=order_lines.c.shipped_qty + take)
        )
    moved: dict[str, int] = defaultdict(int)
    for line in record.lines:
        moved[line.sku] += line.qty
    for sku in sorted(moved):  # SKU order, as everywhere stock rows are locked
        conn.execute(
            update(stock)
            .where(stock.c.warehouse_code == order.warehouse_code, stock.c.sku == sku)
            .values(
                on_hand=case(
                    (stock.c.on_hand >= moved[sku], stock.c.on_hand - moved[sku]), else_=0
                ),
                reserved=case(
                    (stock.c.reserved >= released[sku], stock.c.reserved - released[sku]),
                    else_=0,
                ),
                updated_at=now,
            )
        )
    remaining = conn.scalar(
        select(func.count()).where(
            order_lines.c.order_no == record.order_no, order_lines.c.shipped_qty < order_lines.c.qty
        )
    )
    event = OrderEvent.SHIPPED if remaining == 0 else OrderEvent.PARTIALLY_SHIPPED
    note = f"shipment {record.shipment_no}" + (
        f", tracking {record.tracking_no}" if record.tracking_no else ""
    )
    order_event(conn, record.order_no, event, actor=record.source, now=now, note=note)
    if not open_order:
        raise_alert(
            conn,
            kind=SYNC_FAILURE,
            subject=f"order:{record.order_no}",
            message=f"shipment {record.shipment_no} arrived for {order.status} order "
            f"{record.order_no}: stock was decreased, check with the warehouse",
            dealer_code=order.dealer_code,
            now=now,
        )
    return "applied"


def snapshot_on_hand(conn: Connection, record: StockSnapshotIn) -> int:
    """The on-hand a snapshot implies now: its quantity minus the hub's shipments
    shipped after its ``as_of`` (the ones before are in the snapshot already)."""
    shipped_after = conn.scalar(
        select(func.coalesce(func.sum(shipment_lines.c.qty), 0))
        .select_from(
            shipment_lines.join(
                shipments, shipments.c.shipment_no == shipment_lines.c.shipment_no
            ).join(orders, orders.c.order_no == shipments.c.order_no)
        )
        .where(
            orders.c.warehouse_code == record.warehouse,
            shipment_lines.c.sku == record.sku,
            shipments.c.shipped_at > record.as_of,
        )
    )
    return max(record.qty_on_hand - int(shipped_after or 0), 0)


def apply_stock_snapshot(conn: Connection, record: StockSnapshotIn, now: datetime) -> str:
    """On-hand from a snapshot taken at ``as_of``. It already reflects shipments
    made before ``as_of``; the hub's shipments made after it are subtracted, so a
    late snapshot never undoes a shipment. An older snapshot is ignored."""
    row = conn.execute(
        select(stock.c.snapshot_as_of)
        .where(stock.c.warehouse_code == record.warehouse, stock.c.sku == record.sku)
        .with_for_update()
    ).first()
    if row is None:
        raise bad(
            "stock",
            record.key,
            "warehouse/sku",
            f"{record.warehouse}/{record.sku}",
            "has no stock row in the hub (unknown warehouse or SKU)",
        )
    if row.snapshot_as_of is not None and record.as_of <= row.snapshot_as_of:
        return "stale"
    if record.qty_on_hand < 0:
        raise bad("stock", record.key, "qty_on_hand", record.qty_on_hand, "must not be negative")
    conn.execute(
        update(stock)
        .where(stock.c.warehouse_code == record.warehouse, stock.c.sku == record.sku)
        .values(
            on_hand=snapshot_on_hand(conn, record),
            snapshot_as_of=record.as_of,
            snapshot_source=record.source,
            updated_at=now,
        )
    )
    return "applied"


def _dealer(conn: Connection, code: str, entity: str, key: str) -> None:
    if conn.scalar(select(dealers.c.code).where(dealers.c.code == code)) is None:
        raise bad(entity, key, "dealer_code", code, "is not a dealer of the hub")


def apply_invoice(conn: Connection, record: InvoiceIn, now: datetime) -> str:
    if not claim_version(conn, record.source, "invoice", record.key, record.version, now):
        return "stale"
    _dealer(conn, record.dealer_code, "invoice", record.invoice_no)
    _not_negative(record.amount, "invoice", record.invoice_no)
    if record.order_no is not None:
        order = _order(conn, record.order_no, "invoice", record.invoice_no)
        if order.dealer_code != record.dealer_code:
            raise bad(
                "invoice",
                record.invoice_no,
                "order_no",
                record.order_no,
                f"is an order of another dealer than {record.dealer_code}",
            )
    before = _owner(conn, invoices.c.dealer_code, invoices.c.invoice_no, record.invoice_no)
    values = {
        "order_no": record.order_no,
        "dealer_code": record.dealer_code,
        "invoice_date": record.invoice_date,
        "due_date": record.due_date,
        "amount": record.amount,
        "tax_amount": record.tax_amount,
        "currency": record.currency,
        "source": record.source,
        "recorded_at": now,
    }
    _upsert(conn, invoices, invoices.c.invoice_no, record.invoice_no, values)
    _settle(conn, record.dealer_code, before)
    if record.order_no is not None:
        invoiced = conn.scalar(
            select(func.coalesce(func.sum(invoices.c.amount), 0)).where(
                invoices.c.order_no == record.order_no
            )
        )
        order = conn.execute(
            update(orders)
            .where(orders.c.order_no == record.order_no)
            .values(invoiced_amount=invoiced, updated_at=now)
            .returning(orders.c.total, orders.c.invoiced_amount)
        ).one()
        if order.invoiced_amount >= order.total:
            order_event(
                conn,
                record.order_no,
                OrderEvent.INVOICED,
                actor=record.source,
                now=now,
                note=f"invoice {record.invoice_no}",
            )
    return "applied"


def apply_credit_note(conn: Connection, record: CreditNoteIn, now: datetime) -> str:
    if not claim_version(conn, record.source, "credit_note", record.key, record.version, now):
        return "stale"
    _dealer(conn, record.dealer_code, "credit note", record.credit_note_no)
    _positive(record.amount, "credit note", record.credit_note_no)
    before = _owner(
        conn, credit_notes.c.dealer_code, credit_notes.c.credit_note_no, record.credit_note_no
    )
    values = {
        "invoice_no": record.invoice_no,
        "dealer_code": record.dealer_code,
        "issued_at": record.issued_at,
        "amount": record.amount,
        "reason": record.reason,
        "source": record.source,
        "recorded_at": now,
    }
    _upsert(conn, credit_notes, credit_notes.c.credit_note_no, record.credit_note_no, values)
    _settle(conn, record.dealer_code, before)
    return "applied"


def apply_payment(conn: Connection, record: PaymentIn, now: datetime) -> str:
    if not claim_version(conn, record.source, "payment", record.key, record.version, now):
        return "stale"
    _dealer(conn, record.dealer_code, "payment", record.payment_no)
    _positive(record.amount, "payment", record.payment_no)
    before = _owner(conn, payments.c.dealer_code, payments.c.payment_no, record.payment_no)
    values = {
        "dealer_code": record.dealer_code,
        "paid_at": record.paid_at,
        "amount": record.amount,
        "currency": record.currency,
        "invoice_no": record.invoice_no,
        "source": record.source,
        "recorded_at": now,
    }
    _upsert(conn, payments, payments.c.payment_no, record.payment_no, values)
    _settle(conn, record.dealer_code, before)
    return "applied"


def _not_negative(amount: Decimal, entity: str, key: str) -> None:
    if amount < 0:
        raise bad(entity, key, "amount", str(amount), "must not be negative")


def _positive(amount: Decimal, entity: str, key: str) -> None:
    # A refund is not a negative payment: the ERP sends it as an invoice or credit note.
    if amount <= 0:
        raise bad(entity, key, "amount", str(amount), "must be positive")


def _owner(conn: Connection, dealer_column: Any, key_column: Any, key: str) -> str | None:
    """The dealer a document belonged to before this change (None: it is new)."""
    owner: str | None = conn.scalar(select(dealer_column).where(key_column == key))
    return owner


def _settle(conn: Connection, dealer_code: str, previous_owner: str | None) -> None:
    """Re-settle the dealer's ledger (and the old owner's, if the document moved)."""
    for code in sorted({dealer_code, previous_owner or dealer_code}):
        settle_dealer(conn, code)


def _upsert(
    conn: Connection, table: Any, key_column: Any, key: str, values: dict[str, Any]
) -> None:
    updated = conn.execute(update(table).where(key_column == key).values(**values))
    if updated.rowcount == 0:
        conn.execute(insert(table).values({key_column.key: key, **values}))
