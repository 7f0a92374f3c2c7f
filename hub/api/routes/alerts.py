"""Alerts (scoped by role; managers acknowledge and resolve theirs) and alert
rules (thresholds: admins change them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from dms_domain.alert_rules import AlertKind, AlertStatus
from hub.alerting import queries
from hub.alerting.rules import load_rules, put_rule
from hub.api.deps import Admin, AnyRole, ContainerDep, Cursor, Limit, allow
from hub.api.types import Flag, RequestModel, ResponseModel
from hub.auth.principal import Principal, Role

router = APIRouter(prefix="/api/v1", tags=["alerts"])
Acknowledger = Annotated[Principal, Depends(allow(Role.ADMIN, Role.INTEGRATOR, Role.MANAGER))]
RuleReader = Acknowledger


class AlertOut(ResponseModel):
    id: int
    kind: str
    subject: str = Field(description="what it is about: stock:WH/SKU, dealer:CODE, licence:...")
    status: AlertStatus
    severity: str
    message: str
    details: dict[str, Any] | None = Field(description="the evidence")
    dealer_code: str | None
    warehouse: str | None
    occurrences: int
    opened_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None


class AlertPage(ResponseModel):
    items: list[AlertOut]
    next_cursor: str | None


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    principal: AnyRole,
    container: ContainerDep,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    dealer_code: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.read() as conn:
        return queries.list_alerts(
            conn,
            principal,
            status=status,
            kind=kind,
            dealer_code=dealer_code,
            cursor=cursor,
            limit=limit,
        )


AlertId = Annotated[int, Path(ge=1)]


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut)
def acknowledge(alert_id: AlertId, principal: Acknowledger, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return queries.acknowledge(conn, alert_id, principal, container.clock.now())


@router.post("/alerts/{alert_id}/resolve", response_model=AlertOut)
def resolve(alert_id: AlertId, principal: Acknowledger, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return queries.resolve(conn, alert_id, principal, container.clock.now())


class RuleIn(RequestModel):
    enabled: Flag = True
    thresholds: dict[str, Any] = Field(
        default_factory=dict,
        description="missing thresholds take their defaults; percents are decimal strings",
    )


class RuleOut(ResponseModel):
    kind: AlertKind
    enabled: bool
    thresholds: dict[str, int | str]
    defaults: dict[str, int | str]
    updated_at: datetime | None
    updated_by: str | None


@router.get("/alert-rules", response_model=list[RuleOut])
def list_rules(_: RuleReader, container: ContainerDep) -> Any:
    with container.db.read() as conn:
        return [rule.as_dict() for rule in load_rules(conn).values()]


@router.put("/alert-rules/{kind}", response_model=RuleOut)
def put_alert_rule(kind: AlertKind, body: RuleIn, principal: Admin, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        rule = put_rule(
            conn,
            kind,
            enabled=body.enabled,
            thresholds=body.thresholds,
            actor=principal,
            now=container.clock.now(),
        )
    return rule.as_dict()
