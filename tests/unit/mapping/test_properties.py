"""Every shipped mapping, fed random and cut-down records: a result or a MappingFailure.

Never another exception: no KeyError, TypeError or InvalidOperation gets out
of apply(), whatever the record holds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.mapping import InMemoryCrossReference, Mapping, MappingFailure, load_mapping
from connectors.mapping.golden import find_samples, mapping_files, read_json

from .conftest import SHIPPED

FILES = mapping_files(SHIPPED)


@functools.cache
def shipped(path: Path) -> tuple[Mapping, list[Any], InMemoryCrossReference]:
    """The mapping, its sample records, and the tables its samples use."""
    samples = find_samples(path)
    tables: dict[str, dict[str, str]] = {}
    for sample in samples:
        if sample.xref is not None:
            for name, entries in read_json(sample.xref).items():
                tables.setdefault(name, {}).update(entries)
    records = [read_json(sample.input) for sample in samples]
    return load_mapping(path), records, InMemoryCrossReference(tables)


def _keys(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        found.update(value)
        for item in value.values():
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.sampled_from([Decimal("sNaN"), Decimal("1E+40"), "", " ", "2026-01-05", "Y", "0"])
    | st.text(max_size=20)
)


def values(keys: list[str]) -> st.SearchStrategy[Any]:
    names = st.sampled_from(keys) | st.text(max_size=4)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=6),
        max_leaves=30,
    )


def cut_down(
    draw: Callable[[st.SearchStrategy[Any]], Any], value: Any, replacements: st.SearchStrategy[Any]
) -> Any:
    """The value with parts dropped, lists cut short, and some parts replaced."""
    action = draw(st.sampled_from(["keep", "keep", "keep", "change", "replace"]))
    if action == "replace":
        return draw(replacements)
    if action == "keep":
        return value
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            choice = draw(st.sampled_from(["keep", "keep", "keep", "drop", "change"]))
            if choice != "drop":
                kept[key] = cut_down(draw, item, replacements) if choice == "change" else item
        return kept
    if isinstance(value, list):
        length = draw(st.integers(0, len(value)))
        return [cut_down(draw, item, replacements) for item in value[:length]]
    return draw(replacements)


def check(mapping: Mapping, record: Any, xref: InMemoryCrossReference) -> None:
    try:
        result = mapping.apply(record, xref)
    except MappingFailure as failure:
        issues = failure.issues
    else:
        assert isinstance(result, dict)
        return
    assert issues
    for issue in issues:
        assert issue.file == str(mapping.path)
        assert isinstance(issue.line, int)
        assert issue.line > 0
        assert isinstance(issue.field, str)
        assert issue.code
        assert str(issue)  # renders, whatever the value


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@SETTINGS
@given(data=st.data())
def test_cut_down_sample_records(path: Path, data: st.DataObject) -> None:
    mapping, records, xref = shipped(path)
    replacements = values(sorted(_keys(records, set())))
    record = data.draw(st.sampled_from(records))

    check(mapping, cut_down(data.draw, record, replacements), xref)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@SETTINGS
@given(data=st.data())
def test_random_records(path: Path, data: st.DataObject) -> None:
    mapping, records, xref = shipped(path)
    keys = sorted(_keys(records, set()))

    check(mapping, data.draw(values(keys)), xref)


def test_the_strategies_reach_both_outcomes() -> None:
    # a property test that only ever saw failures would prove little
    mapping, records, xref = shipped(SHIPPED / "generic" / "sales_order.out.yaml")
    outcomes = set()
    for record in records:
        try:
            mapping.apply(record, xref)
            outcomes.add("result")
        except MappingFailure:
            outcomes.add("failure")

    assert outcomes == {"result", "failure"}
