"""Small builders shared by the domain tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from dms_domain.dealers import Tier
from dms_domain.promotions import Promotion, PromotionKind

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
STARTS = NOW - timedelta(days=10)
ENDS = NOW + timedelta(days=10)


def percent_off(
    code: str,
    percent: str,
    *,
    skus: set[str] | None = None,
    tiers: set[Tier] | None = None,
    starts_at: datetime = STARTS,
    ends_at: datetime = ENDS,
) -> Promotion:
    return Promotion(
        code,
        PromotionKind.PERCENT_OFF,
        starts_at,
        ends_at,
        tiers=frozenset(tiers) if tiers is not None else None,
        skus=frozenset(skus) if skus is not None else None,
        percent=Decimal(percent),
    )


def threshold(
    code: str,
    threshold_amount: str,
    discount_amount: str,
    *,
    skus: set[str] | None = None,
    tiers: set[Tier] | None = None,
    starts_at: datetime = STARTS,
    ends_at: datetime = ENDS,
) -> Promotion:
    return Promotion(
        code,
        PromotionKind.THRESHOLD_DISCOUNT,
        starts_at,
        ends_at,
        tiers=frozenset(tiers) if tiers is not None else None,
        skus=frozenset(skus) if skus is not None else None,
        threshold_amount=Decimal(threshold_amount),
        discount_amount=Decimal(discount_amount),
    )


def gift(
    code: str,
    gift_sku: str,
    gift_qty: int,
    *,
    skus: set[str] | None = None,
    tiers: set[Tier] | None = None,
    starts_at: datetime = STARTS,
    ends_at: datetime = ENDS,
) -> Promotion:
    return Promotion(
        code,
        PromotionKind.GIFT,
        starts_at,
        ends_at,
        tiers=frozenset(tiers) if tiers is not None else None,
        skus=frozenset(skus) if skus is not None else None,
        gift_sku=gift_sku,
        gift_qty=gift_qty,
    )
