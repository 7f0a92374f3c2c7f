"""Stock: manual corrections (admin, integrator) and scoped reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from hub.api.deps import ContainerDep, Cursor, Limit, MasterDataReader, MasterDataWriter
from hub.api.types import CODE_PATTERN, Count, RequestModel, ResponseModel
from hub.services import stock

router = APIRouter(prefix="/api/v1/stock", tags=["stock"])
PathCode = Annotated[str, Path(pattern=CODE_PATTERN)]
Quantity = Annotated[Count, Field(ge=0)]


class StockIn(RequestModel):
    on_hand: Quantity
    safety_stock: Quantity | None = None
    max_level: Quantity | None = None


class StockOut(ResponseModel):
    warehouse: str
    sku: str
    on_hand: int
    reserved: int
    available: int = Field(description="on_hand - reserved")
    safety_stock: int | None
    max_level: int | None
    updated_at: datetime


class StockPage(ResponseModel):
    items: list[StockOut]
    next_cursor: str | None


@router.put("/{warehouse}/{sku}", response_model=StockOut)
def put_stock(
    warehouse: PathCode,
    sku: PathCode,
    body: StockIn,
    principal: MasterDataWriter,
    container: ContainerDep,
) -> Any:
    data = stock.StockCorrection(
        on_hand=body.on_hand, safety_stock=body.safety_stock, max_level=body.max_level
    )
    with container.db.transaction() as conn:
        return stock.put_stock(
            conn, warehouse, sku, data, actor=principal, now=container.clock.now()
        )


@router.get("", response_model=StockPage)
def list_stock(
    principal: MasterDataReader,
    container: ContainerDep,
    sku: str | None = None,
    warehouse: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return stock.list_stock(
            conn, principal, sku=sku, warehouse=warehouse, cursor=cursor, limit=limit
        )
