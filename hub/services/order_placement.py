"""Placing an order: ONE transaction, idempotent by key (design.md "Rules that are
easy to get wrong").

In the transaction: claim the idempotency key (a unique index decides between
two requests with one key), lock the dealer row and compute its exposure,
price, check credit, lock and reserve stock in SKU order, write the order, its
lines, its timeline entry and an outbox row. A refusal rolls back to a
savepoint taken after the key was claimed, so it leaves no trace but the stored
answer, which the same key and body get again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from dms_domain.credit import check_credit
from dms_domain.errors import DmsError, Refused
from dms_domain.orders import OrderStatus
from hub.auth.principal import Principal
from hub.db.engine import Database
from hub.db.schema import idempotency_keys, order_lines, order_timeline, orders, outbox, stock
from hub.services.order_pricing import OrderRequest, PreparedOrder, prepare_order

ORDER_PLACED = "order.placed"
URGENT_PRIORITY = 10
# Crockford's base32 without I, L, O, U: order numbers are read over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

RenderRefusal = Callable[[DmsError], tuple[int, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def request_hash(parsed_body: Any) -> str:
    """Requests are compared as parsed JSON: key order and spacing do not matter."""
    canonical = json.dumps(parsed_body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_order_no(now: datetime) -> str:
    """SO + yymmdd + 8 random base32 characters: unique without a shared counter
    (the primary key catches the one-in-10^12 clash), and 16 characters, which
    fits SAP's PURCH_NO_C and Kingdee's FBillNo."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"SO{now:%y%m%d}{suffix}"


class _KeyTaken(Exception):
    """Another request holds (or held) this idempotency key."""


def place_order(
    db: Database,
    request: OrderRequest,
    principal: Principal,
    *,
    idempotency_key: str,
    body_hash: str,
    now: datetime,
    today: date,
    key_ttl: timedelta,
    render_refusal: RenderRefusal,
) -> Answer:
    scope = request.dealer_code
    try:
        with db.transaction() as conn:
            stored = _stored_answer(conn, scope, idempotency_key, body_hash, now)
            if stored is not None:
                return stored
            _claim_key(conn, scope, idempotency_key, body_hash, now, key_ttl)
            savepoint = conn.begin_nested()
            try:
                status, body = 201, _place(conn, request, principal, now=now, today=today)
                savepoint.commit()
            except DmsError as exc:
                savepoint.rollback()
                status, body = render_refusal(exc)
            conn.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == idempotency_key)
                .values(status_code=status, response=body)
            )
            return Answer(status, body)
    except _KeyTaken:
        # The winner has committed (its insert blocked ours until then): read its answer.
        with db.transaction() as conn:
            stored = _stored_answer(conn, scope, idempotency_key, body_hash, now)
        if stored is None:  # pragma: no cover - the winner's row vanished: a purge raced us
            raise Refused("retry the request", code="idempotency_conflict", status=409) from None
        return stored


def _stored_answer(
    conn: Connection, scope: str, key: str, body_hash: str, now: datetime
) -> Answer | None:
    row = conn.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
        )
    ).first()
    if row is None:
        return None
    if row.expires_at <= now:
        conn.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
            )
        )
        return None
    if row.request_hash != body_hash:
        raise Refused(
            "this Idempotency-Key was used with another request body",
            code="idempotency_key_reused",
            status=409,
        )
    return Answer(row.status_code, row.response, replayed=True)


def _claim_key(
    conn: Connection, scope: str, key: str, body_hash: str, now: datetime, ttl: timedelta
) -> None:
    try:
        with conn.begin_nested():
            conn.execute(
                insert(idempotency_keys).values(
                    scope=scope,
                    key=key,
                    request_hash=body_hash,
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
    except IntegrityError as exc:
        raise _KeyTaken from exc


def _place(
    conn: Connection, request: OrderRequest, principal: Principal, *, now: datetime, today: date
) -> dict[str, Any]:
    prepared = prepare_order(conn, request, principal, now=now, today=today, lock=True)
    dealer, priced = prepared.dealer, prepared.priced
    check_credit(
        credit_limit=dealer.credit_limit, exposure=dealer.exposure, order_total=priced.total
    )
    if prepared.shortages:
        raise Refused(
            "not enough stock for "
            + ", ".join(
                f"{s.sku} ({s.requested} asked, {s.available} available)"
                for s in prepared.shortages
            ),
            code="insufficient_stock",
            status=409,
            shortages=[s.as_dict() for s in prepared.shortages],
        )
    _reserve(conn, prepared)
    order_no = new_order_no(now)
    conn.execute(
        insert(orders).values(
            order_no=order_no,
            dealer_code=dealer.code,
            warehouse_code=prepared.warehouse,
            status=OrderStatus.SUBMITTED.value,
            currency=priced.currency,
            total=priced.total,
            tax_total=priced.tax_total,
            invoiced_amount=0,
            discounts=[d.as_dict() for d in priced.discounts],
            warnings=[w.as_dict() for w in priced.warnings],
            urgent=request.urgent,
            remark=request.remark,
            customer_po=request.customer_po,
            requested_date=request.requested_date,
            ship_to=dict(request.ship_to) if request.ship_to else None,
            erp_system=dealer.erp_system,
            placed_by=principal.name,
            created_at=now,
            updated_at=now,
        )
    )
    conn.execute(
        insert(order_lines),
        [
            {
                "order_no": order_no,
                "line_no": number,
                "sku": line.sku,
                "qty": line.qty,
                "unit_price": line.unit_price,
                "list_amount": line.list_amount,
                "amount": line.amount,
                "tax_rate": line.tax_rate,
                "tax_amount": line.tax_amount,
                "is_gift": line.is_gift,
                "price_trace": [entry.as_dict() for entry in line.price_trace],
                "shipped_qty": 0,
            }
            for number, line in enumerate(priced.lines, start=1)
        ],
    )
    conn.execute(
        insert(order_timeline).values(
            order_no=order_no,
            at=now,
            event="placed",
            from_status=None,
            to_status=OrderStatus.SUBMITTED.value,
            applied=True,
            reason="placed",
            actor=principal.name,
        )
    )
    conn.execute(
        insert(outbox).values(
            topic=ORDER_PLACED,
            key=order_no,
            payload={"order_no": order_no},
            priority=URGENT_PRIORITY if request.urgent else 0,
            status="pending",
            attempts=0,
            created_at=now,
            available_at=now,
        )
    )
    return {
        "order_no": order_no,
        "status": OrderStatus.SUBMITTED.value,
        "dealer_code": dealer.code,
        "warehouse": prepared.warehouse,
        **priced.as_dict(),
        "urgent": request.urgent,
        "remark": request.remark,
        "customer_po": request.customer_po,
        "requested_date": request.requested_date.isoformat() if request.requested_date else None,
        "ship_to": dict(request.ship_to) if request.ship_to else None,
        "created_at": now.isoformat().replace("+00:00", "Z"),
    }


def _reserve(conn: Connection, prepared: PreparedOrder) -> None:
    """Conditional updates in SKU order: never below zero, even if a lock was missed."""
    params = [
        {"w": prepared.warehouse, "s": sku, "q": qty}
        for sku, qty in sorted(prepared.reservations.items())
    ]
    statement = (
        update(stock)
        .where(
            stock.c.warehouse_code == bindparam("w"),
            stock.c.sku == bindparam("s"),
            stock.c.on_hand - stock.c.reserved >= bindparam("q"),
        )
        .values(reserved=stock.c.reserved + bindparam("q"))
    )
    for param in params:
        if conn.execute(statement, param).rowcount != 1:
            # The rows are locked, so this means the lock was not honoured: refuse
            # rather than oversell.
            raise Refused(
                f"stock of {param['s']} changed while the order was placed; retry",
                code="insufficient_stock",
                status=409,
                shortages=[],
            )
