"""Existence checks shared by the use cases."""

from __future__ import annotations

from sqlalchemy import Connection, select

from hub.db.schema import dealers, products, warehouses


def dealer_exists(conn: Connection, code: str) -> bool:
    return conn.scalar(select(dealers.c.code).where(dealers.c.code == code)) is not None


def warehouse_exists(conn: Connection, code: str) -> bool:
    return conn.scalar(select(warehouses.c.code).where(warehouses.c.code == code)) is not None


def existing_skus(conn: Connection, skus: set[str]) -> set[str]:
    if not skus:
        return set()
    return set(conn.scalars(select(products.c.sku).where(products.c.sku.in_(skus))))
