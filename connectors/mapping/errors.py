"""What goes wrong with a mapping, said so that an integrator can fix it.

    ConfigurationError (dms_domain)
    └── MappingSpecError      a mapping file is malformed: fix the file
    BadRecord (dms_domain)
    └── MappingFailure        a record does not fit the mapping: quarantine it, go on

Both carry ``issues``: every problem found, each with the file, the line in
that file, the field (a target path such as ``lines[3].qty``) and the value.
``Problem`` is internal: transforms and type conversions raise it, and the
engine turns it into an ``Issue`` that knows the field and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dms_domain.errors import BadRecord, ConfigurationError, FieldError

_VALUE_REPR_LIMIT = 80


def short_repr(value: Any) -> str:
    """A repr that fits on one line of a report, however big the value is."""
    text = repr(value)
    if len(text) > _VALUE_REPR_LIMIT:
        text = text[: _VALUE_REPR_LIMIT - 3] + "..."
    return text


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a mapping file or in a record applied to it.

    ``line`` is the line in the mapping file that defines the failing field,
    transform or setting (``None`` when the file itself cannot be read).
    ``value`` is the offending value: from the record for record issues, from
    the file for file issues; ``has_value`` is false when there is none.
    """

    file: str
    line: int | None
    field: str
    message: str
    code: str
    value: Any = None
    has_value: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{where}: {self.field}: " if self.field else f"{where}: "
        text += self.message
        if self.has_value:
            text += f" (value: {short_repr(self.value)})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form; the value is given as its repr."""
        result: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }
        if self.has_value:
            result["value"] = short_repr(self.value)
        return result


def _summary(prefix: str, issues: list[Issue]) -> str:
    first = str(issues[0]) if issues else "no details"
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return f"{prefix}: {first}{more}"


class MappingSpecError(ConfigurationError):
    """A mapping file cannot be loaded; ``issues`` lists every problem found in it."""

    code = "mapping_invalid"

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(_summary("invalid mapping file", issues))
        self.issues = issues


class MappingFailure(BadRecord):
    """A record cannot be mapped; ``issues`` lists every bad field, not just the first."""

    code = "mapping_failed"

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(
            _summary("record does not fit the mapping", issues),
            [FieldError(issue.field, issue.message) for issue in issues],
        )
        self.issues = issues


class Problem(Exception):
    """A value a transform or type conversion cannot handle (caught by the engine)."""

    def __init__(self, message: str, value: Any, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.code = code


class SpecProblem(Exception):
    """A bad setting found while compiling a file (turned into an ``Issue`` with its line)."""

    def __init__(self, message: str, value: Any = None, *, code: str = "invalid_setting") -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.code = code
