"""Golden samples: every shipped sample passes, and the runner catches what differs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.mapping import load_mapping
from connectors.mapping.golden import Sample, find_samples, mapping_files, run_sample

from .conftest import SHIPPED

SHIPPED_SAMPLES = [
    pytest.param(path, sample, id=f"{path.parent.name}/{path.name}:{sample.name}")
    for path in mapping_files(SHIPPED)
    for sample in find_samples(path)
]


def test_every_shipped_mapping_has_samples_of_results_and_of_failures() -> None:
    for path in mapping_files(SHIPPED):
        samples = find_samples(path)
        assert any(s.expected_out for s in samples), f"{path}: no sample of a result"
        assert any(s.expected_errors for s in samples), f"{path}: no sample of a failure"


@pytest.mark.parametrize(("path", "sample"), SHIPPED_SAMPLES)
def test_shipped_golden_sample(path: Path, sample: Sample) -> None:
    outcome = run_sample(load_mapping(path), sample)

    assert outcome.passed, "\n".join(outcome.details)


@pytest.fixture
def sample_dir(write: Callable[..., Path]) -> Path:
    path = write(
        """
        fields:
          code: {source: $.code, type: str, required: true, transforms: [{xref: t}]}
          amount: {source: $.amount, type: decimal}
        """,
        name="test/thing.out.yaml",
        header="",
    )
    folder = path.with_name(path.name + ".samples")
    folder.mkdir()
    (folder / "xref.json").write_text('{"t": {"A": "X-A"}}')
    (folder / "one.in.json").write_text('{"code": "A", "amount": 12.50}')
    return folder


def outcome_of(folder: Path) -> list[str]:
    mapping_path = folder.with_name(folder.name.removesuffix(".samples"))
    (sample,) = find_samples(mapping_path)
    return run_sample(load_mapping(mapping_path), sample).details


def test_a_matching_result_passes_and_decimals_compare_digit_for_digit(sample_dir: Path) -> None:
    (sample_dir / "one.out.json").write_text('{"amount": 12.50, "code": "X-A"}')
    assert outcome_of(sample_dir) == []

    (sample_dir / "one.out.json").write_text('{"amount": 12.5, "code": "X-A"}')
    (detail,) = outcome_of(sample_dir)
    assert '-  "amount": 12.5,' in detail
    assert '+  "amount": 12.50,' in detail


def test_expected_errors_compare_fields_and_codes(sample_dir: Path) -> None:
    (sample_dir / "one.in.json").write_text('{"code": "B"}')
    (sample_dir / "one.errors.json").write_text('[{"field": "code", "code": "xref_missing"}]')
    assert outcome_of(sample_dir) == []

    (sample_dir / "one.errors.json").write_text('[{"field": "code", "code": "type_mismatch"}]')
    assert "expected errors [('code', 'type_mismatch')]" in outcome_of(sample_dir)[0]


def test_a_sample_needs_exactly_one_expectation(sample_dir: Path) -> None:
    assert "give exactly one of one.out.json and one.errors.json" in outcome_of(sample_dir)[0]


def test_an_unreadable_sample_is_reported_not_raised(sample_dir: Path) -> None:
    (sample_dir / "one.in.json").write_text("{not json")
    (sample_dir / "one.out.json").write_text("{}")

    (detail,) = outcome_of(sample_dir)

    assert "one.in.json: cannot read JSON" in detail
