"""Shipment confirmations a system pushes to the hub (a WMS's confirmSOData).

The connector checks the message (signature, clock) and reads it; this module
records every message in ``inbound_messages`` and applies the shipments once:

- refused (bad signature, stale timestamp, unreadable): recorded with the
  reason, nothing applied; it does not hold its message id;
- taken: its id is taken, each shipment applied in its own savepoint through
  the same path as pulled ones (``inbound.apply_shipment``), a bad one
  quarantined while the rest go on; the answer is stored with it;
- the same message id again: the stored answer, nothing applied. Two copies
  at once: the unique index lets one in; the other waits for it, then reads
  its answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from connectors.port import PushRefused, ShipmentPushReceiver
from dms_domain.errors import BadRecord
from dms_domain.exchange import Rejected
from hub.db.engine import Database
from hub.db.schema import inbound_messages
from hub.sync.inbound import apply_shipment
from hub.sync.pulls import quarantine_record

SHIPMENTS = "shipments"
TAKEN = "accepted"
REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class PushOutcome:
    status: int  # HTTP status of the answer
    answer: dict[str, Any]  # in the system's own shape
    refusal: PushRefused | None = None
    replayed: bool = False


def _stored(conn: Connection, connector: str, message_id: str) -> PushOutcome | None:
    row = conn.execute(
        select(inbound_messages.c.http_status, inbound_messages.c.answer).where(
            inbound_messages.c.connector == connector,
            inbound_messages.c.message_id == message_id,
            inbound_messages.c.status == TAKEN,
        )
    ).first()
    return None if row is None else PushOutcome(row.http_status, dict(row.answer), replayed=True)


def receive_shipments(
    db: Database,
    receiver: ShipmentPushReceiver,
    fields: dict[str, str],
    now: datetime,
) -> PushOutcome:
    method = str(fields.get("method") or "?")[:64]
    try:
        message = receiver.read_pushed_shipments(fields, now)
    except PushRefused as refusal:
        status = 401 if refusal.code == "S001" else 422
        answer = receiver.push_refusal(refusal)
        with db.transaction() as conn:
            conn.execute(
                insert(inbound_messages).values(
                    connector=receiver.name,
                    message_id=str(fields.get("messageid") or "?")[:128],
                    method=method,
                    status=REFUSED,
                    http_status=status,
                    answer=answer,
                    reason=refusal.detail[:2000],
                    received_at=now,
                )
            )
        return PushOutcome(status, answer, refusal)
    message_id = message.message_id[:128]
    try:
        with db.transaction() as conn:
            stored = _stored(conn, receiver.name, message_id)
            if stored is not None:
                return stored
            row_id = conn.execute(
                insert(inbound_messages)
                .values(
                    connector=receiver.name,
                    message_id=message_id,
                    method=method,
                    status=TAKEN,
                    http_status=200,
                    answer={},
                    received_at=now,
                )
                .returning(inbound_messages.c.id)
            ).scalar_one()
            applied, failed = _apply(conn, receiver, message.shipments.items, now)
            for rejected in message.shipments.rejected:
                quarantine_record(conn, rejected, now)
                failed[rejected.key] = rejected.reason
            answer = receiver.push_answer(applied, failed)
            conn.execute(
                update(inbound_messages)
                .where(inbound_messages.c.id == row_id)
                .values(answer=answer)
            )
        return PushOutcome(200, answer)
    except IntegrityError:
        # Another copy of this message was taken meanwhile: answer as it was answered.
        with db.read() as conn:
            stored = _stored(conn, receiver.name, message_id)
        if stored is None:
            raise
        return stored


def _apply(
    conn: Connection, receiver: ShipmentPushReceiver, items: list[Any], now: datetime
) -> tuple[list[str], dict[str, str]]:
    applied: list[str] = []
    failed: dict[str, str] = {}
    for item in items:
        try:
            with conn.begin_nested():
                apply_shipment(conn, item, now)
        except BadRecord as exc:
            quarantine_record(
                conn, Rejected(receiver.name, SHIPMENTS, item.key, exc.detail, raw=item), now
            )
            failed[item.key] = exc.detail
            continue
        applied.append(item.key)
    return applied, failed
