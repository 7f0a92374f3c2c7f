"""What dealers report: sell-out (to whom they sold) and their own stock; and
the region areas that place a sell-out point in a region."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path
from pydantic import Field, model_validator

from dms_domain.calendar import local_date
from dms_domain.diversion import Area
from dms_domain.errors import InvalidInput
from hub.api.deps import ContainerDep, MasterDataWriter, allow
from hub.api.types import (
    CODE_PATTERN,
    Code,
    Count,
    Latitude,
    Longitude,
    RequestModel,
    ResponseModel,
    ShortText,
    Timestamp,
)
from hub.auth.principal import Principal, Role
from hub.services import inventory_reports, sell_out

router = APIRouter(prefix="/api/v1", tags=["dealer reports"])
Reporter = Annotated[Principal, Depends(allow(Role.ADMIN, Role.INTEGRATOR, Role.DEALER))]
Quantity = Annotated[Count, Field(ge=1)]
OnHand = Annotated[Count, Field(ge=0)]
MAX_RECORDS = 5_000


def acting_dealer(principal: Principal, dealer_code: str | None) -> str:
    """The dealer a report is for: a dealer reports for itself only."""
    if principal.role is Role.DEALER:
        if dealer_code is not None:
            raise InvalidInput.field("dealer_code", "a dealer reports for itself: leave it out")
        return str(principal.dealer_code)
    if not dealer_code:
        raise InvalidInput.field("dealer_code", "name the dealer this report is for")
    return dealer_code


class GeoPoint(RequestModel):
    lat: Latitude
    lon: Longitude


class SellOutIn(RequestModel):
    date: dt.date = Field(description="the business day of the sale")
    sku: Code
    qty: Quantity
    region: ShortText | None = Field(default=None, description="the buyer's region")
    geo: GeoPoint | None = Field(default=None, description="or where the buyer is")
    ref: ShortText | None = Field(
        default=None, description="the dealer's own id: a record sent again is a duplicate"
    )

    @model_validator(mode="after")
    def _region_or_geo(self) -> SellOutIn:
        if (self.region is None) == (self.geo is None):
            raise ValueError("give the buyer's region or a geo point, one of the two")
        return self


class SellOutReportIn(RequestModel):
    dealer_code: Code | None = Field(default=None, description="admins and integrators only")
    records: list[SellOutIn] = Field(min_length=1, max_length=MAX_RECORDS)


class SellOutOut(ResponseModel):
    dealer_code: str
    accepted: int
    duplicates: int = Field(description="records whose ref was already stored")
    unlocated: int = Field(description="geo points in no region's area (stored, not counted)")


@router.post("/sell-out", response_model=SellOutOut, status_code=201)
def post_sell_out(body: SellOutReportIn, principal: Reporter, container: ContainerDep) -> Any:
    dealer = acting_dealer(principal, body.dealer_code)
    records = [
        sell_out.SellOutRecord(
            sold_on=r.date,
            sku=r.sku,
            qty=r.qty,
            region=r.region,
            lat=r.geo.lat if r.geo else None,
            lon=r.geo.lon if r.geo else None,
            ref=r.ref,
        )
        for r in body.records
    ]
    now = container.clock.now()
    today = local_date(now, ZoneInfo(container.settings.business_tz))
    with container.db.transaction() as conn:
        return sell_out.report_sell_out(
            conn, dealer, records, actor=principal, today=today, now=now
        )


class InventoryItemIn(RequestModel):
    sku: Code
    on_hand: OnHand


class InventoryReportIn(RequestModel):
    warehouse: Code = Field(description="a dealer warehouse (kind dealer) of the reporter")
    as_of: Timestamp = Field(description="when the count was taken")
    items: list[InventoryItemIn] = Field(min_length=1, max_length=MAX_RECORDS)


class InventoryReportOut(ResponseModel):
    warehouse: str
    as_of: dt.datetime
    applied: int
    stale: list[str] = Field(description="SKUs for which the hub holds a newer count")


@router.post("/inventory-reports", response_model=InventoryReportOut, status_code=201)
def post_inventory_report(
    body: InventoryReportIn, principal: Reporter, container: ContainerDep
) -> Any:
    with container.db.transaction() as conn:
        return inventory_reports.report_inventory(
            conn,
            body.warehouse,
            body.as_of,
            [(item.sku, item.on_hand) for item in body.items],
            actor=principal,
            now=container.clock.now(),
        )


class AreaIn(RequestModel):
    min_lat: Latitude
    max_lat: Latitude
    min_lon: Longitude
    max_lon: Longitude

    @model_validator(mode="after")
    def _ordered(self) -> AreaIn:
        if self.min_lat > self.max_lat or self.min_lon > self.max_lon:
            raise ValueError("min_lat/min_lon must not be above max_lat/max_lon")
        return self


class AreaOut(ResponseModel):
    min_lat: Latitude
    max_lat: Latitude
    min_lon: Longitude
    max_lon: Longitude


@router.put("/regions/{region}/areas", response_model=list[AreaOut])
def put_region_areas(
    region: Annotated[str, Path(pattern=CODE_PATTERN)],
    body: Annotated[list[AreaIn], Field(max_length=100)],
    _: MasterDataWriter,
    container: ContainerDep,
) -> Any:
    """Replace the boxes (degrees) that place a sell-out point in ``region``;
    a point in several areas goes to the smallest."""
    boxes = [Area(region, a.min_lat, a.max_lat, a.min_lon, a.max_lon) for a in body]
    with container.db.transaction() as conn:
        return sell_out.put_region_areas(conn, region, boxes)
