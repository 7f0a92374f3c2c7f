"""Reading a mapping file: YAML with line numbers, checked against schema.json.

YAML is read with the rules of YAML 1.2's core schema rather than PyYAML's
1.1 ones, because 1.1 surprises integrators: ``no`` and ``off`` are booleans,
``010`` is 8, ``12:30`` is 750 and ``2026-01-05`` a date. Here only
true/false are booleans, integers are decimal, numbers with a fraction become
Decimal (exact, as money must be) and dates stay text until a field's type
reads them. A key given twice is an error, not a silent overwrite.

Every value's line is kept in ``SourceDoc.lines`` under its location (the
tuple of keys and indexes leading to it), so any later complaint about the
file can name its line.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from connectors.mapping.coerce import type_label
from connectors.mapping.errors import Issue, MappingSpecError

Location = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core resolution (see the module docstring)."""


# Start from no implicit types at all, then add the 1.2 core ones.
_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "float",
        r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$",
        "-+0123456789.",
    ),
    ("merge", r"^(?:<<)$", "<"),
):
    _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    return int(str(loader.construct_scalar(node)), 10)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)))


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


@dataclass(frozen=True)
class SourceDoc:
    """A mapping file's content, and the line of every value in it."""

    path: Path
    data: Any
    lines: dict[Location, int]

    @property
    def name(self) -> str:
        return str(self.path)

    def line_of(self, loc: Location) -> int | None:
        """The line of ``loc``, or of its nearest enclosing value that has one."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None

    def issue(
        self, loc: Location, message: str, code: str, *, value: Any = None, has_value: bool = False
    ) -> Issue:
        return Issue(
            file=self.name,
            line=self.line_of(loc),
            field=describe_location(loc),
            message=message,
            code=code,
            value=value,
            has_value=has_value,
        )


def describe_location(loc: Location) -> str:
    """The target a location in the file defines, e.g. ``lines[].qty``; else the setting."""
    if not loc or loc[0] != "fields":
        return ".".join(str(part) for part in loc)
    names: list[str] = []
    rest = list(loc[1:])
    while rest:
        names.append(str(rest.pop(0)))
        if len(rest) >= 2 and rest[0] in ("fields", "items"):
            if rest.pop(0) == "items":
                names[-1] += "[]"
            continue
        if len(rest) >= 2 and rest[0] == "elements" and isinstance(rest[1], int):
            names[-1] += f"[{rest[1]}]"
            del rest[:2]
            if len(rest) >= 2 and rest[0] == "fields":
                rest.pop(0)
                continue
        break
    setting = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    target = ".".join(names)
    return f"{target} ({setting})" if setting else target


def _index_lines(node: yaml.Node, loc: Location, lines: dict[Location, int]) -> Iterator[Issue]:
    """Record the line of every value under ``node``; yield duplicate keys as problems."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, Any], int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key: Any = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key_node.tag == "tag:yaml.org,2002:int":
                key = int(key)
            identity = (key_node.tag, key_node.value)
            if key is not None and identity in seen:
                yield Issue(
                    file="",
                    line=key_line,
                    field=describe_location((*loc, key)),
                    message=f"key {key!r} given twice (first on line {seen[identity]})",
                    code="duplicate_key",
                    value=key,
                    has_value=True,
                )
                continue
            seen[identity] = key_line
            if key is not None:
                lines.setdefault((*loc, key), key_line)
                yield from _index_lines(value_node, (*loc, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            yield from _index_lines(item, (*loc, index), lines)


def read_source(path: Path) -> SourceDoc:
    """Parse a mapping file; ``MappingSpecError`` for unreadable YAML or duplicate keys."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issue = Issue(name, None, "", f"cannot read the file: {exc}", "unreadable")
        raise MappingSpecError([issue]) from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"YAML syntax: {problem}" + (f" ({context})" if context else "")
        line = mark.line + 1 if mark is not None else None
        raise MappingSpecError([Issue(name, line, "", message, "yaml_syntax")]) from None
    if node is None:
        raise MappingSpecError([Issue(name, 1, "", "the file is empty", "empty_file")])
    lines: dict[Location, int] = {(): node.start_mark.line + 1}
    duplicates = [
        Issue(name, i.line, i.field, i.message, i.code, i.value, i.has_value)
        for i in _index_lines(node, (), lines)
    ]
    if duplicates:
        raise MappingSpecError(duplicates)
    return SourceDoc(path=path, data=data, lines=lines)


# The schema -------------------------------------------------------------------


@functools.cache
def schema() -> dict[str, Any]:
    """schema.json, the format's JSON Schema (package data)."""
    text = resources.files("connectors.mapping").joinpath("schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def transform_names() -> tuple[frozenset[str], frozenset[str]]:
    """(names usable bare, names usable as ``{name: ...}``), as the schema says."""
    defs = schema()["$defs"]
    bare = frozenset(defs["transform"]["oneOf"][0]["enum"])
    keyed = frozenset(name[2:] for name in defs if name.startswith("t_"))
    return bare, keyed


def _unknown_transform(name: Any) -> str:
    bare, keyed = transform_names()
    known = sorted(bare | keyed)
    hint = difflib.get_close_matches(str(name), known, n=1)
    also = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"unknown transform {name!r}{also} (known: {', '.join(known)})"


def _describe_step(step: Any) -> str:
    """Why a transform step is wrong, in words (the schema's oneOf says only 'no match')."""
    bare, keyed = transform_names()
    if isinstance(step, str):
        needs_arg = f"transform {step!r} needs an argument: write '- {step}: ...'"
        return needs_arg if step in keyed else _unknown_transform(step)
    if not isinstance(step, dict):
        return f"a transform is a name or a mapping such as '- round: 2', got {type_label(step)}"
    names = [k for k in step if k in keyed or k in bare]
    if len(names) != 1:
        if names:
            return f"one transform per step, found {', '.join(map(repr, names))}"
        return _unknown_transform(next(iter(step), ""))
    name = names[0]
    if name not in keyed:
        return f"transform {name!r} takes no argument: write '- {name}'"
    sub = Draft202012Validator({**schema()["$defs"][f"t_{name}"], "$defs": schema()["$defs"]})
    error = best_match(sub.iter_errors(step))
    return f"{name}: {_message(error) if error is not None else 'malformed'}"


def _message(error: ValidationError) -> str:
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    if custom:
        deeper = best_match(error.context) if error.context else None
        return f"{custom} ({_message(deeper)})" if deeper is not None else str(custom)
    if error.validator == "type":
        return f"expected {error.validator_value}, got {type_label(error.instance)}"
    if error.validator == "required" and isinstance(error.instance, dict):
        # one error per missing key, each naming its key first in its message
        wanted = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [key for key in wanted if key not in error.instance]
        key = next((k for k in missing if error.message.startswith(repr(k))), None)
        return f"missing key {key!r}" if key is not None else error.message
    if error.validator in ("oneOf", "anyOf") and error.context:
        deeper = best_match(error.context)
        if deeper is not None:
            return _message(deeper)
    return error.message


def _issues_of(error: ValidationError, doc: SourceDoc) -> Iterator[Issue]:
    loc: Location = tuple(error.absolute_path)
    schema_here = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema_here.get("properties", {}))
        for key in error.instance:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            also = f"; did you mean {hint[0]!r}?" if hint else ""
            yield doc.issue(
                (*loc, key),
                f"unknown key {key!r}{also} (allowed: {', '.join(allowed)})",
                "unknown_key",
                value=key,
                has_value=True,
            )
        return
    if error.validator == "oneOf" and "x-transform" in schema_here:
        message = _describe_step(error.instance)
        yield doc.issue(loc, message, "bad_transform", value=error.instance, has_value=True)
        return
    if "propertyNames" in error.schema_path and isinstance(error.instance, str):
        loc = (*loc, error.instance)
    yield doc.issue(loc, _message(error), "schema", value=error.instance, has_value=True)


def validate(doc: SourceDoc) -> list[Issue]:
    """Everything the JSON Schema finds wrong with the file, each with its line."""
    errors = _validator().iter_errors(doc.data)
    issues = [issue for error in errors for issue in _issues_of(error, doc)]
    return sorted(issues, key=lambda issue: (issue.line or 0, issue.field))
