"""Keep a kind's alerts equal to the conditions that hold now, in set operations.

Given every condition of one kind that holds (a ``Condition`` per subject):
subjects with no unresolved alert get one (opened, ``alert.opened`` sent);
unresolved alerts whose condition still holds keep their status (an
acknowledged one stays acknowledged) and get the newest message and evidence;
unresolved alerts whose condition cleared are resolved with the time and
``resolved_by = "evaluation"`` (``alert.resolved`` sent). Running it twice
with the same conditions changes nothing, and the unique index on unresolved
(kind, subject) keeps two evaluations running at once from opening one twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, select, text, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.db.schema import alerts
from hub.jsonable import jsonable
from hub.notifications.events import EventKind, notify_many

RESOLVED_BY = "evaluation"
CHUNK = 5_000  # ids per statement: below SQLite's bound-parameter limit
_NOT_RESOLVED = text("status != 'resolved'")


@dataclass(frozen=True, slots=True)
class Condition:
    """One thing that is wrong now: what it is about and the evidence."""

    subject: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    dealer_code: str | None = None
    warehouse_code: str | None = None
    severity: str = "warning"


@dataclass(frozen=True, slots=True)
class SyncResult:
    firing: int
    opened: int
    updated: int
    resolved: int


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def sync_alerts(
    conn: Connection,
    kind: str,
    conditions: Sequence[Condition],
    now: datetime,
    *,
    owned: ColumnElement[bool] | None = None,
) -> SyncResult:
    """Open, refresh and resolve the alerts of ``kind``. ``owned`` limits which
    subjects this evaluation answers for (sync_failure alerts about single
    orders belong to the sync engine, not to the evaluation)."""
    scope = owned if owned is not None else true()
    existing = {
        row.subject: row
        for row in conn.execute(
            select(alerts.c.id, alerts.c.subject, alerts.c.message, alerts.c.details).where(
                alerts.c.kind == kind, alerts.c.status != "resolved", scope
            )
        )
    }
    firing = {c.subject: c for c in conditions}
    opened = _open(conn, kind, [c for s, c in firing.items() if s not in existing], now)
    changed = [
        {"alert_id": row.id, "new_message": c.message, "new_details": jsonable(c.details)}
        for s, c in firing.items()
        if (row := existing.get(s)) is not None
        and (row.message != c.message or row.details != jsonable(c.details))
    ]
    if changed:
        conn.execute(
            update(alerts)
            .where(alerts.c.id == bindparam("alert_id"))
            .values(
                message=bindparam("new_message"),
                details=bindparam("new_details"),
                updated_at=now,
            ),
            changed,
        )
    gone = [row.id for s, row in existing.items() if s not in firing]
    resolved = _resolve(conn, kind, gone, now)
    return SyncResult(len(firing), opened, len(changed), resolved)


def _open(conn: Connection, kind: str, new: Sequence[Condition], now: datetime) -> int:
    if not new:
        return 0
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "kind": kind,
            "subject": c.subject,
            "status": "open",
            "severity": c.severity,
            "message": c.message,
            "details": jsonable(c.details),
            "dealer_code": c.dealer_code,
            "warehouse_code": c.warehouse_code,
            "opened_at": now,
            "updated_at": now,
            "occurrences": 1,
        }
        for c in new
    ]
    statement = insert_(alerts).on_conflict_do_nothing(
        index_elements=["kind", "subject"], index_where=_NOT_RESOLVED
    )
    for chunk in _chunks(rows):
        conn.execute(statement, list(chunk))
    by_subject = {c.subject: c for c in new}
    events = []
    for chunk in _chunks(list(by_subject)):
        for row in conn.execute(
            select(alerts.c.id, alerts.c.subject).where(
                alerts.c.kind == kind,
                alerts.c.status == "open",
                alerts.c.opened_at == now,
                alerts.c.subject.in_(chunk),
            )
        ):
            c = by_subject[row.subject]
            payload = {
                "id": row.id,
                "kind": kind,
                "subject": c.subject,
                "severity": c.severity,
                "message": c.message,
                "details": c.details,
                "opened_at": now,
            }
            events.append((c.dealer_code, f"alert:{row.id}:opened", payload))
    notify_many(conn, EventKind.ALERT_OPENED, events, now, alert_kind=kind)
    return len(events)


def _resolve(conn: Connection, kind: str, ids: Sequence[int], now: datetime) -> int:
    events = []
    for chunk in _chunks(ids):
        for row in conn.execute(
            update(alerts)
            .where(alerts.c.id.in_(chunk), alerts.c.status != "resolved")
            .values(status="resolved", resolved_at=now, resolved_by=RESOLVED_BY, updated_at=now)
            .returning(alerts.c.id, alerts.c.subject, alerts.c.dealer_code)
        ):
            payload = {
                "id": row.id,
                "kind": kind,
                "subject": row.subject,
                "resolved_at": now,
                "resolved_by": RESOLVED_BY,
            }
            events.append((row.dealer_code, f"alert:{row.id}:resolved", payload))
    notify_many(conn, EventKind.ALERT_RESOLVED, events, now, alert_kind=kind)
    return len(events)
