"""Warehouses, products and tier prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from dms_domain.catalog import WarehouseKind, check_warehouse_owner
from dms_domain.dealers import Tier
from dms_domain.errors import FieldErrors, NotFound, Refused
from hub.auth.principal import Principal
from hub.db.schema import prices, product_erp_codes, products, warehouses
from hub.pagination import Page, keyset_page
from hub.services import audit
from hub.services.lookups import dealer_exists, existing_skus
from hub.services.scope import warehouse_visible

# -- warehouses ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarehouseInput:
    name: str
    kind: WarehouseKind
    region: str | None
    dealer_code: str | None


_WAREHOUSE_COLUMNS = (
    warehouses.c.code,
    warehouses.c.name,
    warehouses.c.kind,
    warehouses.c.region,
    warehouses.c.dealer_code,
    warehouses.c.created_at,
    warehouses.c.updated_at,
)


def _warehouse(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(*_WAREHOUSE_COLUMNS).where(warehouses.c.code == code)).first()
    return None if row is None else dict(row._mapping)


def put_warehouse(
    conn: Connection, code: str, data: WarehouseInput, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    check_warehouse_owner(data.kind, data.dealer_code)
    errors = FieldErrors()
    if data.dealer_code and not dealer_exists(conn, data.dealer_code):
        errors.add("dealer_code", f"no dealer {data.dealer_code!r}")
    errors.raise_if_any(f"warehouse {code} not saved")
    before = _warehouse(conn, code)
    values = {
        "name": data.name,
        "kind": data.kind.value,
        "region": data.region,
        "dealer_code": data.dealer_code,
        "updated_at": now,
    }
    if before is None:
        conn.execute(insert(warehouses).values(code=code, created_at=now, **values))
    else:
        conn.execute(update(warehouses).where(warehouses.c.code == code).values(**values))
    after = _warehouse(conn, code)
    assert after is not None
    audit.record(
        conn,
        actor=actor,
        action="create" if before is None else "update",
        entity="warehouse",
        key=code,
        before=audit.snapshot(before),
        after=audit.snapshot(after),
        at=now,
    )
    return after, before is None


def get_warehouse(conn: Connection, code: str, principal: Principal) -> dict[str, Any]:
    row = conn.execute(
        select(*_WAREHOUSE_COLUMNS).where(warehouses.c.code == code, warehouse_visible(principal))
    ).first()
    if row is None:
        raise NotFound(f"no warehouse {code!r}")
    return dict(row._mapping)


def list_warehouses(
    conn: Connection, principal: Principal, *, kind: str | None, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    query = select(*_WAREHOUSE_COLUMNS).where(warehouse_visible(principal))
    if kind:
        query = query.where(warehouses.c.kind == kind)
    return keyset_page(conn, query, (warehouses.c.code,), cursor, limit)


# -- products -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductInput:
    name: str
    unit: str
    active: bool
    tax_rate: Decimal
    pack_size: int
    shelf_life_days: int | None
    licence_kind: str | None
    erp_codes: dict[str, str]


_PRODUCT_COLUMNS = (
    products.c.sku,
    products.c.name,
    products.c.unit,
    products.c.active,
    products.c.tax_rate,
    products.c.pack_size,
    products.c.shelf_life_days,
    products.c.licence_kind,
    products.c.created_at,
    products.c.updated_at,
)


def _erp_codes(conn: Connection, skus: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {sku: {} for sku in skus}
    if skus:
        query = select(product_erp_codes).where(product_erp_codes.c.sku.in_(skus))
        for row in conn.execute(query):
            found[row.sku][row.system] = row.code
    return found


def _product(conn: Connection, sku: str) -> dict[str, Any] | None:
    row = conn.execute(select(*_PRODUCT_COLUMNS).where(products.c.sku == sku)).first()
    if row is None:
        return None
    product = dict(row._mapping)
    product["erp_codes"] = _erp_codes(conn, [sku])[sku]
    return product


def put_product(
    conn: Connection, sku: str, data: ProductInput, *, actor: Principal, now: datetime
) -> tuple[dict[str, Any], bool]:
    before = _product(conn, sku)
    values = {
        "name": data.name,
        "unit": data.unit,
        "active": data.active,
        "tax_rate": data.tax_rate,
        "pack_size": data.pack_size,
        "shelf_life_days": data.shelf_life_days,
        "licence_kind": data.licence_kind,
        "updated_at": now,
    }
    if before is None:
        conn.execute(insert(products).values(sku=sku, created_at=now, **values))
    else:
        conn.execute(update(products).where(products.c.sku == sku).values(**values))
    if before is None or before["erp_codes"] != data.erp_codes:
        conn.execute(delete(product_erp_codes).where(product_erp_codes.c.sku == sku))
        for system, code in sorted(data.erp_codes.items()):
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(product_erp_codes).values(sku=sku, system=system, code=code)
                    )
            except IntegrityError as exc:
                raise Refused(
                    f"product {sku}: {system} code {code!r} belongs to another product",
                    code="erp_code_taken",
                    field=f"erp_codes.{system}",
                ) from exc
    after = _product(conn, sku)
    assert after is not None
    audit.record(
        conn,
        actor=actor,
        action="create" if before is None else "update",
        entity="product",
        key=sku,
        before=audit.snapshot(before),
        after=audit.snapshot(after),
        at=now,
    )
    return after, before is None


def get_product(conn: Connection, sku: str) -> dict[str, Any]:
    product = _product(conn, sku)
    if product is None:
        raise NotFound(f"no product {sku!r}")
    return product


def list_products(
    conn: Connection, *, active: bool | None, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    query = select(*_PRODUCT_COLUMNS)
    if active is not None:
        query = query.where(products.c.active == active)
    page = keyset_page(conn, query, (products.c.sku,), cursor, limit)
    codes = _erp_codes(conn, [p["sku"] for p in page.items])
    for item in page.items:
        item["erp_codes"] = codes[item["sku"]]
    return page


# -- prices -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceInput:
    tier: Tier
    sku: str
    unit_price: Decimal
    currency: str


def put_prices(
    conn: Connection, entries: list[PriceInput], *, actor: Principal, now: datetime
) -> int:
    """Upsert tier prices in one transaction; refuse the whole list if one entry is bad."""
    errors = FieldErrors()
    known = existing_skus(conn, {e.sku for e in entries})
    seen: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(entries):
        if entry.sku not in known:
            errors.add(f"[{i}].sku", f"no product {entry.sku!r}")
        key = (entry.tier.value, entry.sku)
        if key in seen:
            errors.add(f"[{i}]", f"same tier and sku as entry [{seen[key]}]")
        seen[key] = i
    errors.raise_if_any("prices not saved")
    current = {
        (row.tier, row.sku): row
        for row in conn.execute(select(prices).where(prices.c.sku.in_({e.sku for e in entries})))
    }
    changed = 0
    for entry in entries:
        key = (entry.tier.value, entry.sku)
        old = current.get(key)
        if old is not None and (old.unit_price, old.currency) == (entry.unit_price, entry.currency):
            continue
        values = {"unit_price": entry.unit_price, "currency": entry.currency, "updated_at": now}
        if old is None:
            conn.execute(insert(prices).values(tier=key[0], sku=key[1], **values))
        else:
            conn.execute(
                update(prices)
                .where(prices.c.tier == key[0], prices.c.sku == key[1])
                .values(**values)
            )
        changed += 1
        audit.record(
            conn,
            actor=actor,
            action="create" if old is None else "update",
            entity="price",
            key=f"{key[0]}/{key[1]}",
            before=None
            if old is None
            else {"unit_price": str(old.unit_price), "currency": old.currency},
            after={"unit_price": str(entry.unit_price), "currency": entry.currency},
            at=now,
        )
    return changed


def list_prices(
    conn: Connection, *, tier: str | None, sku: str | None, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    query = select(prices.c.tier, prices.c.sku, prices.c.unit_price, prices.c.currency)
    if tier:
        query = query.where(prices.c.tier == tier)
    if sku:
        query = query.where(prices.c.sku == sku)
    return keyset_page(conn, query, (prices.c.tier, prices.c.sku), cursor, limit)
