"""Prometheus metrics of the API process.

Metric objects are built by the composition root, not at import time. With
``PROMETHEUS_MULTIPROC_DIR`` set (several uvicorn workers, or the Dramatiq
workers), values go to that directory and a scrape merges every process's
files through one ``MultiProcessCollector``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class HubMetrics:
    def __init__(self) -> None:
        # In multiprocess mode metrics must not be registered in a live registry:
        # the scrape builds one from the files instead.
        self.registry: CollectorRegistry | None = (
            None if multiprocess_dir() else CollectorRegistry(auto_describe=True)
        )
        self.http_requests = Counter(
            "dms_http_requests_total",
            "HTTP requests answered, by method, route template and status code.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "dms_http_request_duration_seconds",
            "HTTP request latency from first byte in to last byte out.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def render(self, *extra: CollectorRegistry | None) -> tuple[bytes, str]:
        """This process's metrics (or, in multiprocess mode, every process's),
        then the ``extra`` registries (database gauges, in-process jobs)."""
        if self.registry is not None:
            body = generate_latest(self.registry)
        else:
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            body = generate_latest(merged)
        body += b"".join(generate_latest(r) for r in extra if r is not None)
        return body, CONTENT_TYPE_LATEST


class HttpMetricsMiddleware:
    """Counts and times requests by route template (never the raw path: codes in
    paths would make one time series per dealer)."""

    def __init__(self, app: ASGIApp, metrics: HubMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_capture)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.http_requests.labels(method, template, str(status)).inc()
            self.metrics.http_latency.labels(method, template).observe(
                time.perf_counter() - started
            )
