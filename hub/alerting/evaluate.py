"""Run the rules: each kind in its own transaction, its duration recorded.

Called by the ``evaluate_alerts`` job (scheduled every
``DMS_ALERT_EVALUATION_SECONDS``) and by the benchmark. Idempotent: running it
again with nothing changed opens, updates and resolves nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dms_domain.alert_rules import AlertKind
from hub.alerting.conditions import (
    Context,
    Finder,
    credit_overdue,
    cross_region,
    licences,
    low_stock,
    purchase_drop,
    sync_failure,
)
from hub.alerting.lifecycle import SyncResult, sync_alerts
from hub.alerting.rules import load_rules
from hub.db.engine import Database
from hub.db.schema import alert_evaluations

FINDERS: dict[AlertKind, Finder] = {
    AlertKind.LOW_STOCK: low_stock.find,
    AlertKind.PURCHASE_DROP: purchase_drop.find,
    AlertKind.CROSS_REGION_SALES: cross_region.find,
    AlertKind.CREDIT_OVERDUE: credit_overdue.find,
    AlertKind.LICENCE_EXPIRING: licences.find,
    AlertKind.SYNC_FAILURE: sync_failure.find,
}


def _owned(kind: AlertKind) -> ColumnElement[bool] | None:
    return sync_failure.owned() if kind is AlertKind.SYNC_FAILURE else None


def evaluate(
    db: Database, now: datetime, tz: ZoneInfo, kinds: Iterable[AlertKind] | None = None
) -> dict[AlertKind, SyncResult]:
    """Evaluate the given kinds (all by default). A disabled rule finds nothing,
    so its open alerts are resolved."""
    with db.read() as conn:
        rules = load_rules(conn)
    ctx = Context(now, tz)
    results = {}
    for kind in kinds or list(AlertKind):
        rule = rules[kind]
        started = time.perf_counter()
        with db.transaction() as conn:
            found = FINDERS[kind](conn, rule.thresholds, ctx) if rule.enabled else []
            result = sync_alerts(conn, kind.value, found, now, owned=_owned(kind))
            elapsed_ms = int((time.perf_counter() - started) * 1000)
            _record(conn, kind, now, elapsed_ms, result)
        results[kind] = result
    return results


def _record(
    conn: Connection, kind: AlertKind, now: datetime, elapsed_ms: int, result: SyncResult
) -> None:
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    values = {
        "evaluated_at": now,
        "duration_ms": elapsed_ms,
        "firing": result.firing,
        "opened": result.opened,
        "resolved": result.resolved,
    }
    statement = insert_(alert_evaluations).values(kind=kind.value, **values)
    conn.execute(statement.on_conflict_do_update(index_elements=["kind"], set_=values))
