"""Replenishment proposals as people see them, and the dealers' VMI opt-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dms_domain.errors import NotFound
from hub.auth.principal import Principal
from hub.db.schema import dealer_vmi, dealers, replenishments
from hub.pagination import Page, keyset_page
from hub.services import audit
from hub.services.scope import dealer_visible

_COLUMNS = (
    replenishments.c.id,
    replenishments.c.dealer_code,
    replenishments.c.warehouse_code.label("warehouse"),
    replenishments.c.sku,
    replenishments.c.qty,
    replenishments.c.on_hand,
    replenishments.c.open_qty,
    replenishments.c.safety_stock,
    replenishments.c.max_level,
    replenishments.c.pack_size,
    replenishments.c.status,
    replenishments.c.order_no,
    replenishments.c.note,
    replenishments.c.created_at,
    replenishments.c.updated_at,
)


def list_replenishments(
    conn: Connection,
    principal: Principal,
    *,
    status: str | None,
    dealer_code: str | None,
    cursor: str | None,
    limit: int,
) -> Page[dict[str, Any]]:
    """Newest first, scoped like the dealers they are for."""
    query = select(*_COLUMNS).where(dealer_visible(principal, replenishments.c.dealer_code))
    if status:
        query = query.where(replenishments.c.status == status)
    if dealer_code:
        query = query.where(replenishments.c.dealer_code == dealer_code)
    return keyset_page(conn, query, (replenishments.c.id,), cursor, limit, descending=True)


def put_vmi(
    conn: Connection, dealer_code: str, auto_place: bool, *, actor: Principal, now: datetime
) -> dict[str, Any]:
    visible = conn.scalar(
        select(dealers.c.code).where(
            dealers.c.code == dealer_code, dealer_visible(actor, dealers.c.code)
        )
    )
    if visible is None:
        raise NotFound(f"no dealer {dealer_code!r}")
    before = conn.scalar(
        select(dealer_vmi.c.auto_place).where(dealer_vmi.c.dealer_code == dealer_code)
    )
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    values = {"auto_place": auto_place, "updated_at": now, "updated_by": actor.name}
    statement = insert_(dealer_vmi).values(dealer_code=dealer_code, **values)
    conn.execute(statement.on_conflict_do_update(index_elements=["dealer_code"], set_=values))
    audit.record(
        conn,
        actor=actor,
        action="update",
        entity="dealer_vmi",
        key=dealer_code,
        before=None if before is None else {"auto_place": before},
        after={"auto_place": auto_place},
        at=now,
    )
    return {"dealer_code": dealer_code, "auto_place": auto_place, "updated_at": now}
