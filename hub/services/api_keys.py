"""API keys for machine clients: created once, stored hashed, revocable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from dms_domain.errors import FieldError, InvalidInput, NotFound
from hub.auth.api_keys import digest_api_key, display_prefix, new_api_key
from hub.auth.principal import Principal, Role, scope_errors
from hub.db.schema import api_keys
from hub.pagination import Page, keyset_page
from hub.services.lookups import dealer_exists
from hub.services.users import principal_of

_PUBLIC_COLUMNS = (
    api_keys.c.id,
    api_keys.c.name,
    api_keys.c.key_prefix,
    api_keys.c.role,
    api_keys.c.dealer_code,
    api_keys.c.regions,
    api_keys.c.created_by,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
)


def create_key(
    conn: Connection,
    *,
    name: str,
    role: Role,
    dealer_code: str | None,
    regions: list[str],
    created_by: Principal,
    now: datetime,
) -> tuple[str, dict[str, Any]]:
    """Return the key in clear (shown once, never stored) and its stored record."""
    errors = scope_errors(role, dealer_code, regions)
    if dealer_code and not dealer_exists(conn, dealer_code):
        errors.append(FieldError("dealer_code", f"no dealer {dealer_code!r}"))
    if errors:
        raise InvalidInput(f"API key not created: {errors[0].message}", errors)
    key = new_api_key()
    key_id = conn.execute(
        insert(api_keys)
        .values(
            name=name,
            key_hash=digest_api_key(key),
            key_prefix=display_prefix(key),
            role=role.value,
            dealer_code=dealer_code,
            regions=sorted(set(regions)),
            created_by=created_by.name,
            created_at=now,
        )
        .returning(api_keys.c.id)
    ).scalar_one()
    record = conn.execute(select(*_PUBLIC_COLUMNS).where(api_keys.c.id == key_id)).one()
    return key, dict(record._mapping)


def revoke_key(conn: Connection, key_id: int, now: datetime) -> dict[str, Any]:
    before = conn.execute(select(*_PUBLIC_COLUMNS).where(api_keys.c.id == key_id)).first()
    if before is None:
        raise NotFound(f"no API key {key_id}")
    conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return dict(before._mapping)


def principal_for_key(conn: Connection, key: str) -> Principal | None:
    row = conn.execute(
        select(api_keys).where(
            api_keys.c.key_hash == digest_api_key(key), api_keys.c.revoked_at.is_(None)
        )
    ).first()
    return None if row is None else principal_of(row, "api_key")


def list_keys(conn: Connection, *, cursor: str | None, limit: int) -> Page[dict[str, Any]]:
    return keyset_page(conn, select(*_PUBLIC_COLUMNS), (api_keys.c.id,), cursor, limit)
