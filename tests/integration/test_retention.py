"""Retention removes exactly what has served its time."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, insert, select

from hub.bootstrap import Container
from hub.db.schema import (
    alerts,
    idempotency_keys,
    inbound_messages,
    login_failures,
    outbox,
    replenishments,
    webhook_attempts,
    webhook_deliveries,
    webhook_subscriptions,
)
from hub.sync.retention import purge
from tests.conftest import LiveServer, unique
from tests.factories import dealer, product, warehouse


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


def test_purge_forgets_resolved_alerts_and_withdrawn_proposals_after_their_time(
    live_server: LiveServer, admin: httpx.Client
) -> None:
    container = live_server.container
    now = container.clock.now()
    tag = unique("A")
    code = dealer(admin)
    wh = warehouse(admin)
    skus = [product(admin) for _ in range(4)]  # before the transaction: SQLite has one writer
    with container.db.transaction() as conn:
        for suffix, status, days_ago in (
            ("old-resolved", "resolved", 181),
            ("new-resolved", "resolved", 179),
            ("old-open", "open", 400),
            ("old-acknowledged", "acknowledged", 400),
        ):
            conn.execute(
                insert(alerts).values(
                    kind="stock_low",
                    subject=f"{tag}-{suffix}",
                    status=status,
                    severity="warning",
                    message="m",
                    opened_at=now - timedelta(days=days_ago + 1),
                    updated_at=now - timedelta(days=days_ago),
                    resolved_at=now - timedelta(days=days_ago) if status == "resolved" else None,
                    occurrences=1,
                )
            )
        for sku, (suffix, status, days_ago) in zip(
            skus,
            (
                ("old-withdrawn", "withdrawn", 181),
                ("new-withdrawn", "withdrawn", 179),
                ("old-placed", "placed", 400),
                ("old-proposed", "proposed", 400),
            ),
            strict=True,
        ):
            conn.execute(
                insert(replenishments).values(
                    dealer_code=code,
                    warehouse_code=wh,
                    sku=sku,
                    qty=1,
                    on_hand=0,
                    open_qty=0,
                    safety_stock=1,
                    max_level=2,
                    pack_size=1,
                    status=status,
                    order_no=None,
                    note=f"{tag}-{suffix}",
                    created_at=now - timedelta(days=days_ago + 1),
                    updated_at=now - timedelta(days=days_ago),
                )
            )
    removed = purge(
        container.db,
        now=now,
        outbox_days=7,
        login_failure_window_seconds=900,
        alert_days=180,
    )
    assert removed["alerts"] >= 1
    assert removed["replenishments"] >= 1
    with container.db.read() as conn:
        kept_alerts = set(
            conn.scalars(select(alerts.c.subject).where(alerts.c.subject.like(f"{tag}-%")))
        )
        kept_proposals = set(
            conn.scalars(
                select(replenishments.c.note).where(replenishments.c.note.like(f"{tag}-%"))
            )
        )
    assert kept_alerts == {f"{tag}-{s}" for s in ("new-resolved", "old-open", "old-acknowledged")}
    assert kept_proposals == {f"{tag}-{s}" for s in ("new-withdrawn", "old-placed", "old-proposed")}
