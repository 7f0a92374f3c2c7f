"""The webhook sender: claims due deliveries, posts them signed, records each attempt.

No database transaction is open during an HTTP call. Claiming (one short
transaction, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite) counts the attempt and pushes the row's ``next_attempt_at`` past the
time the batch can take, as the order outbox does (hub/sync/outbox.py): two
senders never post the same row at once, and a row whose sender died becomes
due again. Each outcome is written in its own short transaction, and only if
the row is still the one this sender claimed (same attempt number).
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, insert, select, update

from hub.db.engine import Database
from hub.db.schema import webhook_attempts, webhook_deliveries, webhook_subscriptions
from hub.notifications.policy import (
    MAX_ATTEMPTS,
    Outcome,
    backoff,
    classify_status,
    retry_after_seconds,
)
from hub.notifications.signing import signed_headers

# How often the scheduler should call ``deliver_due``: the first attempt of an
# event goes out within this many seconds.
DELIVER_EVERY_SECONDS = 5.0
REQUEST_TIMEOUT_SECONDS = 10.0
BATCH_SIZE = 50
# Posts in flight at once: one slow receiver must not hold up everybody else's.
PARALLEL = 8
USER_AGENT = "dms-hub-webhooks/1"
_SNIPPET_BYTES = 200

_d = webhook_deliveries.c
_s = webhook_subscriptions.c


@dataclass(frozen=True, slots=True)
class DeliverySummary:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    event_kind: str
    payload: dict[str, Any]
    attempt: int  # the number of the attempt about to be made, 1-based
    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class _Result:
    outcome: Outcome
    status_code: int | None
    error: str | None
    retry_after: float | None
    seconds: float


def deliver_due(
    db: Database,
    client: httpx.Client,
    now: datetime,
    limit: int = BATCH_SIZE,
    *,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> DeliverySummary:
    """Post up to ``limit`` due deliveries; what became of them."""
    # Long enough for the whole batch, so no other sender takes a row in flight.
    lease = timedelta(seconds=timeout * math.ceil(limit / PARALLEL) + 60)
    with db.transaction() as conn:
        batch = _claim(conn, now, limit, lease)
    if not batch:
        return DeliverySummary()
    started = time.monotonic()

    def one(delivery: _Claimed) -> Outcome:
        return _deliver(db, client, delivery, now, started, timeout)

    with ThreadPoolExecutor(min(PARALLEL, len(batch)), thread_name_prefix="webhook") as pool:
        outcomes = list(pool.map(one, batch))
    return DeliverySummary(
        claimed=len(batch),
        delivered=outcomes.count(Outcome.DELIVERED),
        retrying=outcomes.count(Outcome.RETRY),
        failed=outcomes.count(Outcome.FAILED),
    )


def _claim(conn: Connection, now: datetime, limit: int, lease: timedelta) -> list[_Claimed]:
    # A sender that died during a row's last allowed attempt leaves it pending
    # with no attempts left: give up on it rather than try a ninth time.
    conn.execute(
        update(webhook_deliveries)
        .where(_d.status == "pending", _d.next_attempt_at <= now, _d.attempts >= MAX_ATTEMPTS)
        .values(status="failed", last_error="the sender stopped during the last attempt")
    )
    rows = conn.execute(
        select(_d.id, _d.event_kind, _d.payload, _d.attempts, _s.url, _s.secret)
        .join_from(webhook_deliveries, webhook_subscriptions, _d.subscription_id == _s.id)
        .where(
            _d.status == "pending",
            _d.next_attempt_at <= now,
            _d.attempts < MAX_ATTEMPTS,
            _s.active.is_(True),
        )
        .order_by(_d.next_attempt_at, _d.id)
        .limit(limit)
        .with_for_update(of=webhook_deliveries, skip_locked=True)
    ).all()
    if rows:
        conn.execute(
            update(webhook_deliveries)
            .where(_d.id.in_([row.id for row in rows]))
            .values(attempts=_d.attempts + 1, next_attempt_at=now + lease)
        )
    return [
        _Claimed(row.id, row.event_kind, row.payload, row.attempts + 1, row.url, row.secret)
        for row in rows
    ]


def _deliver(
    db: Database,
    client: httpx.Client,
    delivery: _Claimed,
    now: datetime,
    started: float,
    timeout: float,
) -> Outcome:
    # Times follow the caller's ``now`` (tests pin it) plus the real time spent.
    sent_at = now + timedelta(seconds=time.monotonic() - started)
    result = _post(client, delivery, int(sent_at.timestamp()), timeout)
    with db.transaction() as conn:
        return _record(conn, delivery, result, sent_at)


def _post(client: httpx.Client, delivery: _Claimed, timestamp: int, timeout: float) -> _Result:
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = signed_headers(
        delivery.secret,
        body,
        timestamp=timestamp,
        event_kind=delivery.event_kind,
        delivery_id=delivery.id,
        attempt=delivery.attempt,
    )
    headers["User-Agent"] = USER_AGENT
    clock = time.monotonic()
    try:
        with client.stream(
            "POST",
            delivery.url,
            content=body,
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
        ) as response:
            outcome = classify_status(response.status_code)
            error = None if outcome is Outcome.DELIVERED else _describe(response)
            return _Result(
                outcome,
                response.status_code,
                error,
                retry_after_seconds(response.headers.get("Retry-After")),
                time.monotonic() - clock,
            )
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        # The URL itself is unusable: no retry can help.
        return _Result(Outcome.FAILED, None, _exception_text(exc), None, time.monotonic() - clock)
    except httpx.TransportError as exc:
        # Timeouts, refused connections, resets, broken responses: the
        # receiver may be back later.
        return _Result(Outcome.RETRY, None, _exception_text(exc), None, time.monotonic() - clock)


def _describe(response: httpx.Response) -> str:
    """The status and the start of the receiver's answer, to help whoever reads the log."""
    snippet = b""
    # The status is what counts; a body that fails to arrive was only a hint.
    with contextlib.suppress(httpx.HTTPError):
        for chunk in response.iter_bytes():
            snippet += chunk
            if len(snippet) >= _SNIPPET_BYTES:
                break
    text = snippet[:_SNIPPET_BYTES].decode("utf-8", errors="replace").strip()
    return f"HTTP {response.status_code}" + (f": {text}" if text else "")


def _exception_text(exc: Exception) -> str:
    detail = str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _record(conn: Connection, delivery: _Claimed, result: _Result, sent_at: datetime) -> Outcome:
    finished = sent_at + timedelta(seconds=result.seconds)
    outcome, error = result.outcome, result.error
    values: dict[str, Any] = {"last_status_code": result.status_code, "last_error": error}
    if outcome is Outcome.RETRY and delivery.attempt >= MAX_ATTEMPTS:
        outcome = Outcome.FAILED
        values["last_error"] = f"{error} (gave up after {delivery.attempt} attempts)"
    if outcome is Outcome.DELIVERED:
        values.update(status="delivered", delivered_at=finished)
    elif outcome is Outcome.FAILED:
        values.update(status="failed")
    else:
        wait = backoff(delivery.attempt, retry_after=result.retry_after)
        values.update(status="pending", next_attempt_at=finished + wait)
    conn.execute(
        update(webhook_deliveries)
        .where(_d.id == delivery.id, _d.status == "pending", _d.attempts == delivery.attempt)
        .values(**values)
    )
    # Recorded even if another sender has taken the row since: it happened.
    conn.execute(
        insert(webhook_attempts).values(
            delivery_id=delivery.id,
            attempt=delivery.attempt,
            at=sent_at,
            status_code=result.status_code,
            error=error,
            duration_ms=round(result.seconds * 1000),
        )
    )
    return outcome
