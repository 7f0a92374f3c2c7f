"""The message broker, chosen by DMS_BROKER_URL: Redis, RabbitMQ, or (unset)
an in-process stub broker served by worker threads inside the API process."""

from __future__ import annotations

from dramatiq.broker import Broker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries

from dms_domain.errors import ConfigurationError
from hub.clock import Clock
from hub.db.engine import Database
from hub.jobs.correlation import CorrelationIds
from hub.jobs.dead_letters import DeadLetterTable
from hub.jobs.undecodable import (
    QuarantiningRabbitmqBroker,
    QuarantiningRedisBroker,
    UndecodableSink,
)


def build_broker(url: str | None, db: Database, clock: Clock) -> Broker:
    broker: Broker
    if url is None:
        broker = StubBroker()  # in-process: messages are never encoded
    elif url.startswith(("redis://", "rediss://", "unix://")):
        broker = QuarantiningRedisBroker(UndecodableSink(db, clock), url=url)
    elif url.startswith(("amqp://", "amqps://")):
        broker = QuarantiningRabbitmqBroker(UndecodableSink(db, clock), url=url)
    else:
        raise ConfigurationError(
            f"DMS_BROKER_URL must start with redis:// or amqp://, not {url.split(':', 1)[0]!r}"
        )
    # Dramatiq runs "after" hooks in reverse list order: placed before Retries,
    # this runs after it, when a message that failed for good is marked failed.
    broker.add_middleware(DeadLetterTable(db, clock), before=Retries)
    broker.add_middleware(CorrelationIds())
    return broker
