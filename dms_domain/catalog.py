"""Warehouses and products: the kinds and rules master data must respect."""

from __future__ import annotations

from enum import StrEnum

from dms_domain.errors import FieldErrors


class WarehouseKind(StrEnum):
    CENTRAL = "central"
    REGIONAL = "regional"
    DEALER = "dealer"


def check_warehouse_owner(kind: WarehouseKind, dealer_code: str | None) -> None:
    """A dealer warehouse names its owner; a central or regional one has none."""
    errors = FieldErrors()
    if kind is WarehouseKind.DEALER and not dealer_code:
        errors.add("dealer_code", "a warehouse of kind 'dealer' needs its owner's dealer_code")
    if kind is not WarehouseKind.DEALER and dealer_code:
        errors.add(
            "dealer_code",
            f"only a warehouse of kind 'dealer' has an owner, not one of kind {kind.value!r}",
        )
    errors.raise_if_any()
