"""Golden samples: example records beside each mapping file, and what they must map to.

    mappings/<system>/<entity>.<direction>.yaml
    mappings/<system>/<entity>.<direction>.yaml.samples/
        NAME.in.json        the record given to the mapping
        NAME.out.json       the record it must produce (compared as JSON), or
        NAME.errors.json    the failure it must report: [{"field": ..., "code": ...}]
        xref.json           cross-reference tables for every sample here
        NAME.xref.json      ... or for one sample

JSON numbers are read as exact decimals and results compared as the JSON text
they serialise to (keys sorted), so "12.50" and 12.5 differ, as they would
for the outside system.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.mapping import jsonio
from connectors.mapping.engine import Mapping
from connectors.mapping.errors import MappingFailure
from connectors.mapping.xref import InMemoryCrossReference
from dms_domain.errors import InvalidInput

SAMPLES_SUFFIX = ".samples"


def mapping_files(root: Path) -> list[Path]:
    """Every mapping file under ``root``, in a stable order."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.suffix in (".yaml", ".yml")
        and path.is_file()
        and not any(part.endswith(SAMPLES_SUFFIX) for part in path.relative_to(root).parts)
    )


def samples_dir(mapping_path: Path) -> Path:
    return mapping_path.with_name(mapping_path.name + SAMPLES_SUFFIX)


@dataclass(frozen=True)
class Sample:
    name: str
    input: Path
    expected_out: Path | None
    expected_errors: Path | None
    xref: Path | None


def _existing(path: Path) -> Path | None:
    return path if path.is_file() else None


def find_samples(mapping_path: Path) -> list[Sample]:
    folder = samples_dir(mapping_path)
    if not folder.is_dir():
        return []
    samples = []
    for source in sorted(folder.glob("*.in.json")):
        name = source.name.removesuffix(".in.json")
        samples.append(
            Sample(
                name=name,
                input=source,
                expected_out=_existing(folder / f"{name}.out.json"),
                expected_errors=_existing(folder / f"{name}.errors.json"),
                xref=_existing(folder / f"{name}.xref.json") or _existing(folder / "xref.json"),
            )
        )
    return samples


@dataclass
class SampleOutcome:
    sample: Sample
    details: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.details


def load_xref(path: Path | None) -> InMemoryCrossReference:
    """The tables in ``path``; without a file, empty tables (every lookup misses)."""
    return InMemoryCrossReference() if path is None else InMemoryCrossReference.from_json_file(path)


def read_json(path: Path) -> Any:
    """A JSON file with exact decimals; ``InvalidInput`` naming the file if unreadable."""
    try:
        return jsonio.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: cannot read JSON: {exc}") from exc


def _canonical(value: Any) -> str:
    return jsonio.dumps(value, indent=2, sort_keys=True)


def _expected_pairs(path: Path) -> list[tuple[str, str]]:
    data = read_json(path)
    ok = isinstance(data, list) and all(
        isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("code"), str)
        for e in data
    )
    if not ok:
        raise InvalidInput(f'{path}: expected a list of {{"field": ..., "code": ...}}')
    return sorted((e["field"], e["code"]) for e in data)


def run_sample(mapping: Mapping, sample: Sample) -> SampleOutcome:
    outcome = SampleOutcome(sample)
    try:
        record = read_json(sample.input)
        xref = load_xref(sample.xref)
        if sample.expected_out is not None and sample.expected_errors is None:
            expected = read_json(sample.expected_out)
            _check_result(mapping, record, xref, expected, outcome)
        elif sample.expected_errors is not None and sample.expected_out is None:
            pairs = _expected_pairs(sample.expected_errors)
            _check_failure(mapping, record, xref, pairs, outcome)
        else:
            outcome.details.append(
                f"{sample.input}: give exactly one of {sample.name}.out.json and "
                f"{sample.name}.errors.json"
            )
    except InvalidInput as exc:  # an unreadable sample file, not a mapping failure
        outcome.details.append(exc.detail)
    return outcome


def _check_result(
    mapping: Mapping,
    record: Any,
    xref: InMemoryCrossReference,
    expected: Any,
    outcome: SampleOutcome,
) -> None:
    try:
        result = mapping.apply(record, xref)
    except MappingFailure as failure:
        outcome.details.extend(str(issue) for issue in failure.issues)
        return
    want, got = _canonical(expected), _canonical(result)
    if want != got:
        diff = difflib.unified_diff(
            want.splitlines(),
            got.splitlines(),
            str(outcome.sample.expected_out),
            "result",
            lineterm="",
        )
        outcome.details.append("\n".join(diff))


def _check_failure(
    mapping: Mapping,
    record: Any,
    xref: InMemoryCrossReference,
    expected: list[tuple[str, str]],
    outcome: SampleOutcome,
) -> None:
    try:
        mapping.apply(record, xref)
    except MappingFailure as failure:
        got = sorted((issue.field, issue.code) for issue in failure.issues)
        if got != expected:
            outcome.details.append(f"expected errors {expected}, got {got}")
            outcome.details.extend(str(issue) for issue in failure.issues)
        return
    outcome.details.append(f"expected errors {expected}, got a result")
