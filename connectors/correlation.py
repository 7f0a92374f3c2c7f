"""The correlation id of the work in hand: set where an order's work starts
(the API request, the job that carries it), read by the logs and sent to the
outside system with every call (``X-Correlation-ID``), so one id follows an
order from the dealer's request to the ERP and back.

It lives here, below the hub, because connectors send it and must not import
the hub."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

HEADER = "X-Correlation-ID"
# What a caller may send us: short, and safe in logs and headers.
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current() -> str | None:
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(offered: str | None) -> str:
    """The caller's id if it is a sane one, else a new one (an id is never refused:
    a request is not worth failing over its tracing header)."""
    if offered is not None and _ACCEPTED.fullmatch(offered):
        return offered
    return new_id()


def bind(correlation_id: str | None) -> Token[str | None]:
    """Bind until ``unbind`` (for hooks that cannot wrap the work in ``bound``)."""
    return _current.set(correlation_id)


def unbind(token: Token[str | None]) -> None:
    _current.reset(token)


@contextmanager
def bound(correlation_id: str | None) -> Iterator[str | None]:
    token = _current.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _current.reset(token)
