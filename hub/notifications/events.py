"""Events for dealers' systems: queued in the transaction of the change they announce.

``notify`` writes one delivery row per active subscription that wants the kind
and may see the dealer it is about; the sender posts them later. Queuing in the
caller's transaction means an event exists if and only if its change committed,
and no HTTP call ever runs while the change's locks are held.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.db.schema import webhook_deliveries, webhook_subscriptions
from hub.jsonable import jsonable


class EventKind(StrEnum):
    """What a subscription may ask for."""

    ORDER_STATUS_CHANGED = "order.status_changed"
    ALERT_OPENED = "alert.opened"
    ALERT_RESOLVED = "alert.resolved"
    PAYMENT_REMINDER = "payment.reminder"


# Not subscribable: sent only by POST /webhook-subscriptions/{id}/test, to that one.
PING = "ping"


def envelope(
    kind: str,
    event_id: str,
    dealer_code: str | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The body every delivery sends: the event's id (receivers deduplicate on
    it, delivery is at least once), kind, time, dealer and its data."""
    return {
        "id": event_id,
        "kind": kind,
        "occurred_at": now.isoformat(),
        "dealer_code": dealer_code,
        "data": jsonable(dict(payload)),
    }


def _wants(kind: EventKind, alert_kind: str | None, events: Any, alert_kinds: Any) -> bool:
    """A subscription wants the event kind, and for an alert its alert kind
    (no ``alert_kinds``: every kind)."""
    if kind.value not in events:
        return False
    return alert_kind is None or alert_kinds is None or alert_kind in alert_kinds


def notify(
    conn: Connection,
    kind: EventKind,
    subject_dealer_code: str | None,
    event_id: str,
    payload: Mapping[str, Any],
    now: datetime,
    *,
    alert_kind: str | None = None,
) -> int:
    """Queue an event for its audience, inside the caller's transaction.

    A dealer's subscription hears only about its own dealer; a hub-wide one
    hears about every dealer and about events of no dealer. The same
    ``event_id`` is queued once per subscription, however often it is notified.
    Returns how many deliveries were queued.
    """
    subscriptions = webhook_subscriptions.c
    audience: ColumnElement[bool] = subscriptions.dealer_code.is_(None)
    if subject_dealer_code is not None:
        audience = audience | (subscriptions.dealer_code == subject_dealer_code)
    rows = conn.execute(
        select(subscriptions.id, subscriptions.events, subscriptions.alert_kinds).where(
            subscriptions.active.is_(True), audience
        )
    )
    targets = [row.id for row in rows if _wants(kind, alert_kind, row.events, row.alert_kinds)]
    body = envelope(kind.value, event_id, subject_dealer_code, payload, now)
    return _queue(conn, targets, kind.value, event_id, body, now)


def notify_many(
    conn: Connection,
    kind: EventKind,
    events: Sequence[tuple[str | None, str, Mapping[str, Any]]],
    now: datetime,
    *,
    alert_kind: str | None = None,
) -> int:
    """``notify`` for many events of one kind at once: (dealer code, event id,
    payload) each. Reads the subscriptions once, so an evaluation that opens
    thousands of alerts does not ask the database thousands of times."""
    if not events:
        return 0
    subscriptions = webhook_subscriptions.c
    wanting = [
        (row.id, row.dealer_code)
        for row in conn.execute(
            select(
                subscriptions.id,
                subscriptions.dealer_code,
                subscriptions.events,
                subscriptions.alert_kinds,
            ).where(subscriptions.active.is_(True))
        )
        if _wants(kind, alert_kind, row.events, row.alert_kinds)
    ]
    queued = 0
    for dealer_code, event_id, payload in events:
        targets = [sid for sid, owner in wanting if owner is None or owner == dealer_code]
        if targets:
            body = envelope(kind.value, event_id, dealer_code, payload, now)
            queued += _queue(conn, targets, kind.value, event_id, body, now)
    return queued


def queue_ping(
    conn: Connection, subscription_id: int, dealer_code: str | None, now: datetime
) -> str:
    """Queue a ``ping`` for one subscription; returns its event id."""
    event_id = f"ping:{uuid.uuid4().hex}"
    body = envelope(
        PING,
        event_id,
        dealer_code,
        {"subscription_id": subscription_id, "message": "a test event asked for through the API"},
        now,
    )
    _queue(conn, [subscription_id], PING, event_id, body, now)
    return event_id


def _queue(
    conn: Connection,
    subscription_ids: Sequence[int],
    kind: str,
    event_id: str,
    body: dict[str, Any],
    now: datetime,
) -> int:
    if not subscription_ids:
        return 0
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "subscription_id": subscription_id,
            "event_kind": kind,
            "event_id": event_id,
            "payload": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for subscription_id in subscription_ids
    ]
    # RETURNING counts the rows that were new (rowcount is not reliable across drivers).
    statement = (
        insert_(webhook_deliveries)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
        .returning(webhook_deliveries.c.id)
    )
    return len(conn.execute(statement).all())
