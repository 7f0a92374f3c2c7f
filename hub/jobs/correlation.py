"""Carries the correlation id through the broker: a message enqueued while an
id is bound takes it along in its options, and the job that runs it has it
bound again (so its logs and its calls to outside systems carry it; a retry
re-enqueues the same options, so it keeps it)."""

from __future__ import annotations

import threading
from contextvars import Token
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.message import Message
from dramatiq.middleware import Middleware

from connectors import correlation

OPTION = "correlation_id"


class CorrelationIds(Middleware):
    def __init__(self) -> None:
        # One worker thread runs one message at a time: its token lives here
        # between the before and after hooks.
        self._tokens = threading.local()

    def before_enqueue(self, broker: Broker, message: Message[Any], delay: int) -> None:
        current = correlation.current()
        if current is not None:
            message.options.setdefault(OPTION, current)

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        self._tokens.token = correlation.bind(message.options.get(OPTION))

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        self._unbind()

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        self._unbind()

    def _unbind(self) -> None:
        token: Token[str | None] | None = getattr(self._tokens, "token", None)
        if token is not None:
            correlation.unbind(token)
            self._tokens.token = None
