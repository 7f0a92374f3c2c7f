"""Bytes on a job queue that do not decode as a message, on the real Redis and
the real RabbitMQ: each lands in the dead-letter table with a readable reason,
the messages behind it are processed, and nothing is left stuck in the broker."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import dramatiq
import pika
import pytest
import redis
from dramatiq import Message, Worker
from dramatiq.broker import Broker
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import select

from dms_domain.errors import Refused
from hub.bootstrap import Container
from hub.db.schema import dead_letters
from hub.jobs.broker import build_broker
from hub.sync.dead_letters import UNDECODABLE_ACTOR, discard, request_replay
from tests.conftest import service_unavailable

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@pytest.fixture(scope="module")
def rabbitmq_url() -> str:
    try:
        pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL)).close()
    except pika.exceptions.AMQPError as exc:
        service_unavailable("RabbitMQ", exc)
    return RABBITMQ_URL


class Queue:
    """A queue of this test's own, an actor on it that records what it ran, and
    a way to put raw bytes on it behind the broker's back."""

    def __init__(self, broker: Broker, put_raw: Callable[[str, bytes], None]) -> None:
        self.name = f"undecodable_{uuid.uuid4().hex[:10]}"
        self.broker = broker
        self.ran: list[str] = []
        self.put_raw = put_raw
        done = threading.Event()
        self.done = done

        def record(tag: str) -> None:
            self.ran.append(tag)
            done.set()

        self.actor = dramatiq.actor(
            broker=broker, actor_name=f"record_{self.name}", queue_name=self.name
        )(record)

    def valid_message(self, tag: str) -> Message[Any]:
        return Message(
            queue_name=self.name,
            actor_name=self.actor.actor_name,
            args=(tag,),
            kwargs={},
            options={},
        )


def run_worker(queue: Queue, until: Callable[[], bool]) -> None:
    worker = Worker(queue.broker, queues={queue.name}, worker_threads=1)
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while not until() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop(timeout=5_000)


def letters_of(container: Container, queue: Queue) -> list[Any]:
    with container.db.read() as conn:
        return list(
            conn.execute(
                select(dead_letters)
                .where(dead_letters.c.queue == queue.name)
                .order_by(dead_letters.c.id)
            ).all()
        )


GARBAGE = [
    b"\x00\xffnot json at all",
    b'{"queue_name": "x", "actor_name": "y"}',  # JSON, but not a message
]


@pytest.fixture
def redis_queue(container: Container, redis_url: str) -> Iterator[Queue]:
    broker = build_broker(redis_url, container.db, container.clock)
    assert isinstance(broker, RedisBroker)

    def put_raw(message_id: str, data: bytes) -> None:
        broker.do_enqueue(queue.name, message_id, data)

    queue = Queue(broker, put_raw)
    yield queue
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"dramatiq:*{queue.name}*"):
        client.delete(key)
    client.close()
    broker.close()


def test_redis_undecodable_messages_become_dead_letters_and_leave_the_queue(
    container: Container, redis_queue: Queue, redis_url: str
) -> None:
    queue = redis_queue
    first = queue.valid_message("first")
    # A real message cut off mid-way: its id is inside, but it does not parse.
    truncated = queue.valid_message("cut").encode()[:-7]
    queue.broker.enqueue(first)
    for i, raw in enumerate([*GARBAGE, truncated]):
        queue.put_raw(f"garbage-{i}", raw)
    queue.broker.enqueue(queue.valid_message("last"))

    run_worker(queue, until=lambda: len(queue.ran) == 2 and len(letters_of(container, queue)) == 3)

    assert sorted(queue.ran) == ["first", "last"]
    letters = letters_of(container, queue)
    assert [letter.actor for letter in letters] == [UNDECODABLE_ACTOR] * 3
    assert {letter.message_id for letter in letters} == {"garbage-0", "garbage-1", "garbage-2"}
    assert all(
        letter.error_class == "DecodeError" and letter.status == "open" for letter in letters
    )
    not_json = next(letter for letter in letters if letter.message_id == "garbage-0")
    assert f"undecodable message on queue {queue.name!r} (17 bytes)" in not_json.error
    assert not_json.args == ["\\x00\\xffnot json at all"]
    no_args = next(letter for letter in letters if letter.message_id == "garbage-1")
    assert no_args.error.endswith("not a message: no field 'args'")
    # Acked: neither the queue, nor the stored messages, nor any ack set holds them.
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.hlen(f"dramatiq:{queue.name}.msgs") == 0
        assert client.llen(f"dramatiq:{queue.name}") == 0
        assert not [
            k for k in client.scan_iter(f"dramatiq:__acks__.*.{queue.name}") if client.scard(k)
        ]
    finally:
        client.close()


def test_an_undecodable_letter_is_discarded_not_replayed(
    container: Container, redis_queue: Queue
) -> None:
    queue = redis_queue
    queue.put_raw("poison", b"garbage")
    queue.broker.enqueue(queue.valid_message("after"))
    run_worker(
        queue, until=lambda: queue.ran == ["after"] and len(letters_of(container, queue)) == 1
    )
    [letter] = letters_of(container, queue)
    now = container.clock.now()
    with (
        container.db.transaction() as conn,
        pytest.raises(Refused, match="no job to replay") as refused,
    ):
        request_replay(conn, letter.id, by="ops", now=now)
    assert refused.value.code == "not_replayable"
    with container.db.transaction() as conn:
        closed = discard(conn, letter.id, by="ops", now=now)
    assert (closed["status"], closed["replayed_by"]) == ("discarded", "ops")
    with container.db.transaction() as conn, pytest.raises(Refused, match="is discarded"):
        discard(conn, letter.id, by="ops", now=now)


def test_rabbitmq_undecodable_messages_become_dead_letters(
    container: Container, rabbitmq_url: str
) -> None:
    broker = build_broker(rabbitmq_url, container.db, container.clock)
    assert isinstance(broker, RabbitmqBroker)
    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    channel = connection.channel()

    def put_raw(message_id: str, data: bytes) -> None:
        channel.basic_publish(
            exchange="",
            routing_key=queue.name,
            body=data,
            properties=pika.BasicProperties(message_id=message_id, delivery_mode=2),
        )

    queue = Queue(broker, put_raw)
    try:
        broker.enqueue(queue.valid_message("first"))  # declares the queue
        queue.put_raw("rabbit-garbage", GARBAGE[0])
        broker.enqueue(queue.valid_message("last"))
        run_worker(
            queue, until=lambda: len(queue.ran) == 2 and len(letters_of(container, queue)) == 1
        )
        assert sorted(queue.ran) == ["first", "last"]
        [letter] = letters_of(container, queue)
        assert (letter.actor, letter.message_id) == (UNDECODABLE_ACTOR, "rabbit-garbage")
        assert "undecodable message" in letter.error
        # RabbitMQ moved it to its own dead-letter queue: it is not delivered again.
        assert channel.queue_declare(queue.name, passive=True).method.message_count == 0
    finally:
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(queue.name + suffix)
        connection.close()
        broker.close()
