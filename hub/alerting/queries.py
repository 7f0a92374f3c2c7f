"""Alerts as people see them: lists scoped by role, acknowledge, resolve.

Scope: admins and integrators see every alert; managers the alerts of dealers
in their regions and the stock alerts of warehouses they see; dealers their
own. Outside the scope an alert does not exist (404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select, true, update

from dms_domain.alert_rules import AlertKind, AlertStatus
from dms_domain.errors import NotFound, Refused
from hub.auth.principal import Principal, Role
from hub.db.schema import alerts, warehouses
from hub.notifications.events import EventKind, notify
from hub.pagination import Page, keyset_page
from hub.services.scope import dealer_visible, warehouse_visible

_COLUMNS = (
    alerts.c.id,
    alerts.c.kind,
    alerts.c.subject,
    alerts.c.status,
    alerts.c.severity,
    alerts.c.message,
    alerts.c.details,
    alerts.c.dealer_code,
    alerts.c.warehouse_code.label("warehouse"),
    alerts.c.occurrences,
    alerts.c.opened_at,
    alerts.c.updated_at,
    alerts.c.acknowledged_at,
    alerts.c.acknowledged_by,
    alerts.c.resolved_at,
    alerts.c.resolved_by,
)


def alert_visible(principal: Principal) -> ColumnElement[bool]:
    if principal.sees_everything():
        return true()
    if principal.role is Role.MANAGER:
        seen_warehouses = select(warehouses.c.code).where(warehouse_visible(principal))
        return or_(
            dealer_visible(principal, alerts.c.dealer_code),
            and_(alerts.c.dealer_code.is_(None), alerts.c.warehouse_code.in_(seen_warehouses)),
        )
    if principal.role is Role.DEALER and principal.dealer_code:
        return alerts.c.dealer_code == principal.dealer_code
    return false()


def list_alerts(
    conn: Connection,
    principal: Principal,
    *,
    status: AlertStatus | None,
    kind: AlertKind | None,
    dealer_code: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    """Newest first."""
    query = select(*_COLUMNS).where(alert_visible(principal))
    if status is not None:
        query = query.where(alerts.c.status == status.value)
    if kind is not None:
        query = query.where(alerts.c.kind == kind.value)
    if dealer_code:
        query = query.where(alerts.c.dealer_code == dealer_code)
    return keyset_page(conn, query, (alerts.c.id,), cursor, limit, descending=True)


def _get(conn: Connection, alert_id: int, principal: Principal) -> Any:
    row = conn.execute(
        select(*_COLUMNS).where(alerts.c.id == alert_id, alert_visible(principal)).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    if principal.role is Role.INTEGRATOR and row.kind != AlertKind.SYNC_FAILURE.value:
        # Integrators run the integration: its alerts are theirs, business ones are not.
        raise Refused(
            f"the integrator role acts on sync_failure alerts only, not {row.kind}",
            code="forbidden",
            status=403,
        )
    return row


def acknowledge(
    conn: Connection, alert_id: int, principal: Principal, now: datetime
) -> dict[str, Any]:
    """open -> acknowledged (someone is on it). Acknowledging again changes nothing."""
    row = _get(conn, alert_id, principal)
    if row.status == AlertStatus.RESOLVED.value:
        raise Refused(f"alert {alert_id} is already resolved", code="alert_resolved")
    if row.status == AlertStatus.OPEN.value:
        _move(
            conn,
            alert_id,
            AlertStatus.ACKNOWLEDGED,
            acknowledged_at=now,
            acknowledged_by=principal.name,
            updated_at=now,
        )
    return _read(conn, alert_id)


def resolve(conn: Connection, alert_id: int, principal: Principal, now: datetime) -> dict[str, Any]:
    """open or acknowledged -> resolved, by a person. Resolving again changes
    nothing. If the condition still holds, the next evaluation opens a new
    alert: acknowledge to say someone is on it, resolve when it is fixed."""
    row = _get(conn, alert_id, principal)
    if row.status != AlertStatus.RESOLVED.value:
        _move(
            conn,
            alert_id,
            AlertStatus.RESOLVED,
            resolved_at=now,
            resolved_by=principal.name,
            updated_at=now,
        )
        notify(
            conn,
            EventKind.ALERT_RESOLVED,
            row.dealer_code,
            f"alert:{alert_id}:resolved",
            {
                "id": alert_id,
                "kind": row.kind,
                "subject": row.subject,
                "resolved_at": now,
                "resolved_by": principal.name,
            },
            now,
            alert_kind=row.kind,
        )
    return _read(conn, alert_id)


def _move(conn: Connection, alert_id: int, status: AlertStatus, **stamps: Any) -> None:
    conn.execute(
        update(alerts).where(alerts.c.id == alert_id).values(status=status.value, **stamps)
    )


def _read(conn: Connection, alert_id: int) -> dict[str, Any]:
    return dict(conn.execute(select(*_COLUMNS).where(alerts.c.id == alert_id)).one()._mapping)
