"""The outbox relay: due rows are claimed once, re-sent when their job did not
finish, less and less often (a long backlog is still queued, not lost)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from hub.bootstrap import Container
from hub.db.schema import outbox
from hub.sync.outbox import claim_due, mark_done, redispatch_delay
from tests.conftest import unique

BASE = timedelta(seconds=10)


def test_redispatch_waits_double_each_time_up_to_a_cap() -> None:
    assert [redispatch_delay(BASE, n).total_seconds() for n in range(8)] == [
        10,
        20,
        40,
        80,
        160,
        320,
        320,
        320,
    ]


def test_a_row_is_claimed_once_then_again_only_after_its_delay(container: Container) -> None:
    now = container.clock.now()
    key = unique("K")
    with container.db.transaction() as conn:
        conn.execute(
            insert(outbox).values(
                topic="order.placed",
                key=key,
                payload={"order_no": key},
                priority=0,
                status="pending",
                attempts=0,
                created_at=now,
                available_at=now,
            )
        )

    def claimed(at: timedelta) -> bool:
        with container.db.transaction() as conn:
            rows = claim_due(conn, now + at, redispatch_after=BASE)
        return key in {row.key for row in rows}

    assert claimed(timedelta(0))
    assert not claimed(timedelta(seconds=5))  # dispatched, its job may still run
    assert claimed(timedelta(seconds=10))  # not done after 10 s: sent again
    assert not claimed(timedelta(seconds=29))  # the second wait is 20 s
    assert claimed(timedelta(seconds=30))
    with container.db.transaction() as conn:
        row_id = conn.scalar(select(outbox.c.id).where(outbox.c.key == key))
        assert row_id is not None
        mark_done(conn, row_id, now)
    assert not claimed(timedelta(hours=5))  # done: never again
