"""What both faces of the simulator share at the HTTP edge: the logon (basic
authentication, as the ICM asks for it), waiting that ends when the server
stops, and the answers of faults that answer at once."""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from simulators.sap.faults import FaultPlan
from simulators.sap.state import SapSystem

LOGON_PAGE = (
    b"<html><head><title>Logon Error Message</title></head><body>"
    b"<h1>Anmeldung fehlgeschlagen / Logon failed</h1></body></html>"
)
UNAVAILABLE_PAGE = (
    b"<html><head><title>Service cannot be reached</title></head><body>"
    b"<h2>503 Service not available</h2><p>ICM: no application server reachable</p></body></html>"
)
REALM = 'Basic realm="SAP NetWeaver Application Server [S4H/100]"'


@dataclass(frozen=True, slots=True)
class Timing:
    hang_seconds: float = 30.0  # a timeout or a lost answer: longer than any client waits
    slow_seconds: float = 0.2  # a slow answer: shorter than the client's timeout


@dataclass
class Edge:
    system: SapSystem
    faults: FaultPlan
    user: str
    password: str
    timing: Timing = field(default_factory=Timing)
    stopping: threading.Event = field(default_factory=threading.Event)
    # The X-Correlation-ID of the latest calls (every call is checked for logon).
    traces: deque[str | None] = field(default_factory=lambda: deque(maxlen=1000))

    def logged_on(self, request: Request) -> bool:
        self.traces.append(request.headers.get("x-correlation-id"))
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user.upper(), self.user.upper()) and secrets.compare_digest(
            password, self.password
        )

    async def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(min(0.05, max(deadline - time.monotonic(), 0)))


def logon_refused() -> Response:
    return Response(
        LOGON_PAGE, status_code=401, media_type="text/html", headers={"WWW-Authenticate": REALM}
    )


def unavailable() -> Response:
    return Response(UNAVAILABLE_PAGE, status_code=503, media_type="text/html")


def logon_page() -> Response:
    """What a proxy's single sign-on page looks like to a client expecting XML or JSON."""
    return Response(LOGON_PAGE, status_code=200, media_type="text/html")
