"""Every named transform: what it does, and how it refuses."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest

from connectors.mapping import InMemoryCrossReference
from connectors.mapping.errors import Problem, SpecProblem
from connectors.mapping.transforms import REGISTRY, build

XREF = InMemoryCrossReference({"erp_material": {"SKU-1": "M-1", "7": "M-7"}})


def run(name: str, arg: Any, value: Any, **options: Any) -> Any:
    step = build(name, arg, options)
    if value is None and not step.accepts_null:
        return "skipped"  # what the engine does with a null a step does not accept
    return step.fn(value, XREF)


# (transform, argument, options, input, expected output)
CASES: list[tuple[str, Any, dict[str, Any], Any, Any]] = [
    ("strip", None, {}, "  a b  ", "a b"),
    ("strip", "0", {}, "00120", "12"),
    ("upper", None, {}, "wh-sh", "WH-SH"),
    ("lower", None, {}, "WH-SH", "wh-sh"),
    ("prefix", "C-", {}, 42, "C-42"),
    ("suffix", "-X", {}, "A", "A-X"),
    ("replace", {" ": "", "-": ""}, {}, "138-0013 8000", "13800138000"),
    ("truncate", 3, {}, "abcdef", "abc"),
    ("pad", {"width": 5, "fill": "0"}, {}, "42", "00042"),
    ("pad", {"width": 4, "side": "right"}, {}, "ab", "ab  "),
    ("split", {"separator": "/", "index": -1}, {}, "a/b/c", "c"),
    ("join", " ", {}, ["上海市", None, "浦东新区"], "上海市 浦东新区"),
    ("join", ",", {}, None, None),
    ("template", "DMS-{value}", {}, "SO1", "DMS-SO1"),
    ("template", "{0}/{1}", {}, ["a", 2], "a/2"),
    ("null_if", ["", "N/A"], {}, "N/A", None),
    ("null_if", "", {}, "x", "x"),
    ("coalesce", None, {}, [None, "b", "c"], "b"),
    ("coalesce", None, {}, "only", "only"),
    ("sum", None, {}, ["1.50", 2, Decimal("0.25")], Decimal("3.75")),
    ("sum", None, {}, None, Decimal(0)),
    ("map", {True: "HIGH", False: "NORMAL"}, {}, True, "HIGH"),
    ("map", {"A": 1}, {"default": 0}, "B", 0),
    ("map", {"A": 1}, {"passthrough": True}, "B", "B"),
    ("map", {None: "EMPTY"}, {}, None, "EMPTY"),
    ("map", {1: "one"}, {}, Decimal("1.0"), "one"),
    ("xref", "erp_material", {}, "SKU-1", "M-1"),
    ("xref", "erp_material", {}, 7, "M-7"),
    ("xref", "erp_material", {"on_missing": "null"}, "SKU-9", None),
    ("xref", "erp_material", {"on_missing": "keep"}, "SKU-9", "SKU-9"),
    ("multiply", 12, {}, "2.5", Decimal("30.0")),
    ("divide", 100, {}, Decimal(13), Decimal("0.13")),
    ("round", 2, {}, "2.345", Decimal("2.35")),
    ("round", 2, {"mode": "half_even"}, "2.345", Decimal("2.34")),
    ("round", 0, {"mode": "down"}, Decimal("-2.7"), Decimal("-2")),
    ("convert_unit", {"from": "kg", "to": "g"}, {}, "1.5", Decimal("1500.0")),
    ("convert_unit", {"from": "each", "to": "dozen"}, {}, 24, Decimal(2)),
    ("parse_number", None, {}, "1,234.50", Decimal("1234.50")),
    ("parse_number", {"thousands": ".", "decimal": ","}, {}, "1.234,5", Decimal("1234.5")),
    ("format_number", None, {}, Decimal("3"), "3.00"),
    ("format_number", {"places": 1, "thousands": ","}, {}, "1234567.25", "1,234,567.3"),
    ("format_number", {"thousands": ".", "decimal": ","}, {}, "1234.5", "1.234,50"),
]

# (transform, argument, options, input, problem code)
REFUSALS: list[tuple[str, Any, dict[str, Any], Any, str]] = [
    ("upper", None, {}, ["a"], "type_mismatch"),
    ("strip", None, {}, True, "type_mismatch"),
    ("split", {"separator": "/", "index": 3}, {}, "a/b", "no_such_part"),
    ("template", "{0}-{1}", {}, ["a"], "no_such_part"),
    ("map", {True: "HIGH"}, {}, 1, "unmapped_value"),  # true is not 1
    ("map", {"A": 1}, {}, {"A": 1}, "unmapped_value"),
    ("xref", "erp_material", {}, "SKU-9", "xref_missing"),
    ("xref", "erp_material", {}, {"sku": 1}, "type_mismatch"),
    ("multiply", 10, {}, "ten", "type_mismatch"),
    ("multiply", 10, {}, 0.1 + 0.2, "inexact_float"),
    ("round", 2, {}, Decimal("NaN"), "type_mismatch"),
    ("round", 12, {}, "99999999999999999.5", "out_of_range"),  # 29 digits
    ("sum", None, {}, ["1", "x"], "type_mismatch"),
    ("parse_number", None, {}, "1,2x", "type_mismatch"),
    ("format_number", None, {}, "abc", "type_mismatch"),
]

# (transform, argument, options): refused when the file is loaded
BAD_SETTINGS: list[tuple[str, Any, dict[str, Any]]] = [
    ("nope", None, {}),
    ("prefix", None, {}),
    ("upper", "x", {}),
    ("round", 2, {"precision": 1}),
    ("round", 20, {}),
    ("divide", 0, {}),
    ("convert_unit", {"from": "kg", "to": "l"}, {}),
    ("template", "{name}", {}),
    ("map", {}, {}),
    ("xref", "t", {"on_missing": "ignore"}),
    ("pad", {"width": 3, "fill": "ab"}, {}),
]


def test_every_transform_has_an_example() -> None:
    assert {case[0] for case in CASES} == set(REGISTRY)


@pytest.mark.parametrize(("name", "arg", "options", "value", "expected"), CASES)
def test_transform(name: str, arg: Any, options: dict[str, Any], value: Any, expected: Any) -> None:
    result = run(name, arg, value, **options)

    assert result == expected
    assert type(result) is type(expected)
    if isinstance(expected, Decimal):
        assert str(result) == str(expected)  # the scale too, not just the value


@pytest.mark.parametrize(("name", "arg", "options", "value", "code"), REFUSALS)
def test_transform_refuses(
    name: str, arg: Any, options: dict[str, Any], value: Any, code: str
) -> None:
    with pytest.raises(Problem) as caught:
        run(name, arg, value, **options)

    assert caught.value.code == code


@pytest.mark.parametrize(("name", "arg", "options"), BAD_SETTINGS)
def test_bad_settings_are_refused_at_load(name: str, arg: Any, options: dict[str, Any]) -> None:
    with pytest.raises(SpecProblem):
        build(name, arg, options)


def test_map_looks_up_enum_members_by_their_value() -> None:
    class Status(StrEnum):
        SUBMITTED = "submitted"

    assert run("map", {"submitted": "NEW"}, Status.SUBMITTED) == "NEW"
    assert run("upper", None, Status.SUBMITTED) == "SUBMITTED"


def test_steps_skip_null_unless_they_handle_it() -> None:
    assert run("upper", None, None) == "skipped"
    assert run("coalesce", None, None) is None
    assert build("map", {"A": 1}, {}).accepts_null is False
    assert build("map", {None: 1}, {}).accepts_null is True


def test_xref_without_a_cross_reference_is_a_problem() -> None:
    step = build("xref", "erp_material", {})

    with pytest.raises(Problem) as caught:
        step.fn("SKU-1", None)

    assert caught.value.code == "xref_unavailable"
