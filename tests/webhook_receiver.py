"""A real HTTP receiver for webhooks on 127.0.0.1: records every request and
answers as planned (a status, or a status after a delay to cause timeouts)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


@dataclass(frozen=True)
class Answer:
    status: int = 200
    delay: float = 0.0


class Receiver:
    def __init__(self, server: _Server) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._plan: deque[Answer] = deque()
        self._requests: list[Received] = []

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    def plan(self, *answers: int | Answer) -> None:
        """The next answers, in order; afterwards 200."""
        with self._lock:
            self._plan.extend(a if isinstance(a, Answer) else Answer(a) for a in answers)

    def _take(self, received: Received) -> Answer:
        with self._lock:
            self._requests.append(received)
            return self._plan.popleft() if self._plan else Answer()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    receiver: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A sender that timed out has hung up: writing the late answer fails. Expected.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.receiver._take(Received(self.path, headers, body))
        if answer.delay:
            time.sleep(answer.delay)
        reply = b'{"ok": true}' if answer.status < 300 else b"receiver says no"
        self.send_response(answer.status)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(server)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhook-receiver"
    )
    thread.daemon = True
    thread.start()
    try:
        yield server.receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
