"""Replenishment: VMI proposals, a dealer's opt-in to have them placed, and
transfer suggestions between dealers of a region."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from hub.alerting import replenishment_queries, transfers
from hub.api.deps import AnyRole, ContainerDep, Cursor, Limit, MasterDataReader, allow
from hub.api.types import CODE_PATTERN, Flag, RequestModel, ResponseModel
from hub.auth.principal import Principal, Role

router = APIRouter(prefix="/api/v1", tags=["replenishment"])
OptIn = Annotated[Principal, Depends(allow(Role.ADMIN, Role.DEALER))]


class ReplenishmentOut(ResponseModel):
    id: int
    dealer_code: str
    warehouse: str = Field(description="the dealer warehouse to refill")
    sku: str
    qty: int = Field(description="max_level - (on_hand + open_qty), rounded up to pack_size")
    on_hand: int
    open_qty: int = Field(description="units on the dealer's orders not shipped yet")
    safety_stock: int
    max_level: int
    pack_size: int
    status: Literal["proposed", "placed", "withdrawn"]
    order_no: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class ReplenishmentPage(ResponseModel):
    items: list[ReplenishmentOut]
    next_cursor: str | None


@router.get("/replenishments", response_model=ReplenishmentPage)
def list_replenishments(
    principal: AnyRole,
    container: ContainerDep,
    status: Literal["proposed", "placed", "withdrawn"] | None = None,
    dealer_code: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.read() as conn:
        return replenishment_queries.list_replenishments(
            conn, principal, status=status, dealer_code=dealer_code, cursor=cursor, limit=limit
        )


class VmiIn(RequestModel):
    auto_place: Flag = Field(description="true: the hub places the proposals as orders")


class VmiOut(ResponseModel):
    dealer_code: str
    auto_place: bool
    updated_at: datetime


@router.put("/dealers/{code}/vmi", response_model=VmiOut)
def put_vmi(
    code: Annotated[str, Path(pattern=CODE_PATTERN)],
    body: VmiIn,
    principal: OptIn,
    container: ContainerDep,
) -> Any:
    """A dealer opts in (or out) for itself; admins for any dealer."""
    with container.db.transaction() as conn:
        return replenishment_queries.put_vmi(
            conn, code, body.auto_place, actor=principal, now=container.clock.now()
        )


class TransferOut(ResponseModel):
    region: str
    sku: str
    from_warehouse: str
    from_dealer: str
    to_warehouse: str
    to_dealer: str
    qty: int = Field(description="whole packs; the giver stays at or above its max level")


class TransferPage(ResponseModel):
    items: list[TransferOut]
    next_cursor: str | None


@router.get("/transfer-suggestions", response_model=TransferPage)
def transfer_suggestions(
    principal: MasterDataReader,
    container: ContainerDep,
    region: str | None = None,
    sku: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    """Moves from a dealer above its max level to a neighbour (same region)
    below its safety stock. Managers see their regions'."""
    with container.db.read() as conn:
        return transfers.suggestions(
            conn, principal, region=region, sku=sku, cursor=cursor, limit=limit
        )
