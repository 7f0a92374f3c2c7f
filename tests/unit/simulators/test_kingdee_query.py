"""ExecuteBillQuery in the Kingdee simulator: the FilterString grammar, ordering
and StartRow/Limit paging, against a plain evaluation of the same conditions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.kingdee.answers import K3Error, MsgCode
from simulators.kingdee.query import execute, predicate

ROWS: list[dict[str, Any]] = [
    {"FID": n, "FBillNo": f"SO-{n:03d}", "FQty": Decimal(n % 4), "FNote": None if n % 3 else "x"}
    for n in range(1, 21)
]
OPS = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}

comparison = st.tuples(
    st.sampled_from(["FID", "FQty"]), st.sampled_from(sorted(OPS)), st.integers(0, 21)
)
conditions = st.recursive(
    comparison,
    lambda inner: st.tuples(st.sampled_from(["AND", "OR"]), inner, inner),
    max_leaves=6,
)


def text_of(condition: Any) -> str:
    if len(condition) == 3 and condition[0] in ("AND", "OR"):
        logic, left, right = condition
        return f"({text_of(left)} {logic} {text_of(right)})"
    field, op, value = condition
    return f"{field} {op} {value}"


def holds(condition: Any, row: dict[str, Any]) -> bool:
    if len(condition) == 3 and condition[0] in ("AND", "OR"):
        logic, left, right = condition
        both = holds(left, row), holds(right, row)
        return all(both) if logic == "AND" else any(both)
    field, op, value = condition
    return bool(OPS[op](Decimal(row[field]), Decimal(value)))


@given(conditions)
def test_filters_select_what_the_conditions_say(condition: Any) -> None:
    chosen = predicate(text_of(condition))
    assert [r["FID"] for r in ROWS if chosen(r)] == [r["FID"] for r in ROWS if holds(condition, r)]


@given(st.integers(0, 25), st.integers(1, 7))
def test_start_row_and_limit_page_through_the_ordered_rows(start: int, limit: int) -> None:
    data = {"FieldKeys": "FID", "OrderString": "FID DESC", "StartRow": start, "Limit": limit}
    expected = list(range(20, 0, -1))[start : start + limit]
    assert [row[0] for row in execute(ROWS, data)] == expected


def test_text_in_like_null_and_not() -> None:
    data = {
        "FieldKeys": "FBillNo,FNote",
        "FilterString": "FBillNo IN ('SO-003', 'SO-006', 'SO-007') AND NOT FNote IS NULL "
        "OR FBillNo LIKE 'SO-01%' AND FID < 11",
    }
    assert execute(ROWS, data) == [["SO-003", "x"], ["SO-006", "x"], ["SO-010", None]]


def test_a_quote_in_text_is_doubled() -> None:
    rows = [{"FName": "O'Neil"}, {"FName": "Other"}]
    assert execute(rows, {"FieldKeys": "FName", "FilterString": "FName = 'O''Neil'"}) == [
        ["O'Neil"]
    ]


def test_the_list_form_of_filters() -> None:
    filters = [
        {"Left": "(", "FieldName": "FQty", "Compare": ">=", "Value": "2", "Right": "", "Logic": 0},
        {"Left": "", "FieldName": "FID", "Compare": "<", "Value": "8", "Right": ")", "Logic": 0},
    ]
    assert execute(ROWS, {"FieldKeys": "FID", "FilterString": filters}) == [[2], [3], [6], [7]]


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        ({"FieldKeys": ""}, MsgCode.BAD_PARAMETER, "FieldKeys"),
        ({"FieldKeys": "FNope"}, MsgCode.FIELD_NOT_FOUND, "FNope"),
        ({"FieldKeys": "FID", "FilterString": "FID = "}, MsgCode.BAD_PARAMETER, "过滤条件"),
        ({"FieldKeys": "FID", "FilterString": "FID = 1 )"}, MsgCode.BAD_PARAMETER, "多余"),
        ({"FieldKeys": "FID", "FilterString": "FID ~ 1"}, MsgCode.BAD_PARAMETER, "无法解析"),
        ({"FieldKeys": "FID", "Limit": -1}, MsgCode.BAD_PARAMETER, "Limit"),
    ],
)
def test_a_bad_query_is_refused_with_a_reason(data: dict[str, Any], code: int, words: str) -> None:
    with pytest.raises(K3Error) as refused:
        execute(ROWS, data)
    assert refused.value.msg_code == code
    assert words in refused.value.errors[0]["Message"]
