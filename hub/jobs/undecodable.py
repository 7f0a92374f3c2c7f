"""Messages the broker hands over that cannot be decoded (cut off, not JSON,
another program's bytes on our queue).

Dramatiq decodes a message before any middleware sees it, so ``DeadLetterTable``
never hears of these. Left alone, the Redis broker loses track of such a message:
its id is inside the bytes that failed to decode, so it is never acked, stays
in this worker's ack set and is handed to the next worker after a restart,
forever. RabbitMQ nacks it into its own dead-letter queue, where nobody looks.

Both brokers here copy the raw bytes into the dead-letter table with the
decoder's error (actor ``(undecodable)``; such a letter can be read and
discarded, not replayed), and the Redis one acks the message so it is gone
from the queue; the messages behind it go on.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from typing import Any

from dramatiq.brokers.rabbitmq import RabbitmqBroker, _RabbitmqConsumer
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import DecodeError
from dramatiq.message import Message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.clock import Clock
from hub.db.engine import Database
from hub.db.schema import dead_letters
from hub.sync.dead_letters import UNDECODABLE_ACTOR

log = logging.getLogger(__name__)

# Enough of the bytes for a person to see what it was, not a whole dump.
_KEPT_BYTES = 16_384


class UndecodableSink:
    """Writes an undecodable message into the dead-letter table, once."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def record(self, queue: str, raw: bytes, error: BaseException, message_id: str | None) -> None:
        # Without a readable id, the bytes name the message: the same bytes
        # delivered twice are one letter.
        letter_id = message_id or "raw-" + hashlib.sha256(raw).hexdigest()[:56]
        text = _printable(raw[:_KEPT_BYTES].decode("utf-8", errors="backslashreplace"))
        reason = _printable(
            f"undecodable message on queue {queue!r} ({len(raw)} bytes): {_describe(error)}"
        )
        insert_ = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        with self.db.transaction() as conn:
            conn.execute(
                insert_(dead_letters)
                .values(
                    actor=UNDECODABLE_ACTOR,
                    queue=queue[:64],
                    message_id=letter_id,
                    args=[text],
                    kwargs={"bytes": len(raw), "truncated": len(raw) > _KEPT_BYTES},
                    error=reason[:4000],
                    error_class="DecodeError",
                    attempts=1,
                    status="open",
                    created_at=self.clock.now(),
                )
                .on_conflict_do_nothing(index_elements=["message_id"])
            )
        log.error("dead letter: %s", reason)


def _describe(error: BaseException) -> str:
    if isinstance(error, KeyError):  # JSON, but without a field a message has
        return f"not a message: no field {error.args[0]!r}"
    if isinstance(error, TypeError):  # JSON, with fields a message does not have
        return f"not a message: {error}"
    return f"{type(error).__name__}: {error}"


def _printable(text: str) -> str:
    # PostgreSQL's text and JSONB refuse NUL, the one character they cannot hold.
    return text.replace("\x00", "\\x00")


class QuarantiningRedisBroker(RedisBroker):
    def __init__(self, sink: UndecodableSink, **options: Any) -> None:
        super().__init__(**options)  # type: ignore[no-untyped-call]
        self.sink = sink

    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return _QuarantiningRedisConsumer


class _QuarantiningRedisConsumer(_RedisConsumer):
    broker: QuarantiningRedisBroker
    queue_name: str
    queued_message_ids: set[str]

    def __next__(self) -> Any:
        while True:
            try:
                return super().__next__()  # type: ignore[no-untyped-call]
            except DecodeError as exc:
                message_id = self._fetched_id_of(exc.data)
                self.broker.sink.record(self.queue_name, exc.data, exc.error, message_id)
                if message_id is not None:
                    self.broker.do_ack(self.queue_name, message_id)
                # Go on with the next message.

    def _fetched_id_of(self, raw: bytes) -> str | None:
        """The id under which Redis holds these bytes: one of the ids this
        worker fetched from the queue and has not decoded (at most a prefetch's
        worth), found by comparing the stored bytes."""
        broker = self.broker
        acks = f"{broker.namespace}:__acks__.{broker.broker_id}.{self.queue_name}"
        stored = f"{broker.namespace}:{self.queue_name}.msgs"
        fetched = {_text(mid) for mid in broker.client.smembers(acks)}
        candidates = sorted(fetched - self.queued_message_ids)
        if not candidates:
            return None
        for mid, data in zip(candidates, broker.client.hmget(stored, candidates), strict=True):
            if data == raw:
                return mid
        return None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class QuarantiningRabbitmqBroker(RabbitmqBroker):
    def __init__(self, sink: UndecodableSink, **options: Any) -> None:
        super().__init__(**options)
        self.sink = sink

    @property
    def consumer_class(self) -> type[_RabbitmqConsumer]:
        return _QuarantiningRabbitmqConsumer


class _QuarantiningRabbitmqConsumer(_RabbitmqConsumer):
    # Dramatiq's consumer nacks an undecodable delivery itself (into RabbitMQ's
    # dead-letter queue); this only looks at each body on its way in.
    broker: QuarantiningRabbitmqBroker
    queue_name: str
    iterator: Iterator[tuple[Any, Any, bytes | None]]

    def __init__(self, broker: QuarantiningRabbitmqBroker, *args: Any) -> None:
        super().__init__(broker, *args)  # type: ignore[no-untyped-call]
        self.iterator = self._recording(self.iterator)

    def _recording(
        self, deliveries: Iterator[tuple[Any, Any, bytes | None]]
    ) -> Iterator[tuple[Any, Any, bytes | None]]:
        for method, properties, body in deliveries:
            if method is not None and body is not None:
                try:
                    Message.decode(body)
                except DecodeError as exc:
                    message_id = properties.message_id if properties is not None else None
                    self.broker.sink.record(self.queue_name, body, exc.error, message_id)
            yield method, properties, body
