"""Is the message broker reachable? Used by /readyz and ``connector check``."""

from __future__ import annotations

import logging

import pika
import redis
from pika.exceptions import AMQPError

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0


def check_broker(url: str) -> str:
    """'ok', or 'failed: <reason>' without the URL (it may hold a password)."""
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(
                url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
            )
            try:
                client.ping()
            finally:
                client.close()
            return "ok"
        if url.startswith(("amqp://", "amqps://")):
            params = pika.URLParameters(url)
            params.socket_timeout = TIMEOUT_SECONDS
            params.blocked_connection_timeout = TIMEOUT_SECONDS
            pika.BlockingConnection(params).close()
            return "ok"
    except (redis.RedisError, AMQPError, OSError) as exc:
        log.warning("broker check failed: %s", type(exc).__name__)
        return f"failed: {type(exc).__name__}"
    return "failed: unsupported broker URL scheme"
