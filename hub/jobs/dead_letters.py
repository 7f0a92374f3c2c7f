"""Dramatiq keeps its own dead letters in the broker, where nobody looks and
Redis forgets them on restart. This middleware copies every message that
failed for good (retries exhausted, or a permanent error) into the database,
where the API lists them and replays them."""

from __future__ import annotations

import logging
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import Middleware
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.clock import Clock
from hub.db.engine import Database
from hub.db.schema import dead_letters
from hub.jsonable import jsonable
from hub.sync.outbox import mark_failed

log = logging.getLogger(__name__)


class DeadLetterTable(Middleware):
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed:
            return
        error = f"{type(exception).__name__}: {exception}"
        insert_ = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        with self.db.transaction() as conn:
            conn.execute(
                insert_(dead_letters)
                .values(
                    actor=message.actor_name,
                    queue=message.queue_name,
                    message_id=message.message_id,
                    args=jsonable(list(message.args)),
                    kwargs=jsonable(dict(message.kwargs)),
                    error=error[:4000],
                    error_class=type(exception).__name__,
                    attempts=int(message.options.get("retries", 0)) + 1,
                    status="open",
                    created_at=self.clock.now(),
                )
                .on_conflict_do_nothing(index_elements=["message_id"])
            )
            outbox_id = message.kwargs.get("outbox_id")
            if isinstance(outbox_id, int):
                mark_failed(conn, outbox_id, error[:2000])
        log.warning("dead letter: %s %s", message.actor_name, error)
