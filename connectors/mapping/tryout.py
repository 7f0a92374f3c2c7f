"""Trying a mapping on one sample: what ``dms-hub mapping test`` and the
console's mapping tester (``POST /api/v1/mappings/test``) share.

A sample is JSON text: every shipped mapping reads records the connectors have
already decoded into JSON-like objects (XML included), so the tester takes the
record in that form. A sample that is not JSON is a ``SampleSyntaxError`` with
the line and column where parsing stopped; a record the mapping refuses is the
engine's own ``MappingFailure``; nothing here maps anything itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.mapping import jsonio
from connectors.mapping.engine import Mapping
from connectors.mapping.errors import Issue, MappingFailure, short_repr
from connectors.mapping.golden import find_samples, mapping_files
from connectors.mapping.xref import CrossReference


class SampleSyntaxError(ValueError):
    """The sample is not JSON; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column


def parse_sample(text: str) -> Any:
    """The record in ``text``, numbers with a fraction as exact decimals."""
    try:
        return jsonio.loads(text)
    except json.JSONDecodeError as exc:
        raise SampleSyntaxError(exc.msg, exc.lineno, exc.colno) from exc
    except ValueError as exc:  # NaN or Infinity: valid to Python, not to JSON
        raise SampleSyntaxError(str(exc), *_first_line_of_constant(text)) from exc


def _first_line_of_constant(text: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), start=1):
        for constant in ("NaN", "Infinity"):
            column = line.find(constant)
            if column >= 0:
                return number, column + 1
    return 1, 1


def try_sample(mapping: Mapping, text: str, xref: CrossReference | None) -> dict[str, Any]:
    """The mapped record; ``SampleSyntaxError`` or ``MappingFailure`` if there is none."""
    return mapping.apply(parse_sample(text), xref)


def sample_line(text: str, issue: Issue) -> int | None:
    """The line of the sample holding the issue's value, when the value's JSON
    text appears on exactly one line (the engine knows the target field, not
    where in the sample its value came from; a guess would mislead)."""
    if not issue.has_value or issue.value is None or isinstance(issue.value, dict | list):
        return None
    try:
        needle = jsonio.dumps(issue.value)
    except (TypeError, ValueError):
        return None
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[0] if len(hits) == 1 else None


def issue_report(text: str, issue: Issue) -> dict[str, Any]:
    """One refused field as the tester shows it: the mapping's field, its line
    in the mapping file, the value and, when it can be told, the sample line."""
    report: dict[str, Any] = {
        "field": issue.field,
        "message": issue.message,
        "code": issue.code,
        "mapping_line": issue.line,
        "line": sample_line(text, issue),
    }
    if issue.has_value:
        report["value"] = short_repr(issue.value)
    return report


def failure_reports(text: str, failure: MappingFailure) -> list[dict[str, Any]]:
    return [issue_report(text, issue) for issue in failure.issues]


@dataclass(frozen=True)
class GoldenSample:
    name: str
    text: str  # the input as written in the file, so lines match what is shown
    xref: dict[str, Any] | None


def golden_samples(mapping_path: Path) -> list[GoldenSample]:
    """The golden inputs beside a mapping file; unreadable ones are left out
    (``dms-hub mapping check`` is where they are reported)."""
    samples = []
    for sample in find_samples(mapping_path):
        try:
            text = sample.input.read_text(encoding="utf-8")
            xref = json.loads(sample.xref.read_text(encoding="utf-8")) if sample.xref else None
        except (OSError, ValueError):
            continue
        samples.append(GoldenSample(sample.name, text, xref if isinstance(xref, dict) else None))
    return samples


def listed_mappings(root: Path) -> dict[str, Path]:
    """Every mapping file under ``root`` by its name relative to it
    (``generic/invoice.in.yaml``): the only names a caller may ask for, so no
    path from a request ever reaches the file system."""
    if not root.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): path for path in mapping_files(root)}
