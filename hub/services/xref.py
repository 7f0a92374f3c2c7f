"""Cross-reference tables for mapping files, kept by the hub (docs/mappings.md):
``erp_material`` (SKU -> the system's material code) and back, ``erp_customer``
(dealer -> the system's customer code) and back. Read through a short cache:
mappings ask per field, per record."""

from __future__ import annotations

import time

from sqlalchemy import select

from hub.db.engine import Database
from hub.db.schema import dealers, product_erp_codes

TTL_SECONDS = 30.0


class DatabaseCrossReference:
    def __init__(self, db: Database, system: str) -> None:
        self.db = db
        self.system = system
        self._tables: dict[str, dict[str, str]] = {}
        self._loaded_at = 0.0

    def lookup(self, table: str, key: str) -> str | None:
        age = time.monotonic() - self._loaded_at
        if age > TTL_SECONDS:
            self._load()
        found = self._tables.get(table, {}).get(key)
        if found is None and age <= TTL_SECONDS:
            # A miss may be a dealer or product created since the last load: look
            # again before failing the record. A code that is really missing costs
            # one reload per failing record, which then goes to the dead letters.
            self._load()
            found = self._tables.get(table, {}).get(key)
        return found

    def _load(self) -> None:
        materials: dict[str, str] = {}
        customers: dict[str, str] = {}
        with self.db.read() as conn:
            for sku, code in conn.execute(
                select(product_erp_codes.c.sku, product_erp_codes.c.code).where(
                    product_erp_codes.c.system == self.system
                )
            ):
                materials[sku] = code
            for dealer, code in conn.execute(
                select(dealers.c.code, dealers.c.erp_customer_code).where(
                    dealers.c.erp_system == self.system, dealers.c.erp_customer_code.is_not(None)
                )
            ):
                customers[dealer] = code
        self._tables = {
            "erp_material": materials,
            "erp_material_sku": {v: k for k, v in materials.items()},
            "erp_customer": customers,
            "erp_customer_dealer": {v: k for k, v in customers.items()},
        }
        self._loaded_at = time.monotonic()
