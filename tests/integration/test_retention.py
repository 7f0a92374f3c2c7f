"""Retention removes exactly what has served its time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from hub.bootstrap import Container
from hub.db.schema import idempotency_keys, login_failures, outbox
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
    removed = purge(container.db, now=now, outbox_days=7, login_failure_window_seconds=900)
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
