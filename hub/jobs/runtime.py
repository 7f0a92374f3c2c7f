"""The composition root of a process that runs jobs (a worker, the scheduler,
or the API's in-process worker): the container, the connectors, the broker
and its actors, and the one place actors find them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
from dramatiq import Worker
from dramatiq.broker import Broker
from dramatiq.middleware import Retries

from connectors import correlation
from connectors.port import Connector
from connectors.registry import build_connector
from dms_domain.calendar import local_date
from hub.alerting.evaluate import evaluate
from hub.alerting.vmi import run_vmi
from hub.bootstrap import Container, connector_context
from hub.db.engine import Database
from hub.jobs.actors import Actors, RetryPolicy, declare_actors
from hub.jobs.broker import build_broker
from hub.jobs.metrics import JobMetrics, MeteredConnector, SyncMetrics
from hub.notifications.sender import deliver_due
from hub.services import settlement_jobs
from hub.services.order_placement import ORDER_PLACED
from hub.services.order_queries import ORDER_CANCEL
from hub.sync import orders_out, retention, wms_out
from hub.sync.dead_letters import claim_replays
from hub.sync.inbound import ORDER_CANCELLED, ORDER_CONFIRMED
from hub.sync.outbox import OutboxRow, claim_due, mark_done
from hub.sync.pulls import pull_page, record_failure
from hub.sync.reconcile import reconcile_connector

log = logging.getLogger(__name__)
RELAY_BATCH = 500
# A pull job reads pages of its stream for this long before the rest becomes
# another job (Runtime.pull).
PULL_SECONDS = 1.0

_current: Runtime | None = None
_lock = threading.Lock()


@dataclass
class Runtime:
    container: Container
    connectors: dict[str, Connector]
    broker: Broker
    metrics: SyncMetrics
    actors: Actors = field(init=False)
    # One long-lived client for webhook deliveries (keeps connections warm).
    webhook_client: httpx.Client = field(default_factory=httpx.Client, init=False)

    def __post_init__(self) -> None:
        settings = self.container.settings
        self.actors = declare_actors(
            self.broker,
            current_runtime,
            RetryPolicy(
                settings.job_max_retries, settings.job_min_backoff_ms, settings.job_max_backoff_ms
            ),
        )

    @property
    def db(self) -> Database:
        return self.container.db

    # -- the work of each actor ------------------------------------------------------

    def push_order(self, order_no: str, outbox_id: int | None) -> None:
        now = self.container.clock.now()
        outcome = orders_out.push_order(
            self.db,
            self.connectors,
            order_no,
            default_erp=self.container.settings.order_erp,
            now=now,
            lease=timedelta(seconds=self.container.settings.order_lease_seconds),
        )
        log.info("push %s: %s", order_no, outcome)
        self._done(outbox_id)

    def cancel_order(self, order_no: str, reason: str | None, outbox_id: int | None) -> None:
        now = self.container.clock.now()
        outcome = orders_out.cancel_order(
            self.db,
            self.connectors,
            order_no,
            reason=reason,
            default_erp=self.container.settings.order_erp,
            now=now,
            lease=timedelta(seconds=self.container.settings.order_lease_seconds),
            wms=self.container.settings.order_wms,
        )
        log.info("cancel %s: %s", order_no, outcome)
        self._done(outbox_id)

    def push_to_wms(self, order_no: str, outbox_id: int | None) -> None:
        outcome = wms_out.put_order(
            self.db,
            self.connectors,
            order_no,
            wms=self.container.settings.order_wms,
            now=self.container.clock.now(),
            lease=timedelta(seconds=self.container.settings.order_lease_seconds),
        )
        log.info("put %s to the WMS: %s", order_no, outcome)
        self._done(outbox_id)

    def cancel_in_wms(self, order_no: str, outbox_id: int | None) -> None:
        outcome = wms_out.cancel_cancelled(
            self.db,
            self.connectors,
            order_no,
            wms=self.container.settings.order_wms,
            now=self.container.clock.now(),
            lease=timedelta(seconds=self.container.settings.order_lease_seconds),
        )
        log.info("cancel %s in the WMS: %s", order_no, outcome)
        self._done(outbox_id)

    def pull(self, connector: str, entity: str) -> None:
        """Pages of one stream while there are more, for up to PULL_SECONDS;
        then the rest is another job. A backlog is read page after page by one
        process (a connector may claim the next page while this one is
        applied), and no job holds a worker thread for long."""
        deadline = time.monotonic() + PULL_SECONDS
        while True:
            now = self.container.clock.now()
            try:
                result = pull_page(self.db, self.connectors[connector], entity, now)
            except Exception as exc:
                record_failure(self.db, connector, entity, f"{type(exc).__name__}: {exc}", now)
                raise
            if not result.more:
                return
            if time.monotonic() >= deadline:
                break
        self.actors.pull.send(connector, entity)

    def relay_outbox(self) -> None:
        """Send every due outbox row, in batches, and the replayed dead letters."""
        redispatch_after = timedelta(seconds=self.container.settings.outbox_redispatch_seconds)
        while True:
            with self.db.transaction() as conn:
                due = claim_due(
                    conn,
                    self.container.clock.now(),
                    limit=RELAY_BATCH,
                    redispatch_after=redispatch_after,
                )
            for row in due:
                # The job carries the id of the request that wrote the row.
                with correlation.bound(row.correlation_id):
                    self._dispatch(row)
            if len(due) < RELAY_BATCH:
                break
        with self.db.transaction() as conn:
            replays = claim_replays(conn, self.container.clock.now())
        for letter in replays:
            self.broker.get_actor(letter.actor).send_with_options(
                args=tuple(letter.args), kwargs=letter.kwargs
            )

    def _dispatch(self, row: OutboxRow) -> None:
        if row.topic == ORDER_PLACED:
            urgent = row.priority > 0
            actor = self.actors.push_order_urgent if urgent else self.actors.push_order
            actor.send(row.key, outbox_id=row.id)
        elif row.topic in (ORDER_CONFIRMED, ORDER_CANCELLED):
            if self.container.settings.order_wms is None:
                self._done(row.id)  # no warehouse leg in this deployment
            elif row.topic == ORDER_CONFIRMED:
                self.actors.push_to_wms.send(row.key, outbox_id=row.id)
            else:
                self.actors.cancel_in_wms.send(row.key, outbox_id=row.id)
        elif row.topic == ORDER_CANCEL:
            self.actors.cancel_order.send(
                row.key, reason=row.payload.get("reason"), outbox_id=row.id
            )
        else:
            log.error("outbox row %s has an unknown topic %r", row.id, row.topic)

    def deliver_webhooks(self) -> None:
        summary = deliver_due(self.db, self.webhook_client, self.container.clock.now())
        _log_counts("webhooks", asdict(summary))

    def purge(self) -> None:
        settings = self.container.settings
        removed = retention.purge(
            self.db,
            now=self.container.clock.now(),
            outbox_days=settings.retention_outbox_days,
            login_failure_window_seconds=settings.login_failure_window_seconds,
            delivery_log_days=settings.retention_delivery_log_days,
            alert_days=settings.retention_alert_days,
        )
        _log_counts("retention removed", removed)

    def reconcile(self, connector: str) -> None:
        runs = reconcile_connector(
            self.db,
            self.connectors,
            connector,
            self.container.clock.now(),
            default_erp=self.container.settings.order_erp,
        )
        # One readable line; the drifted keys are in reconciliation_runs.
        log.info(
            "reconcile %s: %s",
            connector,
            ", ".join(
                f"{r.entity} checked {r.checked} drifted {r.drifted} repaired {r.repaired}"
                for r in runs
            ),
        )

    def issue_statements(self) -> None:
        settings = self.container.settings
        done = settlement_jobs.issue_due_statements(
            self.db, now=self.container.clock.now(), tz=settings.business_tz
        )
        _log_counts("statements issued", {"dealers": len(done)})

    def send_reminders(self) -> None:
        settings = self.container.settings
        sent = settlement_jobs.remind(
            self.db,
            now=self.container.clock.now(),
            tz=settings.business_tz,
            offsets=settings.reminder_offsets_days,
        )
        _log_counts("payment reminders", {"sent": sent})

    def evaluate_alerts(self) -> None:
        """Every alert rule, then the VMI proposals (hub/alerting)."""
        now = self.container.clock.now()
        tz = ZoneInfo(self.container.settings.business_tz)
        results = evaluate(self.db, now, tz)
        # "firing" counts standing conditions: not news on every evaluation.
        changes = {
            f"{kind.value} {change}": getattr(result, change)
            for kind, result in results.items()
            for change in ("opened", "updated", "resolved")
        }
        _log_counts("alerts", changes)
        vmi = asdict(run_vmi(self.db, now, local_date(now, tz)))
        _log_counts("vmi", {k: v for k, v in vmi.items() if k != "needed"})

    def _done(self, outbox_id: int | None) -> None:
        if outbox_id is not None:
            with self.db.transaction() as conn:
                mark_done(conn, outbox_id, self.container.clock.now())

    def close(self) -> None:
        for connector in self.connectors.values():
            connector.close()
        self.webhook_client.close()
        self.broker.close()


def build_runtime(container: Container) -> Runtime:
    settings = container.settings
    metrics = SyncMetrics()
    connectors: dict[str, Connector] = {
        name: MeteredConnector(
            build_connector(name, config, connector_context(container, name)), metrics
        )
        for name, config in sorted(settings.connectors.items())
    }
    broker = build_broker(settings.broker_url, container.db, container.clock)
    # Before Retries in the list, so its after-hook sees the retry decision.
    broker.add_middleware(JobMetrics(metrics), before=Retries)
    if metrics.registry is not None:
        container.extra_registries.append(metrics.registry)
    runtime = Runtime(container, connectors, broker, metrics)
    install(runtime)
    return runtime


def _log_counts(what: str, counts: Mapping[str, int]) -> None:
    """One line of what a periodic job did: at INFO when it did something,
    at DEBUG when it did nothing (some run every few seconds)."""
    done = {name: count for name, count in counts.items() if count}
    if done:
        log.info("%s: %s", what, ", ".join(f"{name} {count}" for name, count in done.items()))
    else:
        log.debug("%s: nothing", what)


def install(runtime: Runtime | None) -> None:
    global _current  # noqa: PLW0603 - the one process-wide runtime actors find
    with _lock:
        _current = runtime


def current_runtime() -> Runtime:
    runtime = _current
    if runtime is None:
        raise RuntimeError("no job runtime in this process: build_runtime() first")
    return runtime


def start_worker(runtime: Runtime, threads: int) -> Worker:
    worker = Worker(runtime.broker, queues=set(runtime.actors.queues()), worker_threads=threads)
    worker.start()
    return worker
