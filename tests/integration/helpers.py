"""Rows written straight through the services, for tests below the HTTP layer."""

from __future__ import annotations

from decimal import Decimal

from dms_domain.catalog import WarehouseKind
from hub.auth.principal import Principal, Role
from hub.bootstrap import Container
from hub.services import catalog, stock
from tests.conftest import unique

SYSTEM = Principal(name="tests", role=Role.ADMIN)


def seed_stock_row(container: Container, on_hand: int = 0) -> tuple[str, str]:
    warehouse, sku = unique("WH"), unique("SKU")
    now = container.clock.now()
    with container.db.transaction() as conn:
        catalog.put_warehouse(
            conn,
            warehouse,
            catalog.WarehouseInput(
                name=warehouse, kind=WarehouseKind.CENTRAL, region=None, dealer_code=None
            ),
            actor=SYSTEM,
            now=now,
        )
        catalog.put_product(
            conn,
            sku,
            catalog.ProductInput(
                name=sku,
                unit="pc",
                active=True,
                tax_rate=Decimal("13"),
                pack_size=1,
                shelf_life_days=None,
                licence_kind=None,
                erp_codes={},
            ),
            actor=SYSTEM,
            now=now,
        )
        stock.put_stock(
            conn, warehouse, sku, stock.StockCorrection(on_hand, None, None), actor=SYSTEM, now=now
        )
    return warehouse, sku
