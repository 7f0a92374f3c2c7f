"""The SAP connector's rules that need no SAP: what RETURN means, stock sums
and sweep cursors, OData literals, and the simulator's $filter."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.sap.feeds import (
    STOCK_LINE_KEY,
    StockCursor,
    datetimeoffset,
    digest,
    millis,
    sum_stock,
)
from connectors.sap.odata_connector import quoted
from connectors.sap.soap_connector import external, internal, rejection
from dms_domain.errors import PermanentError
from simulators.sap.query import QueryError, parse_filter

TYPES = st.sampled_from(["S", "W", "I", "E", "A", ""])
MESSAGES = st.lists(
    st.fixed_dictionaries(
        {
            "TYPE": TYPES,
            "ID": st.sampled_from(["V1", "V4", "VP"]),
            "NUMBER": st.sampled_from(["302", "115", "", "000"]),
            "MESSAGE": st.text(min_size=1, max_size=20),
        }
    ),
    max_size=6,
)


@given(MESSAGES)
def test_return_refuses_exactly_when_a_message_is_of_type_e_or_a(
    messages: list[dict[str, Any]],
) -> None:
    refused = rejection(messages)

    errors = [m for m in messages if m["TYPE"] in ("E", "A")]
    assert (refused is None) == (not errors)
    if refused is not None:
        first = errors[0]
        expected = f"{first['ID']}/{first['NUMBER']}" if first["NUMBER"] else first["ID"]
        assert refused.code == expected
        assert first["MESSAGE"].strip() in refused.detail


@given(st.integers(min_value=1, max_value=9_999_999_999))
def test_document_numbers_keep_their_value_in_both_forms(number: int) -> None:
    assert external(internal(str(number))) == str(number)
    assert len(internal(str(number))) == 10


LINES = st.lists(
    st.fixed_dictionaries(
        {
            "Material": st.sampled_from(["M-1", "M-2"]),
            "Plant": st.sampled_from(["1010", "1020"]),
            "StorageLocation": st.sampled_from(["0001", "0002", "0003"]),
            "Batch": st.sampled_from(["", "B1"]),
            "InventoryStockType": st.just("01"),
            "MatlWrhsStkQtyInMatlBaseUnit": st.decimals(
                min_value=0, max_value=10_000, places=3, allow_nan=False
            ).map(lambda d: format(d, "f")),
        }
    ),
    max_size=20,
)


@given(LINES, st.randoms(use_true_random=False))
def test_stock_sums_each_line_once_per_plant_and_material(
    lines: list[dict[str, Any]], rnd: random.Random
) -> None:
    # One line per stock key (a key is one line in SAP), some read twice, in any order.
    unique = {tuple(line[k] for k in STOCK_LINE_KEY): line for line in lines}
    lines = list(unique.values())
    repeated = lines + rnd.sample(lines, len(lines) // 2)
    rnd.shuffle(repeated)

    groups = sum_stock(repeated)

    expected: dict[tuple[str, str], Decimal] = {}
    for line in unique.values():
        key = (line["Plant"], line["Material"])
        expected[key] = expected.get(key, Decimal(0)) + Decimal(
            line["MatlWrhsStkQtyInMatlBaseUnit"]
        )
    got = {(g["Plant"], g["Material"]): Decimal(g["MatlWrhsStkQtyInMatlBaseUnit"]) for g in groups}
    assert got == expected
    assert digest(groups) == digest(sum_stock(list(reversed(repeated))))


def test_a_quantity_that_is_not_a_decimal_is_kept_for_the_mapping_to_refuse() -> None:
    lines = [
        {
            "Material": "M",
            "Plant": "P",
            "StorageLocation": "1",
            "MatlWrhsStkQtyInMatlBaseUnit": "1",
        },
        {
            "Material": "M",
            "Plant": "P",
            "StorageLocation": "2",
            "MatlWrhsStkQtyInMatlBaseUnit": "1,5",
        },
    ]

    [group] = sum_stock(lines)

    assert group["MatlWrhsStkQtyInMatlBaseUnit"] == "1,5"


@given(
    st.integers(min_value=0, max_value=2**45),
    st.text("0123456789abcdef", min_size=1, max_size=20),
    st.none() | st.integers(min_value=0, max_value=10**6),
)
def test_stock_cursors_read_back_as_written(start: int, text: str, offset: int | None) -> None:
    cursor = StockCursor(start, text, offset)

    assert StockCursor.parse(cursor.text(), "sap") == cursor


@pytest.mark.parametrize("text", ["", "x", "d:1", "s:1:a", "d:x:a", "s:1:a:b"])
def test_a_stock_cursor_not_given_by_the_connector_is_refused(text: str) -> None:
    with pytest.raises(PermanentError, match="not one this connector gave"):
        StockCursor.parse(text, "sap")


@given(st.integers(min_value=0, max_value=2**42))
def test_a_change_time_survives_the_filter_literal(ms: int) -> None:
    fields = {"LastChangeDateTime"}
    literal = datetimeoffset(ms)

    assert parse_filter(f"LastChangeDateTime eq {literal}", fields)({"LastChangeDateTime": ms})
    assert not parse_filter(f"LastChangeDateTime gt {literal}", fields)({"LastChangeDateTime": ms})
    assert millis(f"/Date({ms}+0000)/") == ms


@given(st.text(max_size=30))
def test_a_quoted_value_is_read_back_by_the_filter(value: str) -> None:
    fields = {"PurchaseOrderByCustomer"}
    matches = parse_filter(f"PurchaseOrderByCustomer eq {quoted(value)}", fields)

    assert matches({"PurchaseOrderByCustomer": value})
    assert not matches({"PurchaseOrderByCustomer": value + "x"})


def test_filters_combine_with_and_or_not_and_parentheses() -> None:
    fields = {"A", "B"}
    rows = [{"A": a, "B": b} for a in ("x", "y") for b in (Decimal(1), Decimal(2))]
    predicate = parse_filter("not (A eq 'x' and B gt 1) or B eq 2", fields)

    assert [predicate(r) for r in rows] == [True, True, True, True]
    predicate = parse_filter("(A eq 'x' or A eq 'y') and not B le 1", fields)
    assert [predicate(r) for r in rows] == [False, True, False, True]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("C eq 1", "'C'"),
        ("A like 'x'", "'like'"),
        ("A eq", "too early"),
        ("(A eq 1", "parenthesis"),
    ],
)
def test_a_filter_the_simulator_cannot_read_is_an_error_naming_it(text: str, named: str) -> None:
    with pytest.raises(QueryError, match=named):
        parse_filter(text, {"A"})
