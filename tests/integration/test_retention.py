"""Retention removes exactly what has served its time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from hub.bootstrap import Container
from hub.db.schema import (
    idempotency_keys,
    inbound_messages,
    login_failures,
    outbox,
    webhook_attempts,
    webhook_deliveries,
    webhook_subscriptions,
)
from hub.sync.retention import purge
from tests.conftest import unique


def test_purge_keeps_what_is_still_needed(container: Container) -> None:
    now = container.clock.now()
    tag = unique("R")
    with container.db.transaction() as conn:
        for key, status, done_days_ago in (
            ("old-done", "done", 10),
            ("new-done", "done", 1),
            ("old-pending", "pending", None),
        ):
            conn.execute(
                insert(outbox).values(
                    topic="t",
                    key=f"{tag}-{key}",
                    payload={},
                    priority=0,
                    status=status,
                    attempts=0,
                    created_at=now - timedelta(days=20),
                    available_at=now,
                    done_at=None if done_days_ago is None else now - timedelta(days=done_days_ago),
                )
            )
        for key, expires in (
            ("expired", now - timedelta(seconds=1)),
            ("valid", now + timedelta(hours=1)),
        ):
            conn.execute(
                insert(idempotency_keys).values(
                    scope=tag,
                    key=key,
                    request_hash="h",
                    status_code=201,
                    response={},
                    created_at=now - timedelta(hours=25),
                    expires_at=expires,
                )
            )
        conn.execute(insert(login_failures).values(username=tag, at=now - timedelta(hours=2)))
        conn.execute(insert(login_failures).values(username=tag, at=now))
        subscription = conn.execute(
            insert(webhook_subscriptions)
            .values(
                url="http://127.0.0.1:9/hook",
                events=["alert.opened"],
                secret="s",
                active=True,
                created_at=now,
                created_by=tag,
            )
            .returning(webhook_subscriptions.c.id)
        ).scalar_one()
        for event_id, status, age_days in (
            ("old-delivered", "delivered", 40),
            ("new-delivered", "delivered", 1),
            ("old-pending", "pending", 40),
        ):
            delivery = conn.execute(
                insert(webhook_deliveries)
                .values(
                    subscription_id=subscription,
                    event_kind="alert.opened",
                    event_id=f"{tag}-{event_id}",
                    payload={},
                    status=status,
                    attempts=1,
                    next_attempt_at=now,
                    created_at=now - timedelta(days=age_days),
                )
                .returning(webhook_deliveries.c.id)
            ).scalar_one()
            conn.execute(
                insert(webhook_attempts).values(
                    delivery_id=delivery, attempt=1, at=now, status_code=200, duration_ms=5
                )
            )
    removed = purge(
        container.db,
        now=now,
        outbox_days=7,
        login_failure_window_seconds=900,
        delivery_log_days=30,
    )
    assert removed["outbox"] >= 1
    assert removed["idempotency_keys"] >= 1
    with container.db.read() as conn:
        keys = set(conn.scalars(select(outbox.c.key).where(outbox.c.key.like(f"{tag}-%"))))
        scoped = set(
            conn.scalars(select(idempotency_keys.c.key).where(idempotency_keys.c.scope == tag))
        )
        failures = conn.scalar(select(func.count()).where(login_failures.c.username == tag))
    assert keys == {f"{tag}-new-done", f"{tag}-old-pending"}
    assert scoped == {"valid"}
    assert failures == 1
    with container.db.read() as conn:
        events = set(
            conn.scalars(
                select(webhook_deliveries.c.event_id).where(
                    webhook_deliveries.c.subscription_id == subscription
                )
            )
        )
        attempts = conn.scalar(
            select(func.count())
            .select_from(
                webhook_attempts.join(
                    webhook_deliveries, webhook_deliveries.c.id == webhook_attempts.c.delivery_id
                )
            )
            .where(webhook_deliveries.c.subscription_id == subscription)
        )
    # Finished long ago: gone with its attempts; recent or still pending: kept.
    assert events == {f"{tag}-new-delivered", f"{tag}-old-pending"}
    assert attempts == 2


def test_purge_forgets_pushed_messages_after_the_log_period(container: Container) -> None:
    now = container.clock.now()
    tag = unique("M")
    with container.db.transaction() as conn:
        for suffix, age_days in (("old", 31), ("new", 29)):
            conn.execute(
                insert(inbound_messages).values(
                    connector="wms",
                    message_id=f"{tag}-{suffix}",
                    method="confirmSOData",
                    status="accepted",
                    http_status=200,
                    answer={},
                    received_at=now - timedelta(days=age_days),
                )
            )
    purge(
        container.db, now=now, outbox_days=7, login_failure_window_seconds=900, delivery_log_days=30
    )
    with container.db.read() as conn:
        left = set(
            conn.scalars(
                select(inbound_messages.c.message_id).where(
                    inbound_messages.c.message_id.like(f"{tag}-%")
                )
            )
        )
    assert left == {f"{tag}-new"}
