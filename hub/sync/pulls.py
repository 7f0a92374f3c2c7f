"""Pulling inbound records from a connector, one page per job.

The page is applied and the cursor advanced in ONE transaction: a crash before
the commit replays the page (every apply is idempotent), a commit keeps both.
Each record is applied in its own savepoint: a record that cannot be applied
goes to the quarantine with its reason, and the records behind it go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from connectors.port import Connector
from dms_domain.errors import BadRecord
from dms_domain.exchange import Page, Rejected
from hub.db.engine import Database
from hub.db.schema import quarantine, sync_state
from hub.jsonable import jsonable
from hub.sync import inbound

ENTITIES: dict[str, tuple[str, Callable[[Connection, Any, datetime], str]]] = {
    # entity: (connector method, apply function)
    "order_events": ("fetch_order_events", inbound.apply_order_event),
    "shipments": ("fetch_shipments", inbound.apply_shipment),
    "stock": ("fetch_stock", inbound.apply_stock_snapshot),
    "invoices": ("fetch_invoices", inbound.apply_invoice),
    "credit_notes": ("fetch_credit_notes", inbound.apply_credit_note),
    "payments": ("fetch_payments", inbound.apply_payment),
}

log = logging.getLogger(__name__)


@dataclass
class PullResult:
    applied: int = 0
    skipped: int = 0  # stale or duplicate: already known
    quarantined: int = 0
    more: bool = False


def _state(conn: Connection, connector: str, entity: str) -> Any:
    row = conn.execute(
        select(sync_state)
        .where(sync_state.c.connector == connector, sync_state.c.entity == entity)
        .with_for_update()
    ).first()
    if row is None:
        conn.execute(
            insert(sync_state).values(
                connector=connector,
                entity=entity,
                errors_total=0,
                records_total=0,
                rejected_total=0,
            )
        )
        return None
    return row


def record_failure(db: Database, connector: str, entity: str, error: str, now: datetime) -> None:
    with db.transaction() as conn:
        _state(conn, connector, entity)
        conn.execute(
            update(sync_state)
            .where(sync_state.c.connector == connector, sync_state.c.entity == entity)
            .values(
                last_run_at=now,
                last_error=error[:2000],
                last_error_at=now,
                errors_total=sync_state.c.errors_total + 1,
            )
        )


def quarantine_record(conn: Connection, rejected: Rejected, now: datetime) -> None:
    conn.execute(
        insert(quarantine).values(
            source=rejected.source,
            entity=rejected.entity,
            key=rejected.key,
            reason=rejected.reason,
            raw=jsonable(rejected.raw),
            created_at=now,
        )
    )


def pull_page(db: Database, connector: Connector, entity: str, now: datetime) -> PullResult:
    method, apply = ENTITIES[entity]
    with db.read() as conn:
        row = conn.execute(
            select(sync_state.c.cursor).where(
                sync_state.c.connector == connector.name, sync_state.c.entity == entity
            )
        ).first()
    cursor = row.cursor if row else None
    page: Page[Any] = getattr(connector, method)(cursor)
    result = PullResult(more=page.more)
    not_applied: list[tuple[str, str]] = []
    with db.transaction() as conn:
        state = _state(conn, connector.name, entity)
        if state is not None and state.cursor != cursor:
            # Another pull of the same stream committed meanwhile: its page wins,
            # ours is dropped unapplied (the next pull continues from its cursor).
            return PullResult(more=True)
        for item in page.items:
            try:
                with conn.begin_nested():
                    outcome = apply(conn, item, now)
            except BadRecord as exc:
                not_applied.append((getattr(item, "key", "?"), exc.detail))
                quarantine_record(
                    conn,
                    Rejected(
                        connector.name, entity, getattr(item, "key", "?"), exc.detail, raw=item
                    ),
                    now,
                )
                result.quarantined += 1
                continue
            if outcome == "applied":
                result.applied += 1
            else:
                result.skipped += 1
        for rejected in page.rejected:
            quarantine_record(conn, rejected, now)
            result.quarantined += 1
        conn.execute(
            update(sync_state)
            .where(sync_state.c.connector == connector.name, sync_state.c.entity == entity)
            .values(
                cursor=page.cursor if page.cursor is not None else cursor,
                last_run_at=now,
                last_success_at=now,
                records_total=sync_state.c.records_total + result.applied,
                rejected_total=sync_state.c.rejected_total + result.quarantined,
            )
        )
    if not_applied:
        _tell_not_applied(connector, entity, page.cursor, not_applied)
    return result


def _tell_not_applied(
    connector: Connector, entity: str, cursor: str | None, failures: list[tuple[str, str]]
) -> None:
    """A connector that can mark records it delivered as failed at the source
    (staging tables: status 3) hears which the hub could not apply. Best effort:
    the records are in the quarantine already, whatever the source does."""
    hear = getattr(connector, "apply_failed", None)
    if not callable(hear):
        return
    try:
        hear(entity, cursor, failures)
    except Exception:
        log.warning(
            "%s: could not report %d records not applied",
            connector.name,
            len(failures),
            exc_info=True,
        )
