"""Pricing an order: tier prices, then promotions, stacked in the contract's order.

The rules (api-contract.md "Conventions" and the promotions paragraph):

1. Each requested line gets its tier unit price (4 decimals) and a gross,
   tax-inclusive ``list_amount = round(qty * unit_price, 2)``, ROUND_HALF_UP.
2. On each line, the single largest applicable ``percent_off`` (never
   compounded): ``discount = round(list_amount * percent / 100, 2)``.
3. On the order, the single largest applicable ``threshold_discount``. Its
   eligible lines are the non-gift lines whose SKU it covers; it applies when
   their ``list_amount`` sum (before any discount) is >= ``threshold_amount``.
   ``discount_amount`` is taken once, capped at the eligible lines' amount after
   percent-off, and spread over them in proportion to those amounts; the
   rounding remainder goes on the largest line (ties: first by SKU).
4. Every applicable ``gift`` adds a gift line (``unit_price`` 0, ``amount`` 0).

"Applicable" means in force at ``at`` (in [starts_at, ends_at)), for the
dealer's tier, and for the line's SKU. "Largest" is the promotion giving the
largest discount amount; ties go to the smallest promotion code, so the same
promotions listed in any order give the same result, traces included.

Decisions where the contract is silent:

- A promotion whose discount on a line (or on the order) comes to 0.00 is not
  applied and leaves no trace entry.
- A gift promotion applies when its tier matches and, if it names SKUs, the
  order has at least one line of those SKUs; it gives ``gift_qty`` once per
  order. Each gift promotion gets its own gift line, after the ordered lines,
  in promotion-code order. A gift SKU without a known tax rate gets
  ``DEFAULT_TAX_RATE`` (its amount is 0, so its tax is 0 anyway).
- A SKU missing from ``tax_rates`` is taxed at ``DEFAULT_TAX_RATE``.
- Unit prices are quantized to 4 decimals (half up) before use.
- Threshold shares are rounded half up; when the remainder cannot go whole on
  the largest line without making it negative (or its share negative), the
  rest spills to the next largest lines. It never happens for ordinary
  amounts, but the lines must still add up and never go negative.
- Promotions given to :func:`price_order` must have distinct codes and be
  well-formed (see ``validate_promotion``); otherwise ``ValueError`` is raised,
  since that is bad master data, not a bad order.

Rendering: every result class has ``as_dict()`` returning JSON-ready values:
money as strings with 2 decimals, unit prices with 4, quantities as ints,
enums as their values, ``tax_rate`` as given ("13"). A dropped gift's
warning is ``{"code": "gift_out_of_stock", "sku", "qty", "promotion"}``; the
promotion code is an addition the contract does not name. ``PriceTraceEntry`` renders as
``{"rule": "tier_price", "tier": "core", "unit_price": "12.3400"}``,
``{"rule": "percent_off", "promotion": "P10", "amount": "-12.34"}`` or
``{"rule": "gift", "promotion": "G1", "qty": 2}``. ``Discount.amount`` is the
positive amount a promotion took off the order, while trace amounts are signed
adjustments to the line, so ``list_amount + sum(trace amounts) == amount``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from dms_domain.dealers import Tier
from dms_domain.errors import FieldErrors
from dms_domain.money import (
    DEFAULT_CURRENCY,
    DEFAULT_TAX_RATE,
    UNIT_PRICE_SCALE,
    format_money,
    round_amount,
    round_unit_price,
)
from dms_domain.promotions import Promotion, PromotionKind

TIER_PRICE = "tier_price"
GIFT_OUT_OF_STOCK = "gift_out_of_stock"
_ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RequestedLine:
    """One line as the dealer asked for it."""

    sku: str
    qty: int


class PriceTraceEntry(NamedTuple):
    """One rule applied to a line: ``(rule, ref, value)``.

    ``tier_price``: ref is the tier, value the unit price. ``percent_off`` and
    ``threshold_discount``: ref is the promotion code, value the (negative)
    adjustment of the line amount. ``gift``: ref is the promotion code, value
    the gift quantity.
    """

    rule: str
    ref: str
    value: Decimal | int

    def as_dict(self) -> dict[str, Any]:
        if self.rule == TIER_PRICE:
            return {
                "rule": self.rule,
                "tier": self.ref,
                "unit_price": format_money(Decimal(self.value), UNIT_PRICE_SCALE),
            }
        if self.rule == PromotionKind.GIFT:
            return {"rule": self.rule, "promotion": self.ref, "qty": int(self.value)}
        return {
            "rule": self.rule,
            "promotion": self.ref,
            "amount": format_money(Decimal(self.value)),
        }


@dataclass(frozen=True, slots=True)
class PricedLine:
    sku: str
    qty: int
    unit_price: Decimal
    list_amount: Decimal
    amount: Decimal  # net of every discount, tax-inclusive
    tax_rate: Decimal
    tax_amount: Decimal
    is_gift: bool
    price_trace: tuple[PriceTraceEntry, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "qty": self.qty,
            "unit_price": format_money(self.unit_price, UNIT_PRICE_SCALE),
            "list_amount": format_money(self.list_amount),
            "amount": format_money(self.amount),
            "tax_rate": str(self.tax_rate),
            "tax_amount": format_money(self.tax_amount),
            "is_gift": self.is_gift,
            "price_trace": [entry.as_dict() for entry in self.price_trace],
        }


@dataclass(frozen=True, slots=True)
class Discount:
    """What one promotion took off the order (positive; 0.00 for a gift)."""

    code: str
    kind: PromotionKind
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind.value, "amount": format_money(self.amount)}


@dataclass(frozen=True, slots=True)
class OrderWarning:
    """Something the dealer should know; the order went on regardless."""

    code: str
    sku: str
    qty: int
    promotion: str | None = None

    def as_dict(self) -> dict[str, Any]:
        rendered: dict[str, Any] = {"code": self.code, "sku": self.sku, "qty": self.qty}
        if self.promotion is not None:
            rendered["promotion"] = self.promotion
        return rendered


@dataclass(frozen=True, slots=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]
    discounts: tuple[Discount, ...]
    warnings: tuple[OrderWarning, ...]
    total: Decimal
    tax_total: Decimal
    currency: str

    @property
    def gift_lines(self) -> tuple[PricedLine, ...]:
        return tuple(line for line in self.lines if line.is_gift)

    def drop_gifts(self, skus: Collection[str]) -> PricedOrder:
        """Drop the gift lines of ``skus`` (out of stock), each with a warning.

        Ordered (non-gift) lines are kept; totals do not change, gifts cost 0.
        """
        kept: list[PricedLine] = []
        dropped_codes: set[str] = set()
        warnings = list(self.warnings)
        for line in self.lines:
            if line.is_gift and line.sku in skus:
                code = _gift_code(line)
                dropped_codes.add(code)
                warnings.append(OrderWarning(GIFT_OUT_OF_STOCK, line.sku, line.qty, code))
            else:
                kept.append(line)
        if not dropped_codes:
            return self
        discounts = tuple(
            d
            for d in self.discounts
            if not (d.kind is PromotionKind.GIFT and d.code in dropped_codes)
        )
        return replace(self, lines=tuple(kept), discounts=discounts, warnings=tuple(warnings))

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": [line.as_dict() for line in self.lines],
            "discounts": [discount.as_dict() for discount in self.discounts],
            "warnings": [warning.as_dict() for warning in self.warnings],
            "total": format_money(self.total),
            "tax_total": format_money(self.tax_total),
            "currency": self.currency,
        }


def _gift_code(line: PricedLine) -> str:
    return next(entry.ref for entry in line.price_trace if entry.rule == PromotionKind.GIFT)


def tax_included(amount: Decimal, rate: Decimal) -> Decimal:
    """The tax inside a tax-inclusive ``amount``: ``round(a - a / (1 + rate/100), 2)``."""
    return round_amount(amount - amount / (1 + rate / _HUNDRED))


def validate_lines(lines: Sequence[RequestedLine], unit_prices: Mapping[str, Decimal]) -> None:
    """Raise InvalidInput naming every bad field: empty order, qty, duplicates, unknown SKUs."""
    errors = FieldErrors()
    if not lines:
        errors.add(
            "lines",
            "an order needs at least one line",
            type="too_short",
            limits=(("min_length", "1"),),
        )
    first_seen: dict[str, int] = {}
    for index, line in enumerate(lines):
        if not line.sku:
            errors.add(f"lines[{index}].sku", "must not be empty")
        elif line.sku in first_seen:
            errors.add(
                f"lines[{index}].sku",
                f"{line.sku!r} is already ordered in lines[{first_seen[line.sku]}]",
                type="duplicate_sku",
            )
        else:
            first_seen[line.sku] = index
            if line.sku not in unit_prices:
                errors.add(
                    f"lines[{index}].sku",
                    f"unknown SKU {line.sku!r} (no price)",
                    type="unknown_sku",
                )
        if isinstance(line.qty, bool) or not isinstance(line.qty, int) or line.qty <= 0:
            errors.add(
                f"lines[{index}].qty",
                f"must be a positive integer, got {line.qty!r}",
                type="greater_than",
                limits=(("gt", "0"),),
            )
    errors.raise_if_any("the order has invalid lines")


def price_order(
    *,
    tier: Tier,
    lines: Sequence[RequestedLine],
    unit_prices: Mapping[str, Decimal],
    tax_rates: Mapping[str, Decimal],
    promotions: Iterable[Promotion],
    at: datetime,
    currency: str = DEFAULT_CURRENCY,
) -> PricedOrder:
    """Price ``lines`` for a dealer of ``tier`` at the moment ``at`` (aware)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("price_order needs an aware datetime for 'at'")
    validate_lines(lines, unit_prices)
    applicable = _applicable(promotions, tier, at)

    work = [_Work.start(line, tier, round_unit_price(unit_prices[line.sku])) for line in lines]
    percent_totals: dict[str, Decimal] = {}
    for item in work:
        _apply_percent_off(item, applicable[PromotionKind.PERCENT_OFF], percent_totals)
    threshold = _apply_threshold(work, applicable[PromotionKind.THRESHOLD_DISCOUNT])

    priced = [item.finish(tax_rates.get(item.sku, DEFAULT_TAX_RATE)) for item in work]
    discounts = [
        Discount(code, PromotionKind.PERCENT_OFF, amount)
        for code, amount in sorted(percent_totals.items())
    ]
    if threshold is not None:
        discounts.append(threshold)
    ordered_skus = {line.sku for line in lines}
    for promo in applicable[PromotionKind.GIFT]:
        gift_sku, gift_qty = _gift_of(promo)
        if promo.skus is not None and not (promo.skus & ordered_skus):
            continue
        priced.append(
            PricedLine(
                sku=gift_sku,
                qty=gift_qty,
                unit_price=Decimal("0.0000"),
                list_amount=_ZERO,
                amount=_ZERO,
                tax_rate=tax_rates.get(gift_sku, DEFAULT_TAX_RATE),
                tax_amount=_ZERO,
                is_gift=True,
                price_trace=(PriceTraceEntry(PromotionKind.GIFT.value, promo.code, gift_qty),),
            )
        )
        discounts.append(Discount(promo.code, PromotionKind.GIFT, _ZERO))

    return PricedOrder(
        lines=tuple(priced),
        discounts=tuple(discounts),
        warnings=(),
        total=sum((line.amount for line in priced), _ZERO),
        tax_total=sum((line.tax_amount for line in priced), _ZERO),
        currency=currency,
    )


@dataclass(slots=True)
class _Work:
    """A non-gift line while it is being priced (mutable, private)."""

    sku: str
    qty: int
    unit_price: Decimal
    list_amount: Decimal
    amount: Decimal
    trace: list[PriceTraceEntry]

    @classmethod
    def start(cls, line: RequestedLine, tier: Tier, unit_price: Decimal) -> _Work:
        list_amount = round_amount(line.qty * unit_price)
        trace = [PriceTraceEntry(TIER_PRICE, tier.value, unit_price)]
        return cls(line.sku, line.qty, unit_price, list_amount, list_amount, trace)

    def take(self, rule: PromotionKind, code: str, discount: Decimal) -> None:
        self.amount -= discount
        self.trace.append(PriceTraceEntry(rule.value, code, _ZERO - discount))

    def finish(self, tax_rate: Decimal) -> PricedLine:
        return PricedLine(
            sku=self.sku,
            qty=self.qty,
            unit_price=self.unit_price,
            list_amount=self.list_amount,
            amount=self.amount,
            tax_rate=tax_rate,
            tax_amount=tax_included(self.amount, tax_rate),
            is_gift=False,
            price_trace=tuple(self.trace),
        )


def _applicable(
    promotions: Iterable[Promotion], tier: Tier, at: datetime
) -> dict[PromotionKind, list[Promotion]]:
    """Promotions in force for ``tier`` at ``at``, by kind, each list sorted by code."""
    by_kind: dict[PromotionKind, list[Promotion]] = {kind: [] for kind in PromotionKind}
    seen: set[str] = set()
    for promo in promotions:
        if promo.code in seen:
            raise ValueError(f"promotion code {promo.code!r} is given twice")
        seen.add(promo.code)
        if promo.in_force(at) and promo.applies_to_tier(tier):
            by_kind[promo.kind].append(promo)
    for promos in by_kind.values():
        promos.sort(key=lambda p: p.code)
    return by_kind


def _apply_percent_off(
    item: _Work, promotions: Sequence[Promotion], totals: dict[str, Decimal]
) -> None:
    best: tuple[Decimal, str] | None = None
    for promo in promotions:  # sorted by code: on equal discounts the first code wins
        if not promo.applies_to_sku(item.sku):
            continue
        percent = _required(promo, promo.percent, "percent")
        discount = min(round_amount(item.list_amount * percent / _HUNDRED), item.list_amount)
        if discount > 0 and (best is None or discount > best[0]):
            best = (discount, promo.code)
    if best is not None:
        discount, code = best
        item.take(PromotionKind.PERCENT_OFF, code, discount)
        totals[code] = totals.get(code, _ZERO) + discount


def _apply_threshold(items: Sequence[_Work], promotions: Sequence[Promotion]) -> Discount | None:
    best: tuple[Decimal, Promotion, list[_Work]] | None = None
    for promo in promotions:  # sorted by code: on equal discounts the first code wins
        eligible = [item for item in items if promo.applies_to_sku(item.sku)]
        threshold = _required(promo, promo.threshold_amount, "threshold_amount")
        requested = _required(promo, promo.discount_amount, "discount_amount")
        if sum((item.list_amount for item in eligible), _ZERO) < threshold:
            continue
        discount = min(requested, sum((item.amount for item in eligible), _ZERO))
        if discount > 0 and (best is None or discount > best[0]):
            best = (discount, promo, eligible)
    if best is None:
        return None
    discount, promo, eligible = best
    shares = allocate(discount, [(item.sku, item.amount) for item in eligible])
    for item in eligible:
        if shares[item.sku] > 0:
            item.take(PromotionKind.THRESHOLD_DISCOUNT, promo.code, shares[item.sku])
    return Discount(promo.code, PromotionKind.THRESHOLD_DISCOUNT, discount)


def allocate(total: Decimal, amounts: Sequence[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Spread ``total`` over keyed ``amounts`` in proportion, to the cent.

    Each share is rounded half up; the remainder goes on the largest amount
    (ties: the smallest key), spilling to the next ones only if that line cannot
    take it whole. Requires ``0 <= total <= sum(amounts)`` and amounts >= 0;
    then every share is in [0, its amount] and the shares add up to ``total``.
    """
    base = sum((amount for _, amount in amounts), _ZERO)
    if total < 0 or total > base:
        raise ValueError(f"cannot allocate {total} over amounts adding up to {base}")
    if total == 0:
        return {key: _ZERO for key, _ in amounts}
    shares = {key: round_amount(total * amount / base) for key, amount in amounts}
    remainder = total - sum(shares.values(), _ZERO)
    capacity = dict(amounts)
    for key, _ in sorted(amounts, key=lambda pair: (-pair[1], pair[0])):
        if remainder == 0:
            break
        if remainder > 0:
            step = min(remainder, capacity[key] - shares[key])
        else:
            step = max(remainder, -shares[key])
        shares[key] += step
        remainder -= step
    return shares


def _gift_of(promo: Promotion) -> tuple[str, int]:
    return (
        _required(promo, promo.gift_sku, "gift_sku"),
        _required(promo, promo.gift_qty, "gift_qty"),
    )


def _required(promo: Promotion, value: _T | None, name: str) -> _T:
    if value is None:
        raise ValueError(f"promotion {promo.code} ({promo.kind.value}) has no {name}")
    return value
