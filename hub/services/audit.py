"""Audit log of master data and credit changes: who changed what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from hub.auth.principal import Principal
from hub.db.schema import audit_log
from hub.jsonable import jsonable
from hub.pagination import Page, keyset_page


def record(
    conn: Connection,
    *,
    actor: Principal,
    action: str,
    entity: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
) -> None:
    if before == after:
        return  # a write that changed nothing is not an event worth keeping
    conn.execute(
        insert(audit_log).values(
            at=at,
            actor=actor.name,
            actor_role=actor.role.value,
            action=action,
            entity=entity,
            entity_key=key,
            before=before,
            after=after,
        )
    )


def snapshot(record: dict[str, Any] | None) -> Any:
    """The audited view of a record: without its own timestamps, JSON-ready."""
    if record is None:
        return None
    return jsonable({k: v for k, v in record.items() if k not in ("created_at", "updated_at")})


def list_entries(
    conn: Connection,
    *,
    entity: str | None,
    key: str | None,
    actor: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    query = select(audit_log)
    if entity:
        query = query.where(audit_log.c.entity == entity)
    if key:
        query = query.where(audit_log.c.entity_key == key)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    # Newest first: the id only grows, so it is a stable keyset.
    return keyset_page(conn, query, (audit_log.c.id,), cursor, limit, descending=True)
