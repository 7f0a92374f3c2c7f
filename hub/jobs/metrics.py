"""Metrics of job processes: job runs, retries, failures and durations per actor,
and the latency and errors of every connector call per system and operation.

Metric objects are created per runtime (no registry at import time); with
``PROMETHEUS_MULTIPROC_DIR`` set, every process writes its own files there and
one scrape merges them (the API's /metrics, or a worker's --metrics-port).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram

from connectors.port import Connector
from dms_domain.exchange import Capability
from hub.metrics import LATENCY_BUCKETS, multiprocess_dir

JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


class SyncMetrics:
    def __init__(self) -> None:
        self.registry: CollectorRegistry | None = (
            None if multiprocess_dir() else CollectorRegistry(auto_describe=True)
        )
        self.job_runs = Counter(
            "dms_job_runs_total",
            "Jobs run, by actor and outcome (ok, retry, failed).",
            ("actor", "outcome"),
            registry=self.registry,
        )
        self.job_duration = Histogram(
            "dms_job_duration_seconds",
            "How long a job ran, by actor.",
            ("actor",),
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )
        self.connector_latency = Histogram(
            "dms_connector_call_duration_seconds",
            "Latency of calls to outside systems, by connector and operation.",
            ("connector", "system", "operation"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.connector_errors = Counter(
            "dms_connector_call_errors_total",
            "Failed calls to outside systems, by connector, operation and error class.",
            ("connector", "system", "operation", "error"),
            registry=self.registry,
        )


class JobMetrics(Middleware):
    """Counts and times every job. Runs after Retries, so a failed message is
    known to be final (``message.failed``) or going to be retried."""

    def __init__(self, metrics: SyncMetrics) -> None:
        self.metrics = metrics
        self._started: dict[str, float] = {}

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        self._started[message.message_id] = time.perf_counter()

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        started = self._started.pop(message.message_id, None)
        if started is not None:
            self.metrics.job_duration.labels(message.actor_name).observe(
                time.perf_counter() - started
            )
        outcome = "ok" if exception is None else "failed" if message.failed else "retry"
        self.metrics.job_runs.labels(message.actor_name, outcome).inc()

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        self._started.pop(message.message_id, None)


_METERED = (
    "push_order",
    "find_order",
    "cancel_order",
    "fetch_order_events",
    "fetch_shipments",
    "fetch_stock",
    "fetch_invoices",
    "fetch_credit_notes",
    "fetch_payments",
    "fetch_customers",
    "fetch_products",
)


class MeteredConnector:
    """A connector whose every remote operation is timed and its errors counted."""

    def __init__(self, inner: Connector, metrics: SyncMetrics) -> None:
        self._inner = inner
        self._metrics = metrics
        self.name = inner.name
        self.system = inner.system
        self.capabilities: frozenset[Capability] = inner.capabilities

    def __getattr__(self, operation: str) -> Any:
        target = getattr(self._inner, operation)
        if operation not in _METERED:
            return target
        return self._timed(operation, target)

    def _timed(self, operation: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            except Exception as exc:
                self._metrics.connector_errors.labels(
                    self.name, self.system, operation, type(exc).__name__
                ).inc()
                raise
            finally:
                self._metrics.connector_latency.labels(self.name, self.system, operation).observe(
                    time.perf_counter() - started
                )

        return timed

    def check(self) -> list[str]:
        return self._inner.check()

    def close(self) -> None:
        self._inner.close()
