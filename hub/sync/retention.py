"""Retention: what the hub may forget, and when (periods are settings)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from hub.db.engine import Database
from hub.db.schema import (
    alerts,
    idempotency_keys,
    inbound_messages,
    login_failures,
    outbox,
    replenishments,
    webhook_attempts,
    webhook_deliveries,
)


def purge(
    db: Database,
    *,
    now: datetime,
    outbox_days: int,
    login_failure_window_seconds: int,
    delivery_log_days: int = 30,
    alert_days: int = 180,
) -> dict[str, int]:
    """Delete done outbox rows older than ``outbox_days``, idempotency keys past
    their expiry (kept at least 24 h by construction), failed logins that no
    longer count, webhook deliveries (with their attempts) finished more than
    ``delivery_log_days`` ago, and messages pushed to the hub received that long
    ago (their ids are then free again: no WMS retries a message for a month),
    and alerts resolved, and VMI proposals withdrawn, more than ``alert_days``
    ago (open ones, acknowledged ones and placed proposals stay: a placed
    proposal names its order). Returns how many rows of each went."""
    removed: dict[str, int] = {}
    with db.transaction() as conn:
        finished = (
            select(webhook_deliveries.c.id)
            .where(
                webhook_deliveries.c.status.in_(("delivered", "failed")),
                webhook_deliveries.c.created_at < now - timedelta(days=delivery_log_days),
            )
            .scalar_subquery()
        )
        conn.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(finished)))
        removed["webhook_deliveries"] = conn.execute(
            delete(webhook_deliveries).where(webhook_deliveries.c.id.in_(finished))
        ).rowcount
        removed["inbound_messages"] = conn.execute(
            delete(inbound_messages).where(
                inbound_messages.c.received_at < now - timedelta(days=delivery_log_days)
            )
        ).rowcount
        removed["outbox"] = conn.execute(
            delete(outbox).where(
                outbox.c.status == "done", outbox.c.done_at < now - timedelta(days=outbox_days)
            )
        ).rowcount
        removed["idempotency_keys"] = conn.execute(
            delete(idempotency_keys).where(idempotency_keys.c.expires_at <= now)
        ).rowcount
        forgotten = now - timedelta(days=alert_days)
        removed["alerts"] = conn.execute(
            delete(alerts).where(alerts.c.status == "resolved", alerts.c.resolved_at < forgotten)
        ).rowcount
        removed["replenishments"] = conn.execute(
            delete(replenishments).where(
                replenishments.c.status == "withdrawn", replenishments.c.updated_at < forgotten
            )
        ).rowcount
        removed["login_failures"] = conn.execute(
            delete(login_failures).where(
                login_failures.c.at < now - timedelta(seconds=login_failure_window_seconds)
            )
        ).rowcount
    return removed
