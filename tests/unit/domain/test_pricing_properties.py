"""Properties of pricing that must hold for any order and any promotions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from dms_domain.dealers import Tier
from dms_domain.pricing import (
    TIER_PRICE,
    PricedOrder,
    RequestedLine,
    allocate,
    price_order,
)
from dms_domain.promotions import Promotion, PromotionKind, validate_promotion
from tests.unit.domain.builders import NOW

SKUS = ["A", "B", "C", "D", "E", "F"]
CENT = Decimal("0.01")
STACKED = ["percent_off", "threshold_discount"]

prices = st.decimals(min_value=0, max_value=20000, places=4, allow_nan=False)
amounts_2dp = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False)
windows = st.sampled_from(
    [
        (NOW - timedelta(days=1), NOW + timedelta(days=1)),  # in force
        (NOW, NOW + timedelta(seconds=1)),  # starts now: in force
        (NOW - timedelta(days=1), NOW),  # ended now: not in force
        (NOW + timedelta(seconds=1), NOW + timedelta(days=1)),  # not yet
    ]
)
sku_filters = st.none() | st.frozensets(st.sampled_from(SKUS), min_size=1)
tier_filters = st.none() | st.frozensets(st.sampled_from(list(Tier)), min_size=1)


@st.composite
def promotions(draw: st.DrawFn) -> list[Promotion]:
    count = draw(st.integers(min_value=0, max_value=8))
    result: list[Promotion] = []
    for index in range(count):
        kind = draw(st.sampled_from(list(PromotionKind)))
        starts_at, ends_at = draw(windows)
        base = Promotion(
            f"P{index:02d}",
            kind,
            starts_at,
            ends_at,
            tiers=draw(tier_filters),
            skus=draw(sku_filters),
        )
        if kind is PromotionKind.PERCENT_OFF:
            percent = draw(st.decimals(min_value="0.01", max_value=100, places=2))
            promo = replace(base, percent=percent)
        elif kind is PromotionKind.THRESHOLD_DISCOUNT:
            promo = replace(
                base,
                threshold_amount=draw(amounts_2dp),
                discount_amount=draw(amounts_2dp.filter(lambda a: a > 0)),
            )
        else:
            promo = replace(
                base,
                gift_sku=draw(st.sampled_from([*SKUS, "GIFT-1", "GIFT-2"])),
                gift_qty=draw(st.integers(min_value=1, max_value=5)),
            )
        validate_promotion(promo)  # the generator only makes well-formed promotions
        result.append(promo)
    return result


@dataclass(frozen=True)
class Case:
    tier: Tier
    lines: list[RequestedLine]
    unit_prices: dict[str, Decimal]
    tax_rates: dict[str, Decimal]
    promotions: list[Promotion]

    def price(self, promotions: list[Promotion] | None = None) -> PricedOrder:
        return price_order(
            tier=self.tier,
            lines=self.lines,
            unit_prices=self.unit_prices,
            tax_rates=self.tax_rates,
            promotions=self.promotions if promotions is None else promotions,
            at=NOW,
        )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    skus = draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=len(SKUS), unique=True))
    lines = [RequestedLine(sku, draw(st.integers(min_value=1, max_value=500))) for sku in skus]
    return Case(
        tier=draw(st.sampled_from(list(Tier))),
        lines=lines,
        unit_prices={sku: draw(prices) for sku in skus},
        tax_rates={sku: Decimal(draw(st.sampled_from(["0", "6", "9", "13"]))) for sku in skus},
        promotions=draw(promotions()),
    )


def is_cents(value: Decimal) -> bool:
    return value == value.quantize(CENT) and value.as_tuple().exponent == -2


@settings(max_examples=300, deadline=None)
@given(cases())
def test_lines_add_up_to_the_total_to_the_cent(case: Case) -> None:
    order = case.price()

    assert sum((line.amount for line in order.lines), Decimal(0)) == order.total
    assert is_cents(order.total)
    assert sum((line.tax_amount for line in order.lines), Decimal(0)) == order.tax_total
    assert all(is_cents(line.amount) and is_cents(line.tax_amount) for line in order.lines)
    # what the discounts took off is exactly what separates list amounts from the total
    list_total = sum((line.list_amount for line in order.lines), Decimal(0))
    assert list_total - sum((d.amount for d in order.discounts), Decimal(0)) == order.total


@settings(max_examples=300, deadline=None)
@given(cases())
def test_no_discount_makes_a_line_negative_and_traces_explain_every_amount(case: Case) -> None:
    order = case.price()

    for line in order.lines:
        assert Decimal(0) <= line.amount <= line.list_amount
        assert Decimal(0) <= line.tax_amount <= line.amount
        if line.is_gift:
            assert (line.amount, line.unit_price, line.price_trace[0].rule) == (
                Decimal(0),
                Decimal(0),
                "gift",
            )
            continue
        assert line.price_trace[0] == (TIER_PRICE, case.tier.value, line.unit_price)
        adjustments = [entry.value for entry in line.price_trace[1:]]
        assert all(value < 0 for value in adjustments)
        assert line.list_amount + sum(adjustments, Decimal(0)) == line.amount
        rules = [entry.rule for entry in line.price_trace[1:]]
        # at most one of each, percent-off first
        assert rules in ([], ["percent_off"], ["threshold_discount"], STACKED)
    threshold_codes = {d.code for d in order.discounts if d.kind == "threshold_discount"}
    assert len(threshold_codes) <= 1


@settings(max_examples=300, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_the_same_promotions_in_any_listing_order_price_the_same(
    case: Case, random: Random
) -> None:
    shuffled = list(case.promotions)
    random.shuffle(shuffled)

    first, second = case.price(), case.price(shuffled)

    assert first == second
    assert first.as_dict() == second.as_dict()


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_dropping_gifts_never_changes_the_total(case: Case, data: st.DataObject) -> None:
    order = case.price()
    gift_skus = sorted({line.sku for line in order.gift_lines})
    out_of_stock = data.draw(st.sets(st.sampled_from([*gift_skus, "NOT-A-GIFT"])))

    dropped = order.drop_gifts(out_of_stock)

    assert (dropped.total, dropped.tax_total) == (order.total, order.tax_total)
    assert [line for line in order.lines if not line.is_gift] == [
        line for line in dropped.lines if not line.is_gift
    ]
    assert not any(line.is_gift and line.sku in out_of_stock for line in dropped.lines)
    gone = [line for line in order.gift_lines if line.sku in out_of_stock]
    assert [(w.code, w.sku, w.qty) for w in dropped.warnings] == [
        ("gift_out_of_stock", line.sku, line.qty) for line in gone
    ]


tiny_or_ordinary = st.integers(min_value=0, max_value=5).map(lambda c: c * CENT) | amounts_2dp


@st.composite
def keyed_amounts(draw: st.DrawFn) -> list[tuple[str, Decimal]]:
    """Amounts to allocate over; often all equal, where every share rounds the same way."""
    count = draw(st.integers(min_value=1, max_value=8))
    if draw(st.booleans()):
        values = [draw(tiny_or_ordinary)] * count
    else:
        values = [draw(tiny_or_ordinary) for _ in range(count)]
    return [(f"k{index}", value) for index, value in enumerate(values)]


@settings(max_examples=500, deadline=None)
@given(keyed_amounts(), st.data())
def test_allocation_adds_up_and_stays_within_each_amount(
    amounts: list[tuple[str, Decimal]], data: st.DataObject
) -> None:
    base_cents = int(sum((amount for _, amount in amounts), Decimal(0)) / CENT)
    total = data.draw(st.integers(min_value=0, max_value=base_cents)) * CENT

    shares = allocate(total, amounts)

    assert sum(shares.values(), Decimal(0)) == total
    assert all(Decimal(0) <= shares[key] <= amount for key, amount in amounts)
