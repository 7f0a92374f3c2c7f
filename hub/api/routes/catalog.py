"""Warehouses, products and tier prices (master data)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import Field

from dms_domain.catalog import WarehouseKind
from dms_domain.dealers import Tier
from dms_domain.money import DEFAULT_CURRENCY, DEFAULT_TAX_RATE
from hub.api.deps import (
    AnyRole,
    ContainerDep,
    Cursor,
    Limit,
    MasterDataReader,
    MasterDataWriter,
)
from hub.api.types import (
    CODE_PATTERN,
    Code,
    Count,
    Flag,
    Name,
    Percent,
    RequestModel,
    ResponseModel,
    ShortText,
    UnitPrice,
)
from hub.services import catalog

router = APIRouter(prefix="/api/v1", tags=["catalog"])
PathCode = Annotated[str, Path(pattern=CODE_PATTERN)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class WarehouseIn(RequestModel):
    name: Name
    kind: WarehouseKind
    region: ShortText | None = None
    dealer_code: Code | None = Field(default=None, description="owner of a dealer warehouse")


class WarehouseOut(ResponseModel):
    code: str
    name: str
    kind: WarehouseKind
    region: str | None
    dealer_code: str | None
    created_at: datetime
    updated_at: datetime


class WarehousePage(ResponseModel):
    items: list[WarehouseOut]
    next_cursor: str | None


@router.put(
    "/warehouses/{code}", response_model=WarehouseOut, responses={201: {"model": WarehouseOut}}
)
def put_warehouse(
    code: PathCode,
    body: WarehouseIn,
    principal: MasterDataWriter,
    container: ContainerDep,
    response: Response,
) -> Any:
    data = catalog.WarehouseInput(
        name=body.name, kind=body.kind, region=body.region, dealer_code=body.dealer_code
    )
    with container.db.transaction() as conn:
        warehouse, created = catalog.put_warehouse(
            conn, code, data, actor=principal, now=container.clock.now()
        )
    response.status_code = 201 if created else 200
    return warehouse


@router.get("/warehouses", response_model=WarehousePage)
def list_warehouses(
    principal: AnyRole,
    container: ContainerDep,
    kind: WarehouseKind | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return catalog.list_warehouses(conn, principal, kind=kind, cursor=cursor, limit=limit)


@router.get("/warehouses/{code}", response_model=WarehouseOut)
def get_warehouse(code: PathCode, principal: AnyRole, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return catalog.get_warehouse(conn, code, principal)


class ProductIn(RequestModel):
    name: Name
    unit: ShortText
    active: Flag = True
    tax_rate: Percent = Field(default=DEFAULT_TAX_RATE, description='"13" means 13%')
    pack_size: Annotated[Count, Field(ge=1)] = 1
    shelf_life_days: Annotated[Count, Field(ge=1)] | None = None
    licence_kind: ShortText | None = Field(
        default=None, description="a dealer needs a valid licence of this kind to order it"
    )
    erp_codes: dict[ShortText, ShortText] = Field(
        default_factory=dict, description="ERP system -> that system's material code"
    )


class ProductOut(ResponseModel):
    sku: str
    name: str
    unit: str
    active: bool
    tax_rate: Percent
    pack_size: int
    shelf_life_days: int | None
    licence_kind: str | None
    erp_codes: dict[str, str]
    created_at: datetime
    updated_at: datetime


class ProductPage(ResponseModel):
    items: list[ProductOut]
    next_cursor: str | None


@router.put("/products/{sku}", response_model=ProductOut, responses={201: {"model": ProductOut}})
def put_product(
    sku: PathCode,
    body: ProductIn,
    principal: MasterDataWriter,
    container: ContainerDep,
    response: Response,
) -> Any:
    data = catalog.ProductInput(
        name=body.name,
        unit=body.unit,
        active=body.active,
        tax_rate=body.tax_rate,
        pack_size=body.pack_size,
        shelf_life_days=body.shelf_life_days,
        licence_kind=body.licence_kind,
        erp_codes=dict(body.erp_codes),
    )
    with container.db.transaction() as conn:
        product, created = catalog.put_product(
            conn, sku, data, actor=principal, now=container.clock.now()
        )
    response.status_code = 201 if created else 200
    return product


@router.get("/products", response_model=ProductPage)
def list_products(
    _: MasterDataReader,
    container: ContainerDep,
    active: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return catalog.list_products(conn, active=active, cursor=cursor, limit=limit)


@router.get("/products/{sku}", response_model=ProductOut)
def get_product(sku: PathCode, _: MasterDataReader, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return catalog.get_product(conn, sku)


class PriceIn(RequestModel):
    tier: Tier
    sku: Code
    unit_price: UnitPrice
    currency: Currency = DEFAULT_CURRENCY


class PriceOut(ResponseModel):
    tier: Tier
    sku: str
    unit_price: UnitPrice
    currency: str


class PricePage(ResponseModel):
    items: list[PriceOut]
    next_cursor: str | None


class PricesSaved(ResponseModel):
    received: int
    changed: int


@router.put("/prices", response_model=PricesSaved)
def put_prices(
    body: Annotated[list[PriceIn], Field(min_length=1, max_length=10_000)],
    principal: MasterDataWriter,
    container: ContainerDep,
) -> Any:
    entries = [
        catalog.PriceInput(tier=p.tier, sku=p.sku, unit_price=p.unit_price, currency=p.currency)
        for p in body
    ]
    with container.db.transaction() as conn:
        changed = catalog.put_prices(conn, entries, actor=principal, now=container.clock.now())
    return PricesSaved(received=len(entries), changed=changed)


@router.get("/prices", response_model=PricePage)
def list_prices(
    _: MasterDataReader,
    container: ContainerDep,
    tier: Tier | None = None,
    sku: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return catalog.list_prices(conn, tier=tier, sku=sku, cursor=cursor, limit=limit)
