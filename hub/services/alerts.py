"""Alerts: one open alert per (kind, subject); raising it again counts an occurrence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.db.schema import alerts
from hub.notifications.events import EventKind, notify

SYNC_FAILURE = "sync_failure"
_NOT_RESOLVED = text("status != 'resolved'")


def raise_alert(
    conn: Connection,
    *,
    kind: str,
    subject: str,
    message: str,
    now: datetime,
    details: dict[str, Any] | None = None,
    dealer_code: str | None = None,
    severity: str = "warning",
) -> None:
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert_(alerts).values(
        kind=kind,
        subject=subject,
        status="open",
        severity=severity,
        message=message,
        details=details,
        dealer_code=dealer_code,
        opened_at=now,
        updated_at=now,
        occurrences=1,
    )
    alert = conn.execute(
        statement.on_conflict_do_update(
            index_elements=["kind", "subject"],
            index_where=_NOT_RESOLVED,
            set_={
                "message": statement.excluded.message,
                "details": statement.excluded.details,
                "updated_at": statement.excluded.updated_at,
                "occurrences": alerts.c.occurrences + 1,
            },
        ).returning(alerts.c.id, alerts.c.occurrences)
    ).one()
    if alert.occurrences == 1:  # opened now, not one more occurrence of an open alert
        notify(
            conn,
            EventKind.ALERT_OPENED,
            dealer_code,
            f"alert:{alert.id}:opened",
            {
                "id": alert.id,
                "kind": kind,
                "subject": subject,
                "severity": severity,
                "message": message,
                "details": details,
                "opened_at": now,
            },
            now,
            alert_kind=kind,
        )


def resolve_alert(conn: Connection, *, kind: str, subject: str, by: str, now: datetime) -> bool:
    """Resolve the open alert of (kind, subject), if any: the condition cleared."""
    resolved = conn.execute(
        update(alerts)
        .where(alerts.c.kind == kind, alerts.c.subject == subject, alerts.c.status != "resolved")
        .values(status="resolved", resolved_at=now, resolved_by=by, updated_at=now)
        .returning(alerts.c.id, alerts.c.dealer_code)
    ).all()
    for alert in resolved:  # at most one: one unresolved alert per (kind, subject)
        notify(
            conn,
            EventKind.ALERT_RESOLVED,
            alert.dealer_code,
            f"alert:{alert.id}:resolved",
            {
                "id": alert.id,
                "kind": kind,
                "subject": subject,
                "resolved_at": now,
                "resolved_by": by,
            },
            now,
            alert_kind=kind,
        )
    return bool(resolved)
