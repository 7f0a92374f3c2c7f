"""Every request runs with a correlation id: the caller's ``X-Correlation-ID``
when it sent a sane one, else a new one; the answer carries it back, and
whatever the request writes to the outbox takes it on to the worker."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors import correlation

_HEADER = correlation.HEADER.lower().encode()


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = next((v for k, v in scope["headers"] if k == _HEADER), None)
        correlation_id = correlation.accepted(
            offered.decode("latin-1") if offered is not None else None
        )

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((_HEADER, correlation_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        # Sync routes run in worker threads; anyio copies this context into them.
        with correlation.bound(correlation_id):
            await self.app(scope, receive, send_with_id)
