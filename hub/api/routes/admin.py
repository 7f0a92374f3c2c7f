"""Users, API keys and the audit log (admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field

from hub.api.deps import Admin, ContainerDep, Cursor, Limit
from hub.api.types import Code, Name, RequestModel, ResponseModel, ShortText
from hub.auth.principal import Role
from hub.services import api_keys, audit, users

router = APIRouter(prefix="/api/v1", tags=["admin"])


class UserOut(ResponseModel):
    username: str
    role: Role
    dealer_code: str | None
    regions: list[str]
    disabled: bool
    created_at: datetime


class UserPage(ResponseModel):
    items: list[UserOut]
    next_cursor: str | None


@router.get("/users", response_model=UserPage)
def list_users(_: Admin, container: ContainerDep, cursor: Cursor = None, limit: Limit = 50) -> Any:
    with container.db.transaction() as conn:
        return users.list_users(conn, cursor=cursor, limit=limit)


class ApiKeyIn(RequestModel):
    name: Name
    role: Role
    dealer_code: Code | None = None
    regions: list[ShortText] = Field(default_factory=list)


class ApiKeyOut(ResponseModel):
    id: int
    name: str
    key_prefix: str
    role: Role
    dealer_code: str | None
    regions: list[str]
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str


class ApiKeyPage(ResponseModel):
    items: list[ApiKeyOut]
    next_cursor: str | None


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_api_key(body: ApiKeyIn, principal: Admin, container: ContainerDep) -> Any:
    now = container.clock.now()
    with container.db.transaction() as conn:
        key, record = api_keys.create_key(
            conn,
            name=body.name,
            role=body.role,
            dealer_code=body.dealer_code,
            regions=body.regions,
            created_by=principal,
            now=now,
        )
        audit.record(
            conn,
            actor=principal,
            action="create",
            entity="api_key",
            key=str(record["id"]),
            before=None,
            after=audit.snapshot(record),
            at=now,
        )
    return {**record, "key": key}


@router.get("/api-keys", response_model=ApiKeyPage)
def list_api_keys(
    _: Admin, container: ContainerDep, cursor: Cursor = None, limit: Limit = 50
) -> Any:
    with container.db.transaction() as conn:
        return api_keys.list_keys(conn, cursor=cursor, limit=limit)


@router.delete("/api-keys/{key_id}", status_code=204)
def revoke_api_key(key_id: int, principal: Admin, container: ContainerDep) -> Response:
    now = container.clock.now()
    with container.db.transaction() as conn:
        before = api_keys.revoke_key(conn, key_id, now)
        if before["revoked_at"] is None:
            audit.record(
                conn,
                actor=principal,
                action="revoke",
                entity="api_key",
                key=str(key_id),
                before=audit.snapshot(before),
                after=audit.snapshot({**before, "revoked_at": now}),
                at=now,
            )
    return Response(status_code=204)


class AuditEntry(ResponseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    entity: str
    entity_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(ResponseModel):
    items: list[AuditEntry]
    next_cursor: str | None


@router.get("/audit", response_model=AuditPage)
def list_audit(
    _: Admin,
    container: ContainerDep,
    entity: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return audit.list_entries(
            conn, entity=entity, key=key, actor=actor, cursor=cursor, limit=limit
        )
