"""A simulator served beside the hub (``dms-hub up --demo``) stays out of the
hub's access log."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from simulators.serving import serving


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def access_log() -> Iterator[_Records]:
    """What the hub's logging config does once its own server starts (after
    the demo's simulators): a handler on "uvicorn.access"."""
    records = _Records()
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(records)
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        logger.removeHandler(records)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


async def ping(_: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")


def test_a_simulator_request_is_not_in_the_access_log_but_the_hubs_are() -> None:
    app = Starlette(routes=[Route("/ping", ping)])
    with (
        serving(app, host="127.0.0.1", name="probe", stopping=threading.Event()) as port,
        access_log() as log,
    ):
        assert httpx.get(f"http://127.0.0.1:{port}/ping").text == "pong"
        # A line of the hub's own server (another thread) still gets through.
        logging.getLogger("uvicorn.access").info('127.0.0.1:1 - "GET /api/v1/orders" 200')
    assert any("/api/v1/orders" in m for m in log.messages)
    assert not [m for m in log.messages if "/ping" in m]
