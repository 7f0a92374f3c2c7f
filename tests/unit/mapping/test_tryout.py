"""Trying a mapping on a pasted sample: where a bad sample goes wrong."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.mapping import Mapping, MappingFailure
from connectors.mapping.tryout import (
    SampleSyntaxError,
    failure_reports,
    golden_samples,
    listed_mappings,
    parse_sample,
    try_sample,
)
from tests.unit.mapping.conftest import SHIPPED


def test_parse_sample_reads_exact_decimals() -> None:
    assert parse_sample('{"a": 12.50}') == {"a": Decimal("12.50")}


def test_parse_sample_names_line_and_column() -> None:
    with pytest.raises(SampleSyntaxError) as caught:
        parse_sample('{\n  "a": 1,\n  "b": oops\n}')
    assert (caught.value.line, caught.value.column) == (3, 8)
    assert caught.value.message == "Expecting value"


def test_parse_sample_refuses_nan_where_it_is() -> None:
    with pytest.raises(SampleSyntaxError) as caught:
        parse_sample('{\n  "a": NaN\n}')
    assert (caught.value.line, caught.value.column) == (2, 8)
    assert "NaN is not a JSON number" in caught.value.message


def test_failure_reports_point_at_the_sample_line_when_the_value_is_unique(
    make: Callable[..., Mapping],
) -> None:
    mapping = make(
        """
        fields:
          qty:
            source: $.qty
            type: int
          note:
            source: $.note
            type: int
        """
    )
    text = '{\n  "qty": "x",\n  "note": "x"\n}'
    with pytest.raises(MappingFailure) as caught:
        try_sample(mapping, text, None)
    reports = {r["field"]: r for r in failure_reports(text, caught.value)}
    # "x" is on two lines: no guess.
    assert reports["qty"]["line"] is None
    assert reports["qty"]["value"] == "'x'"
    assert reports["qty"]["mapping_line"] == 7

    text = '{\n  "qty": "x",\n  "note": "y"\n}'
    with pytest.raises(MappingFailure) as caught:
        try_sample(mapping, text, None)
    reports = {r["field"]: r for r in failure_reports(text, caught.value)}
    assert (reports["qty"]["line"], reports["note"]["line"]) == (2, 3)


def test_listed_mappings_names_files_relative_to_the_root() -> None:
    files = listed_mappings(SHIPPED)
    assert files["generic/invoice.in.yaml"] == SHIPPED / "generic" / "invoice.in.yaml"
    assert not any(".samples" in name for name in files)
    assert listed_mappings(SHIPPED / "no-such-folder") == {}


def test_golden_samples_keep_the_text_and_the_cross_reference(tmp_path: Path) -> None:
    samples = {s.name: s for s in golden_samples(SHIPPED / "generic" / "invoice.in.yaml")}
    order = samples["order"]
    assert order.text.startswith('{\n  "seq": 3,')
    assert order.xref == {"erp_customer_dealer": {"C-10001": "D001", "C-10002": "D002"}}
    assert golden_samples(tmp_path / "none.yaml") == []
