"""Demo data for the embedded default (``dms-hub up --demo``).

Idempotent: running it again changes nothing. The logins are documented in the
README; ``up --demo`` is refused in production, so these passwords never guard
real data.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from sqlalchemy import Connection, select

from dms_domain.catalog import WarehouseKind
from dms_domain.dealers import DealerStatus, Tier
from dms_domain.promotions import Promotion, PromotionKind
from hub.auth.principal import Principal, Role
from hub.clock import SystemClock
from hub.db.engine import Database
from hub.db.schema import promotions, users
from hub.demo_ledger import seed_demo_ledger
from hub.services import catalog, dealers, stock
from hub.services import promotions as promotion_service
from hub.services.users import add_user

SEEDER = Principal(name="demo-seed", role=Role.ADMIN)
# The connector the demo's dealers and products are coded for: the generic ERP
# simulator that `dms-hub up --demo` starts (see demo_erp below).
DEMO_CONNECTOR = "erp"
DEMO_DEALERS = (
    # code, name, tier, region, credit limit, warehouse
    ("D001", "上海华新汽配有限公司", Tier.STRATEGIC, "east", "500000.00", "WH-EAST"),
    ("D002", "杭州顺达商贸", Tier.CORE, "east", "120000.00", "WH-EAST"),
    ("D003", "北京利民农资", Tier.STANDARD, "north", "50000.00", "WH-NORTH"),
)

DEMO_USERS: tuple[tuple[str, str, Role, str | None, list[str]], ...] = (
    # username, password, role, dealer, regions
    ("admin", "admin-demo-1", Role.ADMIN, None, []),
    ("integrator", "integrator-demo-1", Role.INTEGRATOR, None, []),
    ("manager-east", "manager-demo-1", Role.MANAGER, None, ["east"]),
    ("dealer-d001", "dealer-demo-1", Role.DEALER, "D001", []),
    ("dealer-d002", "dealer-demo-2", Role.DEALER, "D002", []),
)

PRODUCTS = (
    # sku, name, unit, tax rate, pack size, licence kind, SAP material
    ("P-1001", "润滑油 5W-30 4L", "bottle", "13", 6, None, "MAT-1001"),
    ("P-1002", "机油滤清器", "piece", "13", 10, None, "MAT-1002"),
    ("P-1003", "刹车片 前轮", "set", "13", 1, None, "MAT-1003"),
    ("P-2001", "农药 A (需许可证)", "box", "9", 1, "pesticide", "MAT-2001"),
)
TIER_PRICES = {
    Tier.STRATEGIC: ("88.0000", "21.5000", "260.0000", "120.0000"),
    Tier.CORE: ("92.0000", "22.8000", "275.0000", "126.0000"),
    Tier.STANDARD: ("98.0000", "24.0000", "290.0000", "132.0000"),
}


def seed_demo(db: Database, *, tz: str = "Asia/Shanghai") -> str:
    """``tz``: the business time zone (DMS_BUSINESS_TZ), for the demo ledger's months."""
    now = SystemClock().now()
    with db.transaction() as conn:
        if conn.scalar(select(users.c.id).where(users.c.username == "admin")) is not None:
            return "demo data already present"
        _seed_master_data(conn, now)
        seed_demo_ledger(conn, actor=SEEDER, now=now, tz=tz)
        for username, password, role, dealer_code, regions in DEMO_USERS:
            add_user(
                conn,
                username=username,
                password=password,
                role=role,
                dealer_code=dealer_code,
                regions=regions,
                now=now,
            )
    logins = ", ".join(f"{u}/{p}" for u, p, *_ in DEMO_USERS)
    return f"demo data seeded; logins: {logins}"


def _seed_master_data(conn: Connection, now: datetime) -> None:
    for code, name, kind, region in (
        ("WH-CENTRAL", "华东中心仓", WarehouseKind.CENTRAL, None),
        ("WH-EAST", "上海区域仓", WarehouseKind.REGIONAL, "east"),
        ("WH-NORTH", "北京区域仓", WarehouseKind.REGIONAL, "north"),
    ):
        catalog.put_warehouse(
            conn,
            code,
            catalog.WarehouseInput(name=name, kind=kind, region=region, dealer_code=None),
            actor=SEEDER,
            now=now,
        )
    for code, name, tier, region, limit, warehouse in DEMO_DEALERS:
        dealers.put_dealer(
            conn,
            code,
            dealers.DealerInput(
                name=name,
                tier=tier,
                regions=[region],
                credit_limit=Decimal(limit),
                payment_terms_days=30,
                status=DealerStatus.ACTIVE,
                default_warehouse=warehouse,
                erp_system=DEMO_CONNECTOR,
                erp_customer_code=customer_code(code),
            ),
            actor=SEEDER,
            now=now,
        )
    for sku, name, unit, tax, pack, licence, material in PRODUCTS:
        catalog.put_product(
            conn,
            sku,
            catalog.ProductInput(
                name=name,
                unit=unit,
                active=True,
                tax_rate=Decimal(tax),
                pack_size=pack,
                shelf_life_days=None,
                licence_kind=licence,
                erp_codes={DEMO_CONNECTOR: material},
            ),
            actor=SEEDER,
            now=now,
        )
    catalog.put_prices(
        conn,
        [
            catalog.PriceInput(tier=tier, sku=sku, unit_price=Decimal(price), currency="CNY")
            for tier, tier_prices in TIER_PRICES.items()
            for (sku, *_), price in zip(PRODUCTS, tier_prices, strict=True)
        ],
        actor=SEEDER,
        now=now,
    )
    for warehouse in ("WH-CENTRAL", "WH-EAST", "WH-NORTH"):
        for sku, *_ in PRODUCTS:
            stock.put_stock(
                conn,
                warehouse,
                sku,
                stock.StockCorrection(on_hand=500, safety_stock=50, max_level=1000),
                actor=SEEDER,
                now=now,
            )
    if conn.scalar(select(promotions.c.code).where(promotions.c.code == "DEMO-FULL1000")) is None:
        promotion_service.create_promotion(
            conn,
            Promotion(
                code="DEMO-FULL1000",
                kind=PromotionKind.THRESHOLD_DISCOUNT,
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=365),
                threshold_amount=Decimal("1000.00"),
                discount_amount=Decimal("50.00"),
            ),
            actor=SEEDER,
            now=now,
        )


def customer_code(dealer_code: str) -> str:
    return f"C{dealer_code[1:]}"


# The warehouse the demo's orders go to once the ERP confirmed them: the FLUX
# WMS simulator, which ships them a few seconds later in two parcels and
# pushes its confirmations to the hub.
DEMO_WMS = "wms"
DEMO_WMS_SHIP_AFTER_SECONDS = 5.0
DEMO_WAREHOUSES = ("WH-CENTRAL", "WH-EAST", "WH-NORTH")


class ErpTeaching(Protocol):
    def add_customer(self, code: str, name: str) -> None: ...

    def add_material(self, code: str, name: str) -> None: ...


class WmsTeaching(Protocol):
    def set_stock(self, warehouse: str, material: str, qty: int) -> str: ...

    def set_shipping(self, after_seconds: float | None, *, split: bool = False) -> None: ...

    def set_push_url(self, url: str | None) -> None: ...


def teach_erp(control: ErpTeaching) -> None:
    """The demo's customers and materials, into an ERP simulator (in this
    process, or another one through its control API)."""
    for code, name, *_ in DEMO_DEALERS:
        control.add_customer(customer_code(code), name)
    for _sku, name, *_rest, material in PRODUCTS:
        control.add_material(material, name)


def teach_wms(control: WmsTeaching, push_url: str) -> None:
    """Stock like the demo's warehouses, shipping a few seconds after an order
    in two parcels, confirmations pushed to the hub at ``push_url``."""
    for warehouse in DEMO_WAREHOUSES:
        for sku, *_ in PRODUCTS:
            control.set_stock(warehouse, sku, 500)
    control.set_shipping(DEMO_WMS_SHIP_AFTER_SECONDS, split=True)
    control.set_push_url(push_url)


def wms_push_url(hub_url: str) -> str:
    return f"{hub_url}/api/v1/wms/{DEMO_WMS}/confirmations"


def demo_erp_environment(stack: ExitStack) -> dict[str, str]:
    """Start the generic ERP simulator in this process (stopped when ``stack``
    closes), taught the demo's customers and materials; return the settings
    that point the hub at it."""
    from simulators.generic_erp.server import running_simulator  # noqa: PLC0415

    simulator = stack.enter_context(running_simulator(api_key="demo-erp-key"))
    teach_erp(simulator.control)
    prefix = f"DMS_CONNECTORS__{DEMO_CONNECTOR.upper()}__"
    return {
        prefix + "SYSTEM": "generic",
        prefix + "BASE_URL": simulator.url,
        prefix + "API_KEY": simulator.api_key,
        prefix + "POLL_SECONDS__ORDER_EVENTS": "5",
        prefix + "POLL_SECONDS__SHIPMENTS": "5",
        "DMS_ORDER_ERP": DEMO_CONNECTOR,
    }


def demo_wms_environment(stack: ExitStack, hub_url: str) -> dict[str, str]:
    """Start the FLUX WMS simulator in this process (stopped when ``stack``
    closes), stocked like the demo's warehouses and pushing its shipment
    confirmations to ``hub_url``; return the settings that connect it."""
    from simulators.flux_wms import running_simulator  # noqa: PLC0415

    simulator = stack.enter_context(running_simulator())
    teach_wms(simulator.control, wms_push_url(hub_url))
    creds = simulator.credentials
    prefix = f"DMS_CONNECTORS__{DEMO_WMS.upper()}__"
    return {
        prefix + "SYSTEM": "wms",
        prefix + "BASE_URL": simulator.url,
        prefix + "APP_KEY": creds.app_key,
        prefix + "APP_SECRET": creds.app_secret,
        prefix + "APP_TOKEN": creds.app_token,
        prefix + "CLIENT_CUSTOMERID": creds.customer_id,
        prefix + "CLIENT_DB": creds.client_db,
        # Confirmations are pushed; polling catches any push that gave up.
        prefix + "POLL_SECONDS__SHIPMENTS": "30",
        prefix + "POLL_SECONDS__STOCK": "60",
        "DMS_ORDER_WMS": DEMO_WMS,
    }
