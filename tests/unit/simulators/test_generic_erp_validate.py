"""The generic ERP simulator reads request bodies strictly and says everything wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from simulators.generic_erp.validate import (
    RequestInvalid,
    cancel_request,
    order_request,
    parse_json,
)

SAMPLE = Path(__file__).resolve().parents[3] / (
    "mappings/generic/sales_order.out.yaml.samples/full.out.json"
)


def test_what_the_shipped_mapping_writes_is_a_valid_order() -> None:
    order = order_request(parse_json(SAMPLE.read_bytes()))

    assert (order.external_ref, order.customer, order.warehouse) == (
        "SO20260105-0001",
        "C-10001",
        "WH-SH",
    )
    assert order.gross == Decimal("1356.00")
    assert [(line.line_no, line.material, line.quantity) for line in order.lines] == [
        (1, "M-0001", 10),
        (2, "M-0002", 2),
        (3, "M-0101", 1),
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "not valid JSON"),
        (b"\xff", "not valid JSON"),
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b'{"a": NaN}', "not a JSON number"),
        (b'{"a": Infinity}', "not a JSON number"),
        (b"[" * 50_000 + b"]" * 50_000, "not valid JSON"),
    ],
)
def test_bodies_that_are_not_plain_json_are_refused(body: bytes, says: str) -> None:
    with pytest.raises(RequestInvalid, match=says):
        parse_json(body)


def test_numbers_are_read_exactly() -> None:
    assert parse_json(b'{"x": 0.1}') == {"x": Decimal("0.1")}


def test_every_problem_of_an_order_is_listed() -> None:
    body = parse_json(SAMPLE.read_bytes())
    body["externalRef"] = ""
    body["lines"][0]["quantity"] = 0
    body["lines"][1]["quantity"] = True
    body["lines"][2]["lineNo"] = 1
    body["totals"]["gross"] = "1356.00"

    with pytest.raises(RequestInvalid) as invalid:
        order_request(body)

    assert invalid.value.problems == [
        "externalRef must be text of 1 to 200 characters",
        "totals.gross must be a number",
        "lines[0].quantity must be a whole number >= 1",
        "lines[1].quantity must be a whole number >= 1",
        "lines[2].lineNo 1 is used twice",
    ]


@pytest.mark.parametrize("body", [None, [], "x", 7])
def test_an_order_must_be_an_object(body: object) -> None:
    with pytest.raises(RequestInvalid, match="the body must be a JSON object"):
        order_request(body)


def test_an_order_needs_lines() -> None:
    body = parse_json(SAMPLE.read_bytes())
    body["lines"] = []

    with pytest.raises(RequestInvalid, match="lines must be a non-empty list"):
        order_request(body)


def test_a_cancel_takes_an_optional_reason() -> None:
    assert cancel_request(None) is None
    assert cancel_request({}) is None
    assert cancel_request({"reason": "changed plans"}) == "changed plans"
    with pytest.raises(RequestInvalid):
        cancel_request({"reason": 7})
