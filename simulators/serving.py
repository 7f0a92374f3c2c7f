"""Serving a simulator's ASGI app on a real socket in a background thread, for tests."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

START_SECONDS = 15.0
THREAD_PREFIX = "simulator-"


class _NotFromSimulators(logging.Filter):
    """Uvicorn logs each request when the "uvicorn.access" logger has handlers,
    which is process-wide: a simulator beside the hub (``dms-hub up --demo``)
    would log its requests in the hub's access log. Its server threads are
    known by name."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName or "").startswith(THREAD_PREFIX)


_ACCESS_FILTER = _NotFromSimulators()


@contextmanager
def serving(
    app: Any, *, host: str, name: str, stopping: threading.Event, port: int = 0
) -> Iterator[int]:
    """The app on ``port`` of ``host`` (0: a free one; its number is yielded),
    stopped when the block ends; ``stopping`` is set first, so hanging handlers
    end at once."""
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
    )
    # Bound here, port 0: the OS picks a free port and no other process can take
    # it between choosing and listening.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.access").addFilter(_ACCESS_FILTER)  # once: filters are a set
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        name=f"{THREAD_PREFIX}{name}-{port}",
        daemon=True,
    )
    thread.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"the {name} simulator did not start")
            time.sleep(0.01)
        yield port
    finally:
        stopping.set()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
