"""Source expressions: jsonpath-ng syntax, parsed once, evaluated fast.

jsonpath-ng costs about 14 us per expression per document (stack-notes.md),
mostly building ``DatumInContext`` objects the mapping never needs. A path made
only of names, indexes, wildcards and slices (nearly every path in a mapping)
is therefore evaluated here directly on the parsed tree, with the same results
as jsonpath-ng (tests/unit/mapping/test_paths.py compares them on generated
paths and documents). Anything else (filters, ``..``, `parent`, arithmetic)
runs through jsonpath-ng itself.

Documents are JSON-like: dicts, lists, and scalars.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonpath_ng import jsonpath as jp
from jsonpath_ng.ext.parser import parse as _jsonpath_parse

from connectors.mapping.errors import Problem

# Appends what one step selects from one value to the list it is given.
_Step = Callable[[Any, list[Any]], None]


class PathSyntaxError(ValueError):
    """The text is not a jsonpath-ng expression."""


def _fields_step(names: tuple[str, ...]) -> _Step:
    def step(value: Any, out: list[Any]) -> None:
        if isinstance(value, dict):
            for name in names:
                if name in value:
                    out.append(value[name])

    return step


def _index_step(indices: tuple[int, ...]) -> _Step:
    def step(value: Any, out: list[Any]) -> None:
        if isinstance(value, list | tuple) and value:
            size = len(value)
            for index in indices:
                if -size <= index < size:
                    out.append(value[index])

    return step


def _wildcard_step(value: Any, out: list[Any]) -> None:
    if isinstance(value, list | tuple):
        out.extend(value)
    elif isinstance(value, dict):
        out.extend(value.values())


def _slice_step(start: int | None, end: int | None, stride: int | None) -> _Step:
    def step(value: Any, out: list[Any]) -> None:
        if isinstance(value, list | tuple) and stride != 0:
            out.extend(value[index] for index in range(len(value))[start:end:stride])

    return step


def _compliant(node: Any) -> bool:
    """False for the hand-built, deprecated wildcard forms jsonpath-ng still honours."""
    return getattr(node, "_deprecated_wildcard_use", True) is False


def _steps(node: Any) -> list[_Step | None] | None:
    """The node as a list of steps (``None`` stands for ``$``/``@``), or None if not simple.

    Classes are compared exactly: jsonpath-ng's `sorted`, `sub` and friends
    subclass ``This`` but do something else.
    """
    kind = type(node)
    if kind is jp.Child:
        left, right = _steps(node.left), _steps(node.right)
        if left is None or right is None or None in right:
            return None  # a `$` after the start refers back to the root: leave it to jsonpath-ng
        return left + right
    if kind is jp.Root or kind is jp.This:
        return [None]
    step = _step_of(node)
    return None if step is None else [step]


def _step_of(node: Any) -> _Step | None:
    kind = type(node)
    if kind is jp.Fields and _compliant(node):
        return _fields_step(tuple(node.fields))
    if kind is jp.Slice and _compliant(node):
        return _slice_step(node.start, node.end, node.step)
    if kind is jp.Index:
        return _index_step(tuple(node.indices))
    if kind is jp.Wildcard:
        return _wildcard_step
    return None


def _simple_names(node: Any) -> list[str] | None:
    """The names of a path such as ``$.a.b.c`` (one name per step), else None."""
    kind = type(node)
    if kind is jp.Child:
        left, right = _simple_names(node.left), _simple_names(node.right)
        if left is None or right is None:
            return None
        if type(node.right) is not jp.Fields:
            return None
        return left + right
    if kind is jp.Root or kind is jp.This:
        return []
    if kind is jp.Fields and _compliant(node) and len(node.fields) == 1:
        return [node.fields[0]]
    return None


def _one_or_many(values: list[Any]) -> Any:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return values


def _name_getter(names: list[str]) -> Callable[[Any], Any]:
    """``get`` for a chain of names: plain dict lookups, as hand-written code would do."""
    if len(names) == 1:
        (key,) = names

        def get1(doc: Any) -> Any:
            return doc.get(key) if isinstance(doc, dict) else None

        return get1
    if len(names) == 2:
        first, second = names

        def get2(doc: Any) -> Any:
            if isinstance(doc, dict):
                doc = doc.get(first)
                if isinstance(doc, dict):
                    return doc.get(second)
            return None

        return get2

    def get_n(doc: Any) -> Any:
        for key in names:
            if not isinstance(doc, dict):
                return None
            doc = doc.get(key)
        return doc

    return get_n


class CompiledPath:
    """One parsed source expression.

    ``find(doc)`` is the list of values jsonpath-ng would match;
    ``get(doc)`` is what a field reads: None when nothing (or null) matched,
    the value when one did, the list of values when several did.
    """

    __slots__ = ("_expr", "_steps", "fast", "find", "get", "single_name", "text")

    def __init__(self, text: str) -> None:
        try:
            expr = _jsonpath_parse(text)
        except Exception as exc:  # the parser's errors are not all JSONPathError
            raise PathSyntaxError(f"bad jsonpath {text!r}: {exc}") from None
        self.text = text
        self._expr = expr
        steps = _steps(expr)
        if steps and steps[0] is None:
            steps = steps[1:]
        self.fast = steps is not None and None not in steps
        self._steps: list[_Step] = [s for s in steps or [] if s is not None]
        self.find: Callable[[Any], list[Any]] = self._find_fast if self.fast else self._find_slow
        names = _simple_names(expr)
        # `$.a`: a dict lookup the engine may do inline, with the same answer as get()
        self.single_name = names[0] if names is not None and len(names) == 1 else None
        self.get: Callable[[Any], Any]
        if names is None:
            self.get = self._get_general
        elif names:
            self.get = _name_getter(names)
        else:
            self.get = _identity  # `$` alone: the document itself

    def _find_fast(self, doc: Any) -> list[Any]:
        current = [doc]
        for step in self._steps:
            selected: list[Any] = []
            for value in current:
                step(value, selected)
            current = selected
        return current

    def _find_slow(self, doc: Any) -> list[Any]:
        try:
            return [match.value for match in self._expr.find(doc)]
        except Exception as exc:
            # jsonpath-ng's extensions can fail on data they did not expect
            # (`parent` at the top, arithmetic on text): that is a bad record.
            raise Problem(
                f"the path {self.text} cannot be evaluated on this record: {exc}",
                doc,
                "path_failed",
            ) from exc

    def _get_general(self, doc: Any) -> Any:
        return _one_or_many(self.find(doc))

    def __repr__(self) -> str:
        return f"CompiledPath({self.text!r}, fast={self.fast})"


def _identity(doc: Any) -> Any:
    return doc


def jsonpath_ng_find(text: str, doc: Any) -> list[Any]:
    """jsonpath-ng's own answer, parsed on every call (for tests and the benchmark)."""
    return [match.value for match in _jsonpath_parse(text).find(doc)]
