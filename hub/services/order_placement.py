"""Placing an order: ONE transaction, idempotent by key (design.md "Rules that are
easy to get wrong").

The transaction prices the order and writes it (order, lines, timeline entry,
outbox row) with no lock held; then locks the dealer row, reads its exposure
and checks credit, reserves stock with conditional updates in SKU order, and
last inserts the idempotency key with its answer. Locks are taken late so they
are held for a few statements only. The key's unique index decides
between two requests with one key: the loser's insert waits for the winner's
commit, finds the key taken, rolls its own work back and answers the winner's
answer (or 409 ``idempotency_key_reused`` for another body). A refusal rolls
everything back and stores only its answer, in a second transaction, under the
same rule. Replays therefore need no read before the work: the common path is
one round trip shorter, and a replay costs one rolled-back attempt.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors import correlation
from dms_domain.credit import check_credit
from dms_domain.errors import DmsError, Refused
from dms_domain.orders import OrderStatus
from dms_domain.pricing import PricedOrder
from hub.auth.principal import Principal
from hub.db.engine import Database
from hub.db.schema import idempotency_keys, order_lines, order_timeline, orders, outbox
from hub.services.order_pricing import (
    OrderRequest,
    available_stock,
    check_active,
    lock_dealer,
    plan_stock,
    price_request,
    reserve_stock,
)

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
    """Another request holds this idempotency key: roll back, answer as it did."""


@dataclass(frozen=True, slots=True)
class _Key:
    scope: str
    key: str
    body_hash: str
    now: datetime
    ttl: timedelta


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
    key = _Key(request.dealer_code, idempotency_key, body_hash, now, key_ttl)
    for _ in range(2):  # a second round only after an expired key was cleared
        try:
            with db.transaction() as conn:
                body = _place(conn, request, principal, now=now, today=today)
                _store(conn, key, 201, body)
                return Answer(201, body)
        except _KeyTaken:
            pass
        except DmsError as exc:
            status, body = render_refusal(exc)
            try:
                with db.transaction() as conn:
                    _store(conn, key, status, body)
                    return Answer(status, body)
            except _KeyTaken:
                pass
        with db.transaction() as conn:
            stored = _stored_answer(conn, key)
        if stored is not None:
            return stored
    raise Refused("the idempotency key is busy; retry", code="idempotency_conflict", status=409)


def _store(conn: Connection, key: _Key, status: int, body: dict[str, Any]) -> None:
    values = {
        "scope": key.scope,
        "key": key.key,
        "request_hash": key.body_hash,
        "status_code": status,
        "response": body,
        "created_at": key.now,
        "expires_at": key.now + key.ttl,
    }
    statement = _STORE_KEY["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
    if conn.execute(statement, values).first() is None:
        raise _KeyTaken


# INSERT ... ON CONFLICT DO NOTHING: PostgreSQL waits for a concurrent insert of
# the same key to commit or roll back before deciding, which is what makes the
# unique index the referee between two requests with one key.
_STORE_KEY = {
    "postgresql": pg_insert(idempotency_keys)
    .on_conflict_do_nothing(index_elements=["scope", "key"])
    .returning(idempotency_keys.c.scope),
    "sqlite": sqlite_insert(idempotency_keys)
    .on_conflict_do_nothing(index_elements=["scope", "key"])
    .returning(idempotency_keys.c.scope),
}


def _stored_answer(conn: Connection, key: _Key) -> Answer | None:
    """The answer kept for the key; None if there is none or it had expired (then
    it is removed, and the request is new)."""
    where = (idempotency_keys.c.scope == key.scope, idempotency_keys.c.key == key.key)
    row = conn.execute(select(idempotency_keys).where(*where)).first()
    if row is None:
        return None
    if row.expires_at <= key.now:
        conn.execute(delete(idempotency_keys).where(*where))
        return None
    if row.request_hash != key.body_hash:
        raise Refused(
            "this Idempotency-Key was used with another request body",
            code="idempotency_key_reused",
            status=409,
        )
    return Answer(row.status_code, row.response, replayed=True)


def _place(
    conn: Connection, request: OrderRequest, principal: Principal, *, now: datetime, today: date
) -> dict[str, Any]:
    """Price and write the order first, lock late: the dealer row and the stock
    rows are held only from the credit check to the commit."""
    quote = price_request(conn, request, principal, now=now, today=today, with_exposure=False)
    dealer = quote.dealer
    priced = quote.priced
    if priced.gift_lines:
        # Drop the gifts that look short now; reservation below has the last word.
        skus = {line.sku for line in priced.lines}
        priced = plan_stock(
            request.lines, priced, available_stock(conn, quote.warehouse, skus)
        ).priced
    order_no = new_order_no(now)
    _write_order(
        conn,
        order_no,
        request,
        quote.warehouse,
        dealer.code,
        dealer.erp_system,
        priced,
        principal,
        now,
    )

    status, credit_limit, exposure = lock_dealer(conn, dealer.code)
    check_active(dealer.code, status)
    # The exposure includes this order, written above: report it as "before".
    check_credit(
        credit_limit=credit_limit, exposure=exposure - priced.total, order_total=priced.total
    )
    plan = reserve_stock(conn, quote.warehouse, request.lines, priced)
    if plan.shortages:
        raise Refused(
            "not enough stock for "
            + ", ".join(
                f"{s.sku} ({s.requested} asked, {s.available} available)" for s in plan.shortages
            ),
            code="insufficient_stock",
            status=409,
            shortages=[s.as_dict() for s in plan.shortages],
        )
    if plan.priced is not priced:  # a gift lost the race for its last units
        _drop_gift_rows(conn, order_no, priced, plan.priced)
        priced = plan.priced
    return {
        "order_no": order_no,
        "status": OrderStatus.SUBMITTED.value,
        "dealer_code": dealer.code,
        "warehouse": quote.warehouse,
        **priced.as_dict(),
        "urgent": request.urgent,
        "remark": request.remark,
        "customer_po": request.customer_po,
        "requested_date": request.requested_date.isoformat() if request.requested_date else None,
        "ship_to": dict(request.ship_to) if request.ship_to else None,
        "created_at": now.isoformat().replace("+00:00", "Z"),
    }


def _write_order(
    conn: Connection,
    order_no: str,
    request: OrderRequest,
    warehouse: str,
    dealer_code: str,
    erp_system: str | None,
    priced: PricedOrder,
    principal: Principal,
    now: datetime,
) -> None:
    """The order, its lines, its first timeline entry and its outbox row."""
    order = {
        "order_no": order_no,
        "dealer_code": dealer_code,
        "warehouse_code": warehouse,
        "status": OrderStatus.SUBMITTED.value,
        "currency": priced.currency,
        "total": priced.total,
        "tax_total": priced.tax_total,
        "invoiced_amount": 0,
        "discounts": [d.as_dict() for d in priced.discounts],
        "warnings": [w.as_dict() for w in priced.warnings],
        "urgent": request.urgent,
        "remark": request.remark,
        "customer_po": request.customer_po,
        "requested_date": request.requested_date,
        "ship_to": dict(request.ship_to) if request.ship_to else None,
        "erp_system": erp_system,
        "placed_by": principal.name,
        "created_at": now,
        "updated_at": now,
    }
    lines = [
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
    ]
    timeline = {
        "order_no": order_no,
        "at": now,
        "event": "placed",
        "from_status": None,
        "to_status": OrderStatus.SUBMITTED.value,
        "applied": True,
        "reason": "placed",
        "note": None,
        "actor": principal.name,
    }
    announcement = {
        "topic": ORDER_PLACED,
        "key": order_no,
        "payload": {"order_no": order_no},
        "priority": URGENT_PRIORITY if request.urgent else 0,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "available_at": now,
        "correlation_id": correlation.current(),
    }
    conn.execute(_INSERT_ORDER, order)
    conn.execute(_INSERT_LINES, lines)
    conn.execute(_INSERT_TIMELINE, timeline)
    conn.execute(_INSERT_OUTBOX, announcement)


def _drop_gift_rows(
    conn: Connection, order_no: str, before: PricedOrder, after: PricedOrder
) -> None:
    kept = {line.sku for line in after.gift_lines}
    dropped = [line.sku for line in before.gift_lines if line.sku not in kept]
    conn.execute(
        delete(order_lines).where(
            order_lines.c.order_no == order_no,
            order_lines.c.is_gift.is_(True),
            order_lines.c.sku.in_(dropped),
        )
    )
    conn.execute(
        update(orders)
        .where(orders.c.order_no == order_no)
        .values(
            discounts=[d.as_dict() for d in after.discounts],
            warnings=[w.as_dict() for w in after.warnings],
        )
    )


_INSERT_ORDER = insert(orders)
_INSERT_LINES = insert(order_lines)
_INSERT_TIMELINE = insert(order_timeline)
_INSERT_OUTBOX = insert(outbox)
