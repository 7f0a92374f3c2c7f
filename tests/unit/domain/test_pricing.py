"""Worked examples for pricing: every figure here was computed by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from dms_domain.dealers import Tier
from dms_domain.errors import InvalidInput
from dms_domain.pricing import (
    Discount,
    OrderWarning,
    PricedOrder,
    PriceTraceEntry,
    RequestedLine,
    allocate,
    price_order,
    tax_included,
)
from dms_domain.promotions import Promotion, PromotionKind
from tests.unit.domain.builders import NOW, gift, percent_off, threshold

D = Decimal


def price(
    lines: Iterable[tuple[str, int]],
    prices: Mapping[str, str],
    promotions: Iterable[Promotion] = (),
    *,
    tier: Tier = Tier.CORE,
    tax_rates: Mapping[str, str] | None = None,
    at: datetime = NOW,
) -> PricedOrder:
    return price_order(
        tier=tier,
        lines=[RequestedLine(sku, qty) for sku, qty in lines],
        unit_prices={sku: D(p) for sku, p in prices.items()},
        tax_rates={sku: D(r) for sku, r in (tax_rates or {}).items()},
        promotions=promotions,
        at=at,
    )


def amounts(order: PricedOrder) -> dict[str, Decimal]:
    return {line.sku: line.amount for line in order.lines if not line.is_gift}


# The worked example:
#   A: 4 x 100.0000 = 400.00, PROMO10 (10% on A) -> -40.00 -> 360.00
#   B: 3 x 120.0000 = 360.00
#   C: 3 x  99.9950 = 299.985 -> 299.99 (half up)
#   before discounts 1059.99 >= 1000, so FULL1000 takes 50.00 over 360 + 360 + 299.99 = 1019.99:
#     A 50 * 360 / 1019.99    = 17.647... -> 17.65
#     B 50 * 360 / 1019.99    = 17.647... -> 17.65
#     C 50 * 299.99 / 1019.99 = 14.705... -> 14.71   shares add up to 50.01
#   remainder -0.01 on the largest line; A and B tie at 360.00, A comes first: A 17.64.
#   A 360.00 - 17.64 = 342.36, B 360.00 - 17.65 = 342.35, C 299.99 - 14.71 = 285.28
#   total 969.99 = 1059.99 - 40.00 - 50.00
#   tax at 13%: A 342.36 - 342.36/1.13 = 39.386... -> 39.39, B 342.35 - 342.35/1.13 = 39.385...
#   -> 39.39; C at 9%: 285.28 - 285.28/1.09 = 23.555... -> 23.56; tax_total 102.34
WORKED_PROMOTIONS = [
    percent_off("PROMO10", "10", skus={"A"}),
    percent_off("PROMO05", "5", skus={"A", "B"}),  # smaller on A; the only one on B
    threshold("FULL1000", "1000.00", "50.00"),
    threshold("FULL500", "500.00", "20.00"),  # applies too, but gives less
    gift("GIFT1", "G-1", 2, skus={"B"}),
    percent_off("OLD50", "50", starts_at=NOW - timedelta(days=30), ends_at=NOW),  # ended
    percent_off("STRAT30", "30", tiers={Tier.STRATEGIC}),  # another tier
    gift("GIFTX", "G-X", 1, skus={"Z"}),  # no Z ordered
]


def worked_example(promotions: Iterable[Promotion] = WORKED_PROMOTIONS) -> PricedOrder:
    return price(
        [("A", 4), ("B", 3), ("C", 3)],
        {"A": "100.0000", "B": "120.0000", "C": "99.9950"},
        promotions,
        tax_rates={"A": "13", "B": "13", "C": "9"},
    )


def test_worked_example_without_the_5_percent_promotion() -> None:
    order = worked_example([p for p in WORKED_PROMOTIONS if p.code != "PROMO05"])

    assert [(line.sku, line.list_amount, line.amount) for line in order.lines] == [
        ("A", D("400.00"), D("342.36")),
        ("B", D("360.00"), D("342.35")),
        ("C", D("299.99"), D("285.28")),
        ("G-1", D("0.00"), D("0.00")),
    ]
    assert [line.tax_amount for line in order.lines] == [
        D("39.39"),
        D("39.39"),
        D("23.56"),
        D("0.00"),
    ]
    assert order.total == D("969.99")
    assert order.tax_total == D("102.34")
    assert order.currency == "CNY"
    assert order.lines[0].price_trace == (
        ("tier_price", "core", D("100.0000")),
        ("percent_off", "PROMO10", D("-40.00")),
        ("threshold_discount", "FULL1000", D("-17.64")),
    )
    assert order.lines[1].price_trace == (
        ("tier_price", "core", D("120.0000")),
        ("threshold_discount", "FULL1000", D("-17.65")),
    )
    assert order.lines[2].price_trace == (
        ("tier_price", "core", D("99.9950")),
        ("threshold_discount", "FULL1000", D("-14.71")),
    )
    gift_line = order.lines[3]
    assert (gift_line.qty, gift_line.unit_price, gift_line.is_gift) == (2, D("0"), True)
    assert gift_line.price_trace == (PriceTraceEntry("gift", "GIFT1", 2),)
    assert order.discounts == (
        Discount("PROMO10", PromotionKind.PERCENT_OFF, D("40.00")),
        Discount("FULL1000", PromotionKind.THRESHOLD_DISCOUNT, D("50.00")),
        Discount("GIFT1", PromotionKind.GIFT, D("0.00")),
    )
    assert order.warnings == ()


def test_worked_example_with_the_5_percent_promotion_on_b() -> None:
    # B now gets 5%: 360.00 -> -18.00 -> 342.00; A keeps the larger 10%.
    # FULL1000 over 360 + 342 + 299.99 = 1001.99:
    #   A 50 * 360 / 1001.99 = 17.964... -> 17.96
    #   B 50 * 342 / 1001.99 = 17.066... -> 17.07
    #   C 50 * 299.99 / 1001.99 = 14.969... -> 14.97   shares add up to 50.00, no remainder
    order = worked_example()

    assert amounts(order) == {"A": D("342.04"), "B": D("324.93"), "C": D("285.02")}
    assert order.total == D("951.99")  # 1059.99 - 40.00 - 18.00 - 50.00
    assert order.lines[1].price_trace == (
        ("tier_price", "core", D("120.0000")),
        ("percent_off", "PROMO05", D("-18.00")),
        ("threshold_discount", "FULL1000", D("-17.07")),
    )
    assert [d.code for d in order.discounts] == ["PROMO05", "PROMO10", "FULL1000", "GIFT1"]
    assert order.discounts[0].amount == D("18.00")


def test_rendering_uses_strings_with_fixed_decimals() -> None:
    rendered = worked_example().as_dict()

    assert rendered["total"] == "951.99"
    assert rendered["tax_total"] == "100.26"  # 39.35 + 37.38 + 23.53, see the tax test
    assert rendered["lines"][0] == {
        "sku": "A",
        "qty": 4,
        "unit_price": "100.0000",
        "list_amount": "400.00",
        "amount": "342.04",
        "tax_rate": "13",
        "tax_amount": "39.35",
        "is_gift": False,
        "price_trace": [
            {"rule": "tier_price", "tier": "core", "unit_price": "100.0000"},
            {"rule": "percent_off", "promotion": "PROMO10", "amount": "-40.00"},
            {"rule": "threshold_discount", "promotion": "FULL1000", "amount": "-17.96"},
        ],
    }
    assert rendered["lines"][3]["price_trace"] == [{"rule": "gift", "promotion": "GIFT1", "qty": 2}]
    assert rendered["discounts"][2] == {
        "code": "FULL1000",
        "kind": "threshold_discount",
        "amount": "50.00",
    }


def test_tax_of_a_tax_inclusive_amount() -> None:
    assert tax_included(D("113.00"), D("13")) == D("13.00")
    assert tax_included(D("342.04"), D("13")) == D("39.35")  # 342.04 / 1.13 = 302.690...
    assert tax_included(D("324.93"), D("13")) == D("37.38")  # 324.93 / 1.13 = 287.548...
    assert tax_included(D("285.02"), D("9")) == D("23.53")  # 285.02 / 1.09 = 261.486...
    assert tax_included(D("100.00"), D("0")) == D("0.00")


def test_percent_off_never_compounds_the_largest_wins() -> None:
    order = price([("A", 1)], {"A": "200.00"}, [percent_off("P10", "10"), percent_off("P20", "20")])

    assert order.total == D("160.00")  # 20% of 200, not 28%
    assert order.lines[0].price_trace[1:] == (("percent_off", "P20", D("-40.00")),)


def test_percent_off_equal_discounts_go_to_the_smallest_code_in_any_order() -> None:
    # 0.10 x 10% = 0.01 and 0.10 x 14% = 0.014 -> 0.01: a tie after rounding.
    promos = [percent_off("B-TEN", "10"), percent_off("A-FOURTEEN", "14")]
    for listing in (promos, promos[::-1]):
        order = price([("A", 1)], {"A": "0.10"}, listing)
        assert order.lines[0].price_trace[1:] == (("percent_off", "A-FOURTEEN", D("-0.01")),)


def test_percent_off_rounds_half_up() -> None:
    # 3 x 4.1500 = 12.45; 10% = 1.245 -> 1.25
    order = price([("A", 3)], {"A": "4.1500"}, [percent_off("P10", "10")])

    assert order.lines[0].amount == D("11.20")


def test_a_promotion_is_in_force_from_its_start_until_just_before_its_end() -> None:
    starting = percent_off("START", "10", starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    ending = percent_off("END", "20", starts_at=NOW - timedelta(hours=1), ends_at=NOW)

    order = price([("A", 1)], {"A": "100.00"}, [starting, ending])

    assert [entry.ref for entry in order.lines[0].price_trace] == ["core", "START"]


def test_tier_and_sku_filters() -> None:
    promos = [
        percent_off("STD", "50", tiers={Tier.STANDARD}),
        percent_off("CORE-B", "10", tiers={Tier.CORE}, skus={"B"}),
    ]

    core = price([("A", 1), ("B", 1)], {"A": "100.00", "B": "100.00"}, promos)
    standard = price(
        [("A", 1), ("B", 1)], {"A": "100.00", "B": "100.00"}, promos, tier=Tier.STANDARD
    )

    assert amounts(core) == {"A": D("100.00"), "B": D("90.00")}
    assert amounts(standard) == {"A": D("50.00"), "B": D("50.00")}
    assert standard.lines[0].price_trace[0] == ("tier_price", "standard", D("100.0000"))


def test_threshold_compares_the_amount_before_discounts() -> None:
    # 1000.00 list, 10% off leaves 900.00 < 1000, but the threshold looks at 1000.00.
    order = price(
        [("A", 10)],
        {"A": "100.00"},
        [percent_off("P10", "10"), threshold("FULL1000", "1000.00", "50.00")],
    )

    assert order.total == D("850.00")


def test_threshold_just_missed() -> None:
    order = price([("A", 1)], {"A": "999.99"}, [threshold("FULL1000", "1000.00", "50.00")])

    assert order.total == D("999.99")
    assert order.discounts == ()


def test_threshold_counts_and_discounts_only_the_skus_it_covers() -> None:
    lines = [("A", 1), ("B", 1)]
    prices = {"A": "600.00", "B": "600.00"}

    missed = price(lines, prices, [threshold("A1000", "1000.00", "50.00", skus={"A"})])
    met = price(lines, prices, [threshold("A500", "500.00", "50.00", skus={"A"})])

    assert missed.total == D("1200.00")
    assert amounts(met) == {"A": D("550.00"), "B": D("600.00")}


def test_threshold_discount_is_capped_so_no_line_goes_negative() -> None:
    order = price([("A", 1)], {"A": "30.00"}, [threshold("FREE", "0.00", "100.00")])

    assert order.lines[0].amount == D("0.00")
    assert order.total == D("0.00")
    assert order.discounts == (Discount("FREE", PromotionKind.THRESHOLD_DISCOUNT, D("30.00")),)


def test_largest_threshold_is_judged_after_the_cap() -> None:
    # BIG names 100.00 but its only eligible line is 30.00, so it gives 30.00;
    # SMALL gives its full 40.00 over both lines and is the larger one.
    promos = [
        threshold("BIG", "0.00", "100.00", skus={"A"}),
        threshold("SMALL", "0.00", "40.00"),
    ]

    order = price([("A", 1), ("B", 1)], {"A": "30.00", "B": "50.00"}, promos)

    # SMALL: A 40 * 30 / 80 = 15.00, B 40 * 50 / 80 = 25.00
    assert amounts(order) == {"A": D("15.00"), "B": D("25.00")}
    assert [d.code for d in order.discounts] == ["SMALL"]


def test_threshold_remainder_goes_on_the_largest_line() -> None:
    # 0.11 over 10.00, 20.00, 30.00 (60.00): 0.0183 -> 0.02, 0.0366 -> 0.04,
    # 0.055 -> 0.06 (half up) = 0.12; the remainder -0.01 goes on C, the largest: 0.05.
    order = price(
        [("A", 1), ("B", 1), ("C", 1)],
        {"A": "10.00", "B": "20.00", "C": "30.00"},
        [threshold("T", "0.00", "0.11")],
    )

    assert amounts(order) == {"A": D("9.98"), "B": D("19.96"), "C": D("29.95")}


def test_allocate_positive_remainder_ties_go_to_the_smallest_key() -> None:
    # 0.01 over three equal amounts: every share rounds to 0.00; the cent goes to "a".
    shares = allocate(D("0.01"), [("c", D("1.00")), ("a", D("1.00")), ("b", D("1.00"))])

    assert shares == {"a": D("0.01"), "b": D("0.00"), "c": D("0.00")}


def test_allocate_spills_a_remainder_the_largest_line_cannot_take() -> None:
    # 0.02 over four 0.01s: each share 0.005 -> 0.01, sum 0.04, remainder -0.02;
    # "a" can give back only 0.01, so "b" gives back the other.
    amounts_ = [(key, D("0.01")) for key in "abcd"]

    assert allocate(D("0.02"), amounts_) == {
        "a": D("0.00"),
        "b": D("0.00"),
        "c": D("0.01"),
        "d": D("0.01"),
    }


def test_allocate_refuses_more_than_the_base() -> None:
    with pytest.raises(ValueError, match="cannot allocate"):
        allocate(D("1.01"), [("a", D("1.00"))])


def test_gifts_one_line_per_promotion_once_per_order() -> None:
    promos = [
        gift("GIFT-B", "G-1", 1, skus={"A"}),
        gift("GIFT-A", "A", 2),  # the gift is an ordered SKU: still its own line
        gift("GIFT-NONE", "G-9", 1, skus={"Z"}),
    ]

    order = price([("A", 5)], {"A": "10.00"}, promos, tax_rates={"A": "9"})

    assert [(line.sku, line.qty, line.is_gift) for line in order.lines] == [
        ("A", 5, False),
        ("A", 2, True),
        ("G-1", 1, True),
    ]
    assert order.lines[1].tax_rate == D("9")
    assert order.lines[2].tax_rate == D("13")  # unknown to tax_rates: the default
    assert order.total == D("50.00")
    assert [d.code for d in order.discounts] == ["GIFT-A", "GIFT-B"]


def test_drop_gifts_out_of_stock() -> None:
    order = price(
        [("A", 1)],
        {"A": "10.00"},
        [gift("G1", "A", 1), gift("G2", "X", 3), gift("G3", "Y", 1)],
    )

    dropped = order.drop_gifts({"A", "X"})

    assert [(line.sku, line.is_gift) for line in dropped.lines] == [("A", False), ("Y", True)]
    assert dropped.warnings == (
        OrderWarning("gift_out_of_stock", "A", 1, "G1"),
        OrderWarning("gift_out_of_stock", "X", 3, "G2"),
    )
    assert [d.code for d in dropped.discounts] == ["G3"]
    assert (dropped.total, dropped.tax_total) == (order.total, order.tax_total)
    assert dropped.as_dict()["warnings"][1] == {
        "code": "gift_out_of_stock",
        "sku": "X",
        "qty": 3,
        "promotion": "G2",
    }
    assert order.drop_gifts({"nothing"}) is order


def test_every_bad_line_is_named_before_refusing() -> None:
    with pytest.raises(InvalidInput) as caught:
        price(
            [("A", 0), ("B", 1), ("A", 2), ("NOPE", -1), ("", 1)],
            {"A": "1.00", "B": "1.00"},
        )

    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("lines[0].qty", "must be a positive integer, got 0"),
        ("lines[2].sku", "'A' is already ordered in lines[0]"),
        ("lines[3].sku", "unknown SKU 'NOPE' (no price)"),
        ("lines[3].qty", "must be a positive integer, got -1"),
        ("lines[4].sku", "must not be empty"),
    ]
    # The rule of each, for a client that words it in its own language.
    assert [e.as_dict().get("type") for e in caught.value.errors] == [
        "greater_than",
        "duplicate_sku",
        "unknown_sku",
        "greater_than",
        None,
    ]
    assert caught.value.errors[0].as_dict()["limits"] == {"gt": "0"}


def test_an_empty_order_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        price([], {"A": "1.00"})

    assert [e.as_dict() for e in caught.value.errors] == [
        {
            "field": "lines",
            "message": "an order needs at least one line",
            "type": "too_short",
            "limits": {"min_length": "1"},
        }
    ]


def test_a_naive_moment_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        price([("A", 1)], {"A": "1.00"}, at=NOW.replace(tzinfo=None))


def test_duplicate_promotion_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        price([("A", 1)], {"A": "1.00"}, [percent_off("P", "10"), percent_off("P", "20")])


def test_currency_is_carried() -> None:
    order = price_order(
        tier=Tier.CORE,
        lines=[RequestedLine("A", 1)],
        unit_prices={"A": D("1.00")},
        tax_rates={},
        promotions=[],
        at=NOW,
        currency="USD",
    )

    assert order.currency == "USD"
    assert order.lines[0].tax_rate == D("13")
