"""A TCP proxy between the hub and the staging database that can break calls
the way networks and database servers break them.

The hub's connector reaches the database through it; the U8 side does not.
A fault is armed for the next ``times`` calls, a call being the next message a
client sends (the start of a statement or transaction):

    server_error   the connection is closed before the message is passed on
    unavailable    the same; and new connections are cut at once
    malformed_body the message is passed on, half of the answer comes back, then the cut
    wrong_content  an HTML error page comes back instead of the database's answer
    slow           the message is held ``slow_seconds``, then passed on
    lose_answer    the next COMMIT of a write is passed on and done; its answer is
                   dropped, then the cut
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass

NETWORK_FAULTS = frozenset(
    {"server_error", "unavailable", "malformed_body", "wrong_content", "slow", "lose_answer"}
)
# COMMIT as query text in a PostgreSQL message (simple Query or extended Parse):
# text is NUL-terminated there, bound values are length-prefixed, so only a
# statement can end so.
PG_COMMIT = b"COMMIT\x00"
WRITES = re.compile(rb"\b(INSERT|UPDATE|DELETE)\s", re.IGNORECASE)
HTML = (
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n"
    b"<html><body><h1>502 Bad Gateway</h1></body></html>"
)
CHUNK = 65536


@dataclass(eq=False)
class _Link:
    client: socket.socket
    server: socket.socket
    cut_after_answer: bool = False  # malformed_body: pass half an answer, then cut
    drop_answer: bool = False  # lose_answer: swallow the answer, then cut
    wrote: bool = False  # an INSERT or UPDATE went through since the last COMMIT
    closed: bool = False

    def close(self) -> None:
        self.closed = True
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, slow_seconds: float = 0.1) -> None:
        self.upstream = upstream
        self.slow_seconds = slow_seconds
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._links: set[_Link] = set()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="u8-proxy", daemon=True)
        self._thread.start()

    # -- control -----------------------------------------------------------------------

    def inject(self, fault: str, times: int = 1) -> None:
        if fault not in NETWORK_FAULTS:
            raise ValueError(f"not a network fault: {fault!r}")
        with self._lock:
            self._faults.extend([fault] * times)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take(self, link: _Link, message: bytes) -> str | None:
        if WRITES.search(message):
            link.wrote = True
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            if fault == "lose_answer" and not (link.wrote and PG_COMMIT in message):
                return None  # waits for the COMMIT of a write
            return self._faults.popleft()

    def close(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        for link in list(self._links):
            link.close()
        self._thread.join(timeout=5)

    # -- pumping -------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refuse = bool(self._faults) and self._faults[0] == "unavailable"
                if refuse:
                    self._faults.popleft()
            if refuse:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            link = _Link(client, server)
            self._links.add(link)
            threading.Thread(target=self._upstream, args=(link,), daemon=True).start()
            threading.Thread(target=self._downstream, args=(link,), daemon=True).start()

    def _upstream(self, link: _Link) -> None:
        try:
            while not link.closed:
                data = link.client.recv(CHUNK)
                if not data:
                    break
                fault = self._take(link, data)
                if PG_COMMIT in data:
                    link.wrote = False
                if fault in ("server_error", "unavailable"):
                    break
                if fault == "wrong_content":
                    link.client.sendall(HTML)
                    break
                if fault == "slow":
                    time.sleep(self.slow_seconds)
                if fault == "malformed_body":
                    link.cut_after_answer = True
                if fault == "lose_answer":
                    link.drop_answer = True
                link.server.sendall(data)
        except OSError:
            pass
        self._finish(link)

    def _downstream(self, link: _Link) -> None:
        try:
            while not link.closed:
                data = link.server.recv(CHUNK)
                if not data:
                    break
                if link.drop_answer:
                    break
                if link.cut_after_answer:
                    link.client.sendall(data[: max(1, len(data) // 2)])
                    break
                link.client.sendall(data)
        except OSError:
            pass
        self._finish(link)

    def _finish(self, link: _Link) -> None:
        link.close()
        self._links.discard(link)
