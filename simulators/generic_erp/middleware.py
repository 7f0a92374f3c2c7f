"""Armed faults applied to API calls, before (or, for a lost answer, after) the
call is handled. Hangs end early when the server stops, so a test run never
waits for a sleeping handler."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from simulators.generic_erp.answers import error_answer
from simulators.generic_erp.faults import Call, FaultKind, FaultPlan

CONTROL_PREFIX = "/_control"
PULL_PATHS = frozenset({"/events", "/shipments", "/stock", "/invoices"})
# Cut off mid-document, as a proxy that dropped the connection would leave it.
MALFORMED = b'{"items": [{"seq": 1, "externalRef": "SO-'
WRONG_CONTENT = b"<html><body><h1>Login required</h1><p>Session expired.</p></body></html>"


@dataclass(frozen=True, slots=True)
class Timing:
    hang_seconds: float = 30.0  # a timeout or a lost answer: longer than any client waits
    slow_seconds: float = 0.2  # a slow answer: shorter than the client's timeout


def call_of(request: Request) -> Call:
    path, method = request.url.path, request.method
    return Call(
        write=method == "POST" and path.startswith("/orders"),
        pull=method == "GET" and path in PULL_PATHS,
        lookup=method == "GET" and path == "/orders",
    )


class FaultMiddleware(BaseHTTPMiddleware):
    def __init__(
        self, app: ASGIApp, *, faults: FaultPlan, timing: Timing, stopping: threading.Event
    ) -> None:
        super().__init__(app)
        self.faults = faults
        self.timing = timing
        self.stopping = stopping

    async def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(min(0.05, max(deadline - time.monotonic(), 0)))

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path.startswith(CONTROL_PREFIX):
            return await call_next(request)
        fault = self.faults.take(call_of(request))
        if fault is None:
            return await call_next(request)
        canned = _canned(fault)
        if canned is not None:
            return canned
        if fault is FaultKind.TIMEOUT:
            await self._wait(self.timing.hang_seconds)
            return error_answer(504, "TOO_LATE", "the client should have given up by now")
        if fault is FaultKind.SLOW:
            await self._wait(self.timing.slow_seconds)
        elif fault is FaultKind.DUPLICATE_RECORDS:
            request.state.duplicate_records = True
        elif fault is FaultKind.STALE_READ:
            request.state.stale_read = True
        response = await call_next(request)
        if fault is FaultKind.LOSE_ANSWER:
            await self._wait(self.timing.hang_seconds)
        return response


def _canned(fault: FaultKind) -> Response | None:
    """The answer of a fault that answers at once, without doing anything."""
    if fault is FaultKind.SERVER_ERROR:
        return error_answer(500, "INTERNAL_ERROR", "simulated server error")
    if fault is FaultKind.UNAVAILABLE:
        return error_answer(503, "UNAVAILABLE", "simulated maintenance window")
    if fault is FaultKind.MALFORMED_BODY:
        return Response(MALFORMED, media_type="application/json")
    if fault is FaultKind.WRONG_CONTENT:
        return Response(WRONG_CONTENT, media_type="text/html")
    if fault is FaultKind.REFUSE_WRITE:
        return error_answer(400, "BAD_REQUEST", "simulated: the request is not understood")
    return None
