"""Dealers: PUT (admin, integrator), GET scoped by role."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import Field

from dms_domain.dealers import DealerStatus, Tier
from hub.api.deps import AnyRole, ContainerDep, Cursor, Limit, MasterDataWriter
from hub.api.types import (
    CODE_PATTERN,
    Code,
    Count,
    Money,
    Name,
    NonNegativeMoney,
    RequestModel,
    ResponseModel,
    ShortText,
)
from hub.services import dealers, licences

router = APIRouter(prefix="/api/v1/dealers", tags=["dealers"])
DealerCode = Annotated[str, Path(pattern=CODE_PATTERN)]


class ErpRef(RequestModel):
    system: ShortText
    customer_code: ShortText


class DealerIn(RequestModel):
    name: Name
    tier: Tier
    regions: list[ShortText] = Field(default_factory=list)
    credit_limit: NonNegativeMoney | None = Field(description="null means no limit")
    payment_terms_days: Annotated[Count, Field(ge=0, le=3650)]
    status: DealerStatus
    default_warehouse: Code | None = None
    erp: ErpRef | None = None


class ErpRefOut(ResponseModel):
    system: str
    customer_code: str


class DealerOut(ResponseModel):
    code: str
    name: str
    tier: Tier
    regions: list[str]
    credit_limit: Money | None
    payment_terms_days: int
    status: DealerStatus
    default_warehouse: str | None
    erp: ErpRefOut | None
    created_at: datetime
    updated_at: datetime


class DealerDetail(DealerOut):
    exposure: Money
    headroom: Money | None = Field(description="credit_limit - exposure; null: no limit")


class DealerPage(ResponseModel):
    items: list[DealerOut]
    next_cursor: str | None


@router.put("/{code}", response_model=DealerOut, responses={201: {"model": DealerOut}})
def put_dealer(
    code: DealerCode,
    body: DealerIn,
    principal: MasterDataWriter,
    container: ContainerDep,
    response: Response,
) -> Any:
    data = dealers.DealerInput(
        name=body.name,
        tier=body.tier,
        regions=body.regions,
        credit_limit=body.credit_limit,
        payment_terms_days=body.payment_terms_days,
        status=body.status,
        default_warehouse=body.default_warehouse,
        erp_system=body.erp.system if body.erp else None,
        erp_customer_code=body.erp.customer_code if body.erp else None,
    )
    with container.db.transaction() as conn:
        dealer, created = dealers.put_dealer(
            conn, code, data, actor=principal, now=container.clock.now()
        )
    response.status_code = 201 if created else 200
    return dealer


@router.get("", response_model=DealerPage)
def list_dealers(
    principal: AnyRole,
    container: ContainerDep,
    status: DealerStatus | None = None,
    tier: Tier | None = None,
    region: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return dealers.list_dealers(
            conn,
            principal,
            status=status,
            tier=tier,
            region=region,
            cursor=cursor,
            limit=limit,
        )


@router.get("/{code}", response_model=DealerDetail)
def get_dealer(code: DealerCode, principal: AnyRole, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return dealers.get_dealer(conn, code, principal)


class LicenceIn(RequestModel):
    kind: ShortText
    expires_on: date = Field(description="valid through this day (business time zone)")


class LicenceOut(ResponseModel):
    dealer_code: str
    number: str
    kind: str
    expires_on: date


@router.put(
    "/{code}/licences/{number}",
    response_model=LicenceOut,
    responses={201: {"model": LicenceOut}},
)
def put_licence(
    code: DealerCode,
    number: Annotated[str, Path(pattern=CODE_PATTERN)],
    body: LicenceIn,
    principal: MasterDataWriter,
    container: ContainerDep,
    response: Response,
) -> Any:
    data = licences.LicenceInput(kind=body.kind, expires_on=body.expires_on)
    with container.db.transaction() as conn:
        licence, created = licences.put_licence(
            conn, code, number, data, actor=principal, now=container.clock.now()
        )
    response.status_code = 201 if created else 200
    return licence


@router.get("/{code}/licences", response_model=list[LicenceOut])
def list_licences(code: DealerCode, principal: AnyRole, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return licences.list_licences(conn, code, principal)
