"""The inline fast path and the general runner give the same answers.

At the top level ``scope: root`` reads the same record but takes the general
runner, so one file holds each field twice: once fast, once general.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.mapping import InMemoryCrossReference, Mapping, MappingFailure, load_mapping
from connectors.mapping.engine import Context, FastField
from connectors.mapping.fastpath import level_runner

SHAPES = {
    "str": "type: str",
    "int": "type: int",
    "bool": "type: bool",
    "decimal": "type: decimal",
    "rounded": "type: decimal, transforms: [{round: 2}]",
    "mapped": "type: str, transforms: [{map: {A: X, 1: Y}}]",
    "looked_up": "type: str, transforms: [{xref: t}]",
    "nulled": "type: str, transforms: [{null_if: ''}]",
}
XREF = InMemoryCrossReference({"t": {"A": "X-A", "1": "X-1"}})


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Mapping:
    lines = ["version: 1", "system: test", "entity: twin", "direction: in", "fields:"]
    for name, settings_text in SHAPES.items():
        lines.append(f"  {name}_fast: {{source: $.v, {settings_text}}}")
        lines.append(f"  {name}_general: {{source: $.v, scope: root, {settings_text}}}")
    path = tmp_path_factory.mktemp("twin") / "twin.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_mapping(path)


def outcome(mapping: Mapping, value: Any) -> dict[str, Any]:
    """Per target: its value, or the code of the issue it raised."""
    try:
        return dict(mapping.apply({"v": value}, XREF))
    except MappingFailure as failure:
        return {issue.field: ("issue", issue.code) for issue in failure.issues}


values = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([10**18 - 1, 10**18, -(10**18), 1, 0, "A", "1", "", "Y"])
    | st.decimals()
    | st.sampled_from([Decimal("sNaN"), Decimal("1E+17"), Decimal("1E+18"), Decimal("-0.005")])
    | st.floats()
    | st.text(max_size=5)
    | st.lists(st.integers(), max_size=2)
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values)
def test_fast_and_general_agree(twin: Mapping, value: Any) -> None:
    result = outcome(twin, value)

    for name in SHAPES:
        fast, general = result.get(f"{name}_fast"), result.get(f"{name}_general")
        assert fast == general, (name, value)
        assert type(fast) is type(general)


def test_the_fast_fields_are_inlined() -> None:
    calls: list[str] = []

    def general(src: Any, root: Any, out: dict[Any, Any], ctx: Any) -> None:
        calls.append("general")

    run = level_runner([FastField("k", "n", int, None, general)])
    out: dict[Any, Any] = {}
    ctx = Context("f.yaml", None)
    run({"n": 5}, {}, out, ctx)
    run({"n": "5"}, {}, out, ctx)
    run({"n": 10**18}, {}, out, ctx)

    assert out == {"k": 5}
    assert calls == ["general", "general"]  # a conversion and a range: the general runner's


def test_a_level_without_fast_fields_runs_each_runner(make: Callable[..., Mapping]) -> None:
    mapping = make("fields:\n  a: {source: $.a, type: date}\n  b: {value: 1}\n")

    assert mapping.apply({"a": "2026-01-05"}) == {"a": date(2026, 1, 5), "b": 1}
