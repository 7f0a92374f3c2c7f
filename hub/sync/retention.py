"""Retention: what the hub may forget, and when (periods are settings)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from hub.db.engine import Database
from hub.db.schema import idempotency_keys, login_failures, outbox


def purge(
    db: Database,
    *,
    now: datetime,
    outbox_days: int,
    login_failure_window_seconds: int,
) -> dict[str, int]:
    """Delete done outbox rows older than ``outbox_days``, idempotency keys past
    their expiry (kept at least 24 h by construction), and failed logins that
    no longer count. Returns how many rows of each went."""
    removed: dict[str, int] = {}
    with db.transaction() as conn:
        removed["outbox"] = conn.execute(
            delete(outbox).where(
                outbox.c.status == "done", outbox.c.done_at < now - timedelta(days=outbox_days)
            )
        ).rowcount
        removed["idempotency_keys"] = conn.execute(
            delete(idempotency_keys).where(idempotency_keys.c.expires_at <= now)
        ).rowcount
        removed["login_failures"] = conn.execute(
            delete(login_failures).where(
                login_failures.c.at < now - timedelta(seconds=login_failure_window_seconds)
            )
        ).rowcount
    return removed
