"""Alert rule kinds and their thresholds: defaults, and the ranges a person may set.

A rule's thresholds are a small mapping of named numbers. Percents are decimal
strings on the wire ("50"), like every percent of the contract; counts of days
and months are integers. ``check_thresholds`` names every bad field with its
value, so a 422 tells the caller all that is wrong at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from dms_domain.errors import FieldErrors
from dms_domain.money import fits_scale


class AlertKind(StrEnum):
    LOW_STOCK = "low_stock"
    PURCHASE_DROP = "purchase_drop"
    CROSS_REGION_SALES = "cross_region_sales"
    CREDIT_OVERDUE = "credit_overdue"
    LICENCE_EXPIRING = "licence_expiring"
    SYNC_FAILURE = "sync_failure"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Threshold:
    """One named threshold: its default and the closed range it must lie in."""

    default: int | Decimal
    minimum: int | Decimal
    maximum: int | Decimal
    description: str

    @property
    def is_percent(self) -> bool:
        return isinstance(self.default, Decimal)


def _percent(default: str, description: str, minimum: str = "0") -> Threshold:
    return Threshold(Decimal(default), Decimal(minimum), Decimal(100), description)


def _count(default: int, minimum: int, maximum: int, description: str) -> Threshold:
    return Threshold(default, minimum, maximum, description)


RULES: dict[AlertKind, dict[str, Threshold]] = {
    # Safety stock is set per (warehouse, SKU) on the stock record itself.
    AlertKind.LOW_STOCK: {},
    AlertKind.PURCHASE_DROP: {
        "drop_percent": _percent(
            "50", "a month counts as a drop when purchases fall by at least this", minimum="0.01"
        ),
        "months": _count(3, 1, 12, "consecutive complete months that must all drop"),
        "baseline_months": _count(
            6, 1, 24, "complete months before the streak whose average is the baseline"
        ),
    },
    AlertKind.CROSS_REGION_SALES: {
        "max_outside_percent": _percent(
            "10", "share of units sold outside the dealer's regions allowed by contract"
        ),
        "period_days": _count(30, 1, 366, "days of sell-out reports looked at, today included"),
    },
    AlertKind.CREDIT_OVERDUE: {
        "days": _count(30, 0, 3650, "receivables past due by more than this many days"),
    },
    AlertKind.LICENCE_EXPIRING: {
        "days": _count(30, 0, 3650, "licences expiring within this many days (or expired)"),
    },
    AlertKind.SYNC_FAILURE: {
        "stale_minutes": _count(
            60, 1, 43_200, "a connector entity without a successful pull for longer than this"
        ),
        "dead_letters": _count(1, 1, 1_000_000, "open dead letters that raise the alert"),
    },
}


def defaults(kind: AlertKind) -> dict[str, int | Decimal]:
    return {name: spec.default for name, spec in RULES[kind].items()}


def check_thresholds(
    kind: AlertKind, given: Mapping[str, Any], prefix: str = "thresholds"
) -> dict[str, int | Decimal]:
    """The thresholds of ``kind``: ``given`` over the defaults, each checked.

    Raises ``InvalidInput`` naming every unknown or bad field and its value.
    """
    specs = RULES[kind]
    errors = FieldErrors()
    values = defaults(kind)
    for name, raw in given.items():
        spec = specs.get(name)
        field = f"{prefix}.{name}"
        if spec is None:
            known = ", ".join(sorted(specs)) or "none"
            errors.add(field, f"unknown threshold for {kind.value} (known: {known})")
            continue
        value = _parse(spec, raw)
        if value is None:
            kind_text = 'a decimal string such as "50"' if spec.is_percent else "an integer"
            errors.add(field, f"{raw!r} is not {kind_text}")
        elif not spec.minimum <= value <= spec.maximum:
            errors.add(field, f"{raw} is out of range [{spec.minimum}, {spec.maximum}]")
        else:
            values[name] = value
    errors.raise_if_any(f"thresholds of {kind.value} not saved")
    return values


def _parse(spec: Threshold, raw: Any) -> int | Decimal | None:
    if spec.is_percent:
        if not isinstance(raw, str):
            return None
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return None
        return number if number.is_finite() and fits_scale(number, 2) else None
    # bool is an int in Python: refuse it, as the API refuses "30" for an integer.
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None
    return raw


def as_json(values: Mapping[str, int | Decimal]) -> dict[str, int | str]:
    """Thresholds as stored and answered: percents as strings."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}
