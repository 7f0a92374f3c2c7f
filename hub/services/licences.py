"""Dealer licences: some products may only be sold to holders of a valid licence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dms_domain.errors import NotFound
from hub.auth.principal import Principal
from hub.db.schema import dealer_licences, dealers
from hub.services import audit
from hub.services.scope import dealer_visible


@dataclass(frozen=True, slots=True)
class LicenceInput:
    kind: str
    expires_on: date


_COLUMNS = (
    dealer_licences.c.dealer_code,
    dealer_licences.c.number,
    dealer_licences.c.kind,
    dealer_licences.c.expires_on,
)


def put_licence(
    conn: Connection,
    dealer_code: str,
    number: str,
    data: LicenceInput,
    *,
    actor: Principal,
    now: datetime,
) -> tuple[dict[str, Any], bool]:
    if conn.scalar(select(dealers.c.code).where(dealers.c.code == dealer_code)) is None:
        raise NotFound(f"no dealer {dealer_code!r}")
    key = (dealer_licences.c.dealer_code == dealer_code, dealer_licences.c.number == number)
    before = conn.execute(select(*_COLUMNS).where(*key)).first()
    values = {"kind": data.kind, "expires_on": data.expires_on, "updated_at": now}
    if before is None:
        conn.execute(
            insert(dealer_licences).values(dealer_code=dealer_code, number=number, **values)
        )
    else:
        conn.execute(update(dealer_licences).where(*key).values(**values))
    after = dict(conn.execute(select(*_COLUMNS).where(*key)).one()._mapping)
    audit.record(
        conn,
        actor=actor,
        action="create" if before is None else "update",
        entity="licence",
        key=f"{dealer_code}/{number}",
        before=None if before is None else audit.snapshot(dict(before._mapping)),
        after=audit.snapshot(after),
        at=now,
    )
    return after, before is None


def list_licences(conn: Connection, dealer_code: str, principal: Principal) -> list[dict[str, Any]]:
    visible = conn.scalar(
        select(dealers.c.code).where(
            dealers.c.code == dealer_code, dealer_visible(principal, dealers.c.code)
        )
    )
    if visible is None:
        raise NotFound(f"no dealer {dealer_code!r}")
    query = (
        select(*_COLUMNS)
        .where(dealer_licences.c.dealer_code == dealer_code)
        .order_by(dealer_licences.c.number)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def valid_licence_kinds(conn: Connection, dealer_code: str, today: date) -> set[str]:
    """Kinds of licence the dealer holds that are valid on ``today`` (business time zone)."""
    query = select(dealer_licences.c.kind).where(
        dealer_licences.c.dealer_code == dealer_code, dealer_licences.c.expires_on >= today
    )
    return set(conn.scalars(query))
