"""Promotions: what one is, and which combinations of fields make sense.

How promotions are applied to an order (stacking order, windows, price traces)
lives in the pricing module; this one only defines and validates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from dms_domain.dealers import Tier
from dms_domain.errors import FieldErrors
from dms_domain.money import AMOUNT_SCALE, fits_scale


class PromotionKind(StrEnum):
    THRESHOLD_DISCOUNT = "threshold_discount"
    PERCENT_OFF = "percent_off"
    GIFT = "gift"


@dataclass(frozen=True, slots=True)
class Promotion:
    code: str
    kind: PromotionKind
    starts_at: datetime
    ends_at: datetime
    tiers: frozenset[Tier] | None = None  # None: every tier
    skus: frozenset[str] | None = None  # None: every SKU
    threshold_amount: Decimal | None = None
    discount_amount: Decimal | None = None
    percent: Decimal | None = None
    gift_sku: str | None = None
    gift_qty: int | None = None

    def in_force(self, at: datetime) -> bool:
        """Applies in [starts_at, ends_at) at the moment the order is placed."""
        return self.starts_at <= at < self.ends_at

    def applies_to_tier(self, tier: Tier) -> bool:
        return self.tiers is None or tier in self.tiers

    def applies_to_sku(self, sku: str) -> bool:
        return self.skus is None or sku in self.skus


# Fields each kind needs; any other kind-specific field is refused, so a typo in
# an integrator's payload (a percent on a gift) is caught instead of ignored.
_KIND_FIELDS: dict[PromotionKind, frozenset[str]] = {
    PromotionKind.THRESHOLD_DISCOUNT: frozenset({"threshold_amount", "discount_amount"}),
    PromotionKind.PERCENT_OFF: frozenset({"percent"}),
    PromotionKind.GIFT: frozenset({"gift_sku", "gift_qty"}),
}
_KIND_SPECIFIC = frozenset().union(*_KIND_FIELDS.values())


def validate_promotion(promotion: Promotion) -> None:
    """Raise InvalidInput naming every field that does not fit the promotion's kind."""
    errors = FieldErrors()
    if promotion.ends_at <= promotion.starts_at:
        errors.add("ends_at", f"must be after starts_at ({promotion.starts_at.isoformat()})")
    needed = _KIND_FIELDS[promotion.kind]
    for name in sorted(_KIND_SPECIFIC):
        value = getattr(promotion, name)
        if name in needed and value is None:
            errors.add(name, f"is required for a {promotion.kind.value} promotion")
        elif name not in needed and value is not None:
            errors.add(name, f"does not apply to a {promotion.kind.value} promotion")
    for name in ("threshold_amount", "discount_amount"):
        amount: Decimal | None = getattr(promotion, name)
        if amount is not None and amount < 0:
            errors.add(name, f"must not be negative, got {amount}")
        if amount is not None and not fits_scale(amount, AMOUNT_SCALE):
            errors.add(name, f"has more than {AMOUNT_SCALE} decimals: {amount}")
    if promotion.discount_amount is not None and promotion.discount_amount == 0:
        errors.add("discount_amount", "must be greater than 0")
    if promotion.percent is not None and not (0 < promotion.percent <= 100):
        errors.add("percent", f"must be in (0, 100], got {promotion.percent}")
    if promotion.gift_qty is not None and promotion.gift_qty <= 0:
        errors.add("gift_qty", f"must be a positive integer, got {promotion.gift_qty}")
    if promotion.skus is not None and not promotion.skus:
        errors.add("skus", "an empty list matches nothing; leave it out to mean every SKU")
    if promotion.tiers is not None and not promotion.tiers:
        errors.add("tiers", "an empty list matches nothing; leave it out to mean every tier")
    errors.raise_if_any(f"promotion {promotion.code} is invalid")
