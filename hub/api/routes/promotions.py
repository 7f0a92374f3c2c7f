"""Promotions: created by admins and integrators, validated per kind."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from dms_domain.dealers import Tier
from dms_domain.promotions import Promotion, PromotionKind
from hub.api.deps import ContainerDep, Cursor, Limit, MasterDataReader, MasterDataWriter
from hub.api.types import (
    CODE_PATTERN,
    Code,
    Count,
    NonNegativeMoney,
    Percent,
    RequestModel,
    ResponseModel,
    Timestamp,
)
from hub.services import promotions

router = APIRouter(prefix="/api/v1/promotions", tags=["promotions"])


class PromotionIn(RequestModel):
    code: Code
    kind: PromotionKind
    starts_at: Timestamp
    ends_at: Timestamp = Field(description="exclusive: applies in [starts_at, ends_at)")
    tiers: list[Tier] | None = Field(default=None, description="absent: every tier")
    skus: list[Code] | None = Field(default=None, description="absent: every SKU")
    threshold_amount: NonNegativeMoney | None = None
    discount_amount: NonNegativeMoney | None = None
    percent: Percent | None = Field(default=None, description='"10" means 10%')
    gift_sku: Code | None = None
    gift_qty: Count | None = None


class PromotionOut(ResponseModel):
    code: str
    kind: PromotionKind
    starts_at: Timestamp
    ends_at: Timestamp
    tiers: list[Tier] | None
    skus: list[str] | None
    threshold_amount: NonNegativeMoney | None
    discount_amount: NonNegativeMoney | None
    percent: Percent | None
    gift_sku: str | None
    gift_qty: int | None


class PromotionPage(ResponseModel):
    items: list[PromotionOut]
    next_cursor: str | None


@router.post("", response_model=PromotionOut, status_code=201)
def create_promotion(
    body: PromotionIn, principal: MasterDataWriter, container: ContainerDep
) -> Any:
    promotion = Promotion(
        code=body.code,
        kind=body.kind,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        tiers=None if body.tiers is None else frozenset(body.tiers),
        skus=None if body.skus is None else frozenset(body.skus),
        threshold_amount=body.threshold_amount,
        discount_amount=body.discount_amount,
        percent=body.percent,
        gift_sku=body.gift_sku,
        gift_qty=body.gift_qty,
    )
    with container.db.transaction() as conn:
        return promotions.create_promotion(
            conn, promotion, actor=principal, now=container.clock.now()
        )


@router.get("", response_model=PromotionPage)
def list_promotions(
    _: MasterDataReader,
    container: ContainerDep,
    in_force_at: Timestamp | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return promotions.list_promotions(conn, in_force_at=in_force_at, cursor=cursor, limit=limit)


@router.get("/{code}", response_model=PromotionOut)
def get_promotion(
    code: Annotated[str, Path(pattern=CODE_PATTERN)], _: MasterDataReader, container: ContainerDep
) -> Any:
    with container.db.transaction() as conn:
        return promotions.get_promotion(conn, code)
