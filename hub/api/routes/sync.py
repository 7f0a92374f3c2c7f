"""Operations of the sync engine: connectors' health, dead letters and replay."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import Connection, select

from hub.api.deps import ContainerDep, Cursor, Limit, allow
from hub.api.types import ResponseModel
from hub.auth.principal import Principal, Role
from hub.db.schema import sync_state
from hub.services import audit
from hub.sync.dead_letters import discard, list_dead_letters, request_replay

router = APIRouter(prefix="/api/v1", tags=["operations"])
Operator = Annotated[Principal, Depends(allow(Role.ADMIN, Role.INTEGRATOR))]


class EntityState(ResponseModel):
    entity: str
    last_run_at: datetime | None
    last_success_at: datetime | None
    lag_seconds: float | None
    records_total: int
    rejected_total: int
    errors_total: int
    last_error: str | None
    last_error_at: datetime | None


class ConnectorState(ResponseModel):
    name: str
    system: str | None
    receives_orders: bool
    entities: list[EntityState]


@router.get("/connectors", response_model=list[ConnectorState])
def connectors(_: Operator, container: ContainerDep) -> Any:
    """Per connector: last success, lag and error counts of every stream it pulls."""
    now = container.clock.now()
    settings = container.settings
    with container.db.read() as conn:
        rows = conn.execute(
            select(sync_state).order_by(sync_state.c.connector, sync_state.c.entity)
        )
        states: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            state = dict(row._mapping)
            success = state["last_success_at"]
            state["lag_seconds"] = None if success is None else (now - success).total_seconds()
            states.setdefault(state.pop("connector"), []).append(state)
    names = sorted(set(settings.connectors) | set(states))
    return [
        {
            "name": name,
            "system": settings.connectors.get(name, {}).get("system"),
            "receives_orders": name == settings.order_erp,
            "entities": states.get(name, []),
        }
        for name in names
    ]


class DeadLetterOut(ResponseModel):
    id: int
    actor: str
    queue: str
    job_args: list[Any]
    job_kwargs: dict[str, Any]
    error: str
    error_class: str
    attempts: int
    status: str
    created_at: datetime
    replayed_at: datetime | None
    replayed_by: str | None


class DeadLetterPage(ResponseModel):
    items: list[DeadLetterOut]
    next_cursor: str | None


@router.get("/dead-letters", response_model=DeadLetterPage)
def dead_letters(
    _: Operator,
    container: ContainerDep,
    status: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.read() as conn:
        return list_dead_letters(conn, status=status, cursor=cursor, limit=limit)


def _audit_closing(
    conn: Connection, principal: Principal, action: str, letter: dict[str, Any], now: datetime
) -> None:
    """A replay or discard is an operator's decision about a failed job: kept
    in the audit log beside master data changes. Only open letters get here."""
    audit.record(
        conn,
        actor=principal,
        action=action,
        entity="dead_letter",
        key=str(letter["id"]),
        before={"status": "open", "job": letter["actor"], "error": letter["error"]},
        after={"status": letter["status"], "job": letter["actor"], "error": letter["error"]},
        at=now,
    )


@router.post("/dead-letters/{letter_id}/replay", response_model=DeadLetterOut)
def replay(letter_id: int, principal: Operator, container: ContainerDep) -> Any:
    now = container.clock.now()
    with container.db.transaction() as conn:
        letter = request_replay(conn, letter_id, by=principal.name, now=now)
        _audit_closing(conn, principal, "replay", letter, now)
    return letter


@router.post("/dead-letters/{letter_id}/discard", response_model=DeadLetterOut)
def discard_letter(letter_id: int, principal: Operator, container: ContainerDep) -> Any:
    now = container.clock.now()
    with container.db.transaction() as conn:
        letter = discard(conn, letter_id, by=principal.name, now=now)
        _audit_closing(conn, principal, "discard", letter, now)
    return letter
