"""Conditions (``when:`` on a field, ``filter:`` on list items), compiled once.

    {path: $.x, equals: V} | {path, not_equals: V} | {path, in: [..]} |
    {path, not_in: [..]} | {path, exists: true|false}
    {all: [c, ...]} | {any: [c, ...]} | {not: c}

``path`` reads the current item (``scope: root`` reads the whole record) the
way a field's source does. Values compare as JSON does: true is not 1 and
"1" is not 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from connectors.mapping.paths import CompiledPath
from connectors.mapping.transforms import value_key

# (current item, whole record) -> bool; may raise Problem from a failing path
Condition = Callable[[Any, Any], bool]
Location = tuple[str | int, ...]
OPERATORS = ("equals", "not_equals", "in", "not_in", "exists")


class PathCompiler(Protocol):
    def path(self, text: Any, loc: Location) -> CompiledPath: ...


def _same(left: Any, right: Any) -> bool:
    left_key, right_key = value_key(left), value_key(right)
    if left_key is not None and right_key is not None:
        return left_key == right_key
    if isinstance(left, dict | list) and isinstance(right, dict | list):
        try:
            return bool(left == right)
        except ArithmeticError:
            return False  # a signalling NaN inside: it equals nothing
    return False


def compile_condition(spec: dict[str, Any], loc: Location, compiler: PathCompiler) -> Condition:
    """Build a condition from a spec the schema has already checked."""
    if "all" in spec or "any" in spec:
        combinator = "all" if "all" in spec else "any"
        combine = all if combinator == "all" else any
        parts = [
            compile_condition(c, (*loc, combinator, i), compiler)
            for i, c in enumerate(spec[combinator])
        ]

        def combined(item: Any, root: Any) -> bool:
            return combine(part(item, root) for part in parts)

        return combined
    if "not" in spec:
        inner = compile_condition(spec["not"], (*loc, "not"), compiler)
        return lambda item, root: not inner(item, root)
    get = compiler.path(spec["path"], (*loc, "path")).get
    from_root = spec.get("scope") == "root"

    def read(item: Any, root: Any) -> Any:
        return get(root if from_root else item)

    if "exists" in spec:
        wanted = bool(spec["exists"])
        return lambda item, root: (read(item, root) is not None) is wanted
    if "equals" in spec or "not_equals" in spec:
        negate = "not_equals" in spec
        expected = spec["not_equals"] if negate else spec["equals"]
        return lambda item, root: _same(read(item, root), expected) is not negate
    negate = "not_in" in spec
    choices = list(spec["not_in"] if negate else spec["in"])
    return lambda item, root: any(_same(read(item, root), c) for c in choices) is not negate
