"""The outbox relay: hands pending rows to the job queue, re-sends lost ones.

A row is marked done only when its job has finished. Dispatching pushes its
``available_at`` forward by the redispatch timeout (doubling with each
dispatch, see ``redispatch_delay``): if the broker loses the message (Redis
keeps nothing on disk here) or a worker dies mid-job, the row becomes due
again and is sent again. Every job is idempotent, so a second
delivery is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from hub.db.schema import outbox

REDISPATCH_AFTER = timedelta(minutes=2)
MAX_DOUBLINGS = 5


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    topic: str
    key: str
    payload: dict[str, Any]
    priority: int
    attempts: int
    correlation_id: str | None


def claim_due(
    conn: Connection,
    now: datetime,
    limit: int = 500,
    *,
    redispatch_after: timedelta = REDISPATCH_AFTER,
) -> list[OutboxRow]:
    query = (
        select(
            outbox.c.id,
            outbox.c.topic,
            outbox.c.key,
            outbox.c.payload,
            outbox.c.priority,
            outbox.c.attempts,
            outbox.c.correlation_id,
        )
        .where(outbox.c.status.in_(("pending", "dispatched")), outbox.c.available_at <= now)
        .order_by(outbox.c.priority.desc(), outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = [OutboxRow(**row._mapping) for row in conn.execute(query)]
    by_attempts: dict[int, list[int]] = {}
    for row in rows:
        by_attempts.setdefault(row.attempts, []).append(row.id)
    for attempts, ids in by_attempts.items():
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(
                status="dispatched",
                available_at=now + redispatch_delay(redispatch_after, attempts),
                attempts=outbox.c.attempts + 1,
            )
        )
    return rows


def redispatch_delay(base: timedelta, attempts: int) -> timedelta:
    """When a dispatched row is sent again if its job has not finished: after
    ``base`` the first time (a lost message, a dead worker), then twice as long
    each time, up to 32 times ``base``. A backlog that takes longer than ``base``
    to drain is still in the queue, not lost: sending it again and again would
    only add work in front of it."""
    factor: int = 2 ** min(attempts, MAX_DOUBLINGS)
    return base * factor


def mark_done(conn: Connection, outbox_id: int, now: datetime) -> None:
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(status="done", done_at=now))


def mark_failed(conn: Connection, outbox_id: int, error: str) -> None:
    """Its job went to the dead letters: stop re-sending until someone replays it."""
    conn.execute(
        update(outbox).where(outbox.c.id == outbox_id).values(status="failed", last_error=error)
    )


def mark_pending(conn: Connection, outbox_id: int, now: datetime) -> None:
    conn.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id)
        .values(status="pending", available_at=now, last_error=None)
    )
