"""Gauges computed from the database at scrape time, by one collector in the API
process (design.md: not per process, so several workers do not multiply them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from hub.clock import Clock
from hub.db.engine import Database
from hub.db.schema import (
    alert_evaluations,
    alerts,
    dead_letters,
    orders,
    outbox,
    quarantine,
    reconciliation_runs,
    sync_state,
)


class DatabaseGauges(Collector):
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now: datetime = self.clock.now()
        by_status = GaugeMetricFamily("dms_orders", "Orders by status.", labels=["status"])
        backlog = GaugeMetricFamily(
            "dms_outbox_backlog",
            "Outbox rows not yet done, by topic and status.",
            labels=["topic", "status"],
        )
        oldest = GaugeMetricFamily(
            "dms_outbox_oldest_pending_seconds", "Age of the oldest outbox row not done."
        )
        letters = GaugeMetricFamily("dms_dead_letters_open", "Dead letters waiting for a person.")
        quarantined = GaugeMetricFamily(
            "dms_quarantine_records",
            "Inbound records quarantined, by source and entity.",
            labels=["source", "entity"],
        )
        lag = GaugeMetricFamily(
            "dms_sync_lag_seconds",
            "Seconds since the last successful pull, by connector and entity.",
            labels=["connector", "entity"],
        )
        drift_units = GaugeMetricFamily(
            "dms_stock_drift_units",
            "Units of on-hand that differed from the system in the latest stock reconciliation.",
            labels=["connector"],
        )
        drifted = GaugeMetricFamily(
            "dms_reconciliation_drifted",
            "Records that differed in the latest reconciliation, by connector and entity.",
            labels=["connector", "entity"],
        )
        open_alerts = GaugeMetricFamily(
            "dms_alerts_open",
            "Alerts not resolved, by kind and status (open or acknowledged).",
            labels=["kind", "status"],
        )
        evaluation = GaugeMetricFamily(
            "dms_alert_evaluation_duration_seconds",
            "How long the latest evaluation of each alert rule took.",
            labels=["kind"],
        )
        evaluated = GaugeMetricFamily(
            "dms_alert_evaluation_age_seconds",
            "Seconds since each alert rule was last evaluated.",
            labels=["kind"],
        )
        with self.db.read() as conn:
            for kind, status, count in conn.execute(
                select(alerts.c.kind, alerts.c.status, func.count())
                .where(alerts.c.status != "resolved")
                .group_by(alerts.c.kind, alerts.c.status)
            ):
                open_alerts.add_metric([kind, status], count)
            for kind, at, duration_ms in conn.execute(
                select(
                    alert_evaluations.c.kind,
                    alert_evaluations.c.evaluated_at,
                    alert_evaluations.c.duration_ms,
                )
            ):
                evaluation.add_metric([kind], duration_ms / 1000)
                evaluated.add_metric([kind], (now - at).total_seconds())
            for status, count in conn.execute(
                select(orders.c.status, func.count()).group_by(orders.c.status)
            ):
                by_status.add_metric([status], count)
            first = None
            for topic, status, count, created in conn.execute(
                select(outbox.c.topic, outbox.c.status, func.count(), func.min(outbox.c.created_at))
                .where(outbox.c.status != "done")
                .group_by(outbox.c.topic, outbox.c.status)
            ):
                backlog.add_metric([topic, status], count)
                first = created if first is None or (created and created < first) else first
            oldest.add_metric([], (now - first).total_seconds() if first else 0.0)
            letters.add_metric(
                [],
                conn.scalar(select(func.count()).where(dead_letters.c.status == "open")) or 0,
            )
            for source, entity, count in conn.execute(
                select(quarantine.c.source, quarantine.c.entity, func.count()).group_by(
                    quarantine.c.source, quarantine.c.entity
                )
            ):
                quarantined.add_metric([source, entity], count)
            for connector, entity, success in conn.execute(
                select(sync_state.c.connector, sync_state.c.entity, sync_state.c.last_success_at)
            ):
                if success is not None:
                    lag.add_metric([connector, entity], (now - success).total_seconds())
            latest = (
                select(func.max(reconciliation_runs.c.id))
                .group_by(reconciliation_runs.c.connector, reconciliation_runs.c.entity)
                .scalar_subquery()
            )
            for connector, entity, count, details in conn.execute(
                select(
                    reconciliation_runs.c.connector,
                    reconciliation_runs.c.entity,
                    reconciliation_runs.c.drifted,
                    reconciliation_runs.c.details,
                ).where(reconciliation_runs.c.id.in_(latest))
            ):
                drifted.add_metric([connector, entity], count)
                if entity == "stock":
                    drift_units.add_metric([connector], (details or {}).get("drift_units", 0))
        yield from (by_status, backlog, oldest, letters, quarantined, lag, drift_units, drifted)
        yield from (open_alerts, evaluation, evaluated)
