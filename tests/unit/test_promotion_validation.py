from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dms_domain.errors import InvalidInput
from dms_domain.promotions import Promotion, PromotionKind, validate_promotion

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def promo(kind: PromotionKind, **fields: object) -> Promotion:
    base: dict[str, object] = {
        "code": "P1",
        "kind": kind,
        "starts_at": T0,
        "ends_at": T0 + timedelta(days=30),
    }
    base.update(fields)
    return Promotion(**base)  # type: ignore[arg-type]


def fields_of(promotion: Promotion) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        validate_promotion(promotion)
    return [e.field for e in caught.value.errors]


def test_valid_promotions_of_each_kind_pass() -> None:
    validate_promotion(
        promo(
            PromotionKind.THRESHOLD_DISCOUNT,
            threshold_amount=Decimal("1000.00"),
            discount_amount=Decimal("50.00"),
        )
    )
    validate_promotion(promo(PromotionKind.PERCENT_OFF, percent=Decimal("12.5")))
    validate_promotion(promo(PromotionKind.GIFT, gift_sku="G1", gift_qty=2))


def test_each_kind_names_its_missing_fields() -> None:
    assert fields_of(promo(PromotionKind.THRESHOLD_DISCOUNT)) == [
        "discount_amount",
        "threshold_amount",
    ]
    assert fields_of(promo(PromotionKind.PERCENT_OFF)) == ["percent"]
    assert fields_of(promo(PromotionKind.GIFT)) == ["gift_qty", "gift_sku"]


def test_fields_of_another_kind_are_refused_not_ignored() -> None:
    assert fields_of(promo(PromotionKind.PERCENT_OFF, percent=Decimal(10), gift_qty=1)) == [
        "gift_qty"
    ]


def test_window_and_ranges() -> None:
    assert "ends_at" in fields_of(promo(PromotionKind.PERCENT_OFF, percent=Decimal(5), ends_at=T0))
    assert fields_of(promo(PromotionKind.PERCENT_OFF, percent=Decimal(0))) == ["percent"]
    assert fields_of(promo(PromotionKind.PERCENT_OFF, percent=Decimal("100.01"))) == ["percent"]
    assert fields_of(promo(PromotionKind.GIFT, gift_sku="G", gift_qty=0)) == ["gift_qty"]
    assert fields_of(
        promo(
            PromotionKind.THRESHOLD_DISCOUNT,
            threshold_amount=Decimal("-1"),
            discount_amount=Decimal("0.001"),
        )
    ) == ["threshold_amount", "discount_amount"]


def test_window_is_half_open() -> None:
    p = promo(PromotionKind.PERCENT_OFF, percent=Decimal(5))
    assert p.in_force(T0)
    assert p.in_force(T0 + timedelta(days=30) - timedelta(microseconds=1))
    assert not p.in_force(T0 + timedelta(days=30))
    assert not p.in_force(T0 - timedelta(microseconds=1))
