"""The fast path gives jsonpath-ng's answers, on hand-picked and generated cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.mapping.errors import Problem
from connectors.mapping.paths import CompiledPath, PathSyntaxError, jsonpath_ng_find

DOC: dict[str, Any] = {
    "a": {"b": [1, 2, {"c": 3}], "n": None},
    "x.y": 4,
    "a b": 5,
    "*": 6,
    "lines": [{"q": 1, "sku": "A"}, {"q": 2}, "text", [7, 8]],
    "empty": [],
    "s": "abc",
}

SIMPLE = [
    "$",
    "@",
    "a",
    "$.a",
    "$.a.b",
    "a.b",
    "$.a.n",
    "$.a.missing",
    "$.a.b[2].c",
    "$.a.b[-1].c",
    "$.a.b[5]",
    "$.a.b[0,2]",
    "$.a.b[*]",
    "$.a.*",
    "$.*",
    "$[*]",
    "$.lines[*].q",
    "$.lines[*].sku",
    "$.lines[3][1]",
    "$.lines[1:]",
    "$.lines[::2]",
    "$.lines[-2:]",
    "$.lines[::0]",
    "$.empty[0]",
    "$.empty[*]",
    '$."x.y"',
    "$['x.y']",
    "$['a','x.y']",
    '$."a b"',
    '$."*"',
    "$.s.x",
    "$.s[0]",
    "$.s[*]",
    "$.a.b.c",
]
SLOW = ["$..q", "$.lines[?(@.q > 1)].q", "$.a.b.`len`", "$.lines[?(@.sku)].sku"]


@pytest.mark.parametrize("text", SIMPLE)
def test_simple_paths_take_the_fast_path_and_agree(text: str) -> None:
    path = CompiledPath(text)

    assert path.fast
    assert path.find(DOC) == jsonpath_ng_find(text, DOC)


@pytest.mark.parametrize("text", SLOW)
def test_other_paths_go_through_jsonpath_ng(text: str) -> None:
    path = CompiledPath(text)

    assert not path.fast
    assert path.find(DOC) == jsonpath_ng_find(text, DOC)


def test_get_reads_one_value_none_or_the_list_of_several() -> None:
    assert CompiledPath("$.a.b[2].c").get(DOC) == 3
    assert CompiledPath("$.a.n").get(DOC) is None
    assert CompiledPath("$.a.missing").get(DOC) is None
    assert CompiledPath("$.lines[*].q").get(DOC) == [1, 2]
    assert CompiledPath("$").get(DOC) is DOC
    assert CompiledPath("$.a").single_name == "a"
    assert CompiledPath("$.a.b").single_name is None


def test_bad_syntax_is_refused() -> None:
    with pytest.raises(PathSyntaxError, match=r"bad jsonpath '\$\.a\['"):
        CompiledPath("$.a[")


def test_a_jsonpath_ng_failure_on_a_record_is_a_problem() -> None:
    with pytest.raises(Problem) as caught:
        CompiledPath("$.`parent`").find({"a": 1})

    assert caught.value.code == "path_failed"


# Generated paths and documents -------------------------------------------------

NAMES = ["a", "b", "c", "x.y", "a b", "*", "0"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | st.text(alphabet="abc", max_size=3)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(NAMES), inner, max_size=4)
    ),
    max_leaves=25,
)


def _quoted(name: str) -> str:
    return f"'{name}'"


def _name_step(name: str, bracket: bool) -> str:
    if bracket or not name.isidentifier():
        return f"[{_quoted(name)}]"
    return f".{name}"


index = st.integers(-5, 5)
maybe_index = st.none() | index
steps = st.one_of(
    st.builds(_name_step, st.sampled_from(NAMES), st.booleans()),
    st.lists(st.sampled_from(NAMES), min_size=2, max_size=3, unique=True).map(
        lambda names: "[" + ",".join(map(_quoted, names)) + "]"
    ),
    index.map(lambda i: f"[{i}]"),
    st.lists(index, min_size=2, max_size=3).map(lambda ix: "[" + ",".join(map(str, ix)) + "]"),
    st.just("[*]"),
    st.just(".*"),
    st.tuples(maybe_index, maybe_index, maybe_index).map(
        lambda t: "[" + ":".join("" if v is None else str(v) for v in t) + "]"
    ),
    st.tuples(maybe_index, maybe_index).map(
        lambda t: "[" + ":".join("" if v is None else str(v) for v in t) + "]"
    ),
)
paths = st.lists(steps, max_size=5).map(lambda parts: "$" + "".join(parts))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(text=paths, doc=documents)
def test_generated_paths_agree_with_jsonpath_ng(text: str, doc: Any) -> None:
    try:
        expected = jsonpath_ng_find(text, doc)
    except Exception:  # a combination jsonpath-ng itself cannot parse: nothing to compare
        with pytest.raises(PathSyntaxError):
            CompiledPath(text)
        return
    path = CompiledPath(text)

    assert path.fast, f"{text} should take the fast path"
    assert path.find(doc) == expected
    got = path.get(doc)
    if not expected:
        assert got is None
    elif len(expected) == 1:
        assert got is expected[0] or got == expected[0]
    else:
        assert got == expected


def test_decimal_values_are_returned_as_they_are() -> None:
    doc = {"a": Decimal("1.50")}

    assert str(CompiledPath("$.a").get(doc)) == "1.50"
