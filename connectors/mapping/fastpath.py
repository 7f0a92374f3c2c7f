"""The code that fills one object level, generated once per level at load time.

A level (the record, a nested object, a list item) is a run of fields. Calling
one closure per field costs about as much as the field's own work, which kept
the engine at half the speed of hand-written code. So each level becomes one
generated function: a ``FastField`` becomes a few inline lines (a dict lookup,
its one transform, a class check, a store), exactly what ``FastField``
describes, and every other field a call to its runner. The source holds only
names this module makes up (``name_3``, ``run_4``); every value from the
mapping file reaches it through the namespace, never as text, so no file can
inject code.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connectors.mapping.coerce import MAX_ADJUSTED_EXPONENT, MAX_INT
from connectors.mapping.engine import Context, Entry, FastField, Runner
from connectors.mapping.errors import Problem

_FAILED = object()
_RANGE_CHECKS = {
    int: " and -MAX_INT < value < MAX_INT",
    Decimal: " and value.is_finite() and value.adjusted() <= MAX_DIGITS",
}


def level_runner(entries: Sequence[Entry]) -> Runner:
    """One runner for a level's fields, in order."""
    runners = tuple(e.general if isinstance(e, FastField) else e for e in entries)
    if not any(isinstance(e, FastField) for e in entries):

        def run_all(src: Any, root: Any, out: dict[Any, Any], ctx: Context) -> None:
            for run in runners:
                run(src, root, out, ctx)

        return run_all
    return _generate(entries, runners)


def _fast_lines(i: int, field: FastField) -> list[str]:
    lines = [f"    value = get(name_{i})"]
    if field.step is not None:
        lines += [
            "    if value is not None:",
            "        try:",
            f"            value = step_{i}(value, xref)",
            "        except Problem:",
            "            value = FAILED  # the general runner repeats the step and reports",
        ]
    # the same checks as coerce.to_int and coerce.to_decimal, inline
    check = f"value.__class__ is exact_{i}" + _RANGE_CHECKS.get(field.exact, "")
    return [
        *lines,
        f"    if {check}:",
        f"        out[key_{i}] = value",
        "    else:",
        f"        general_{i}(src, root, out, ctx)",
    ]


def _generate(entries: Sequence[Entry], runners: tuple[Runner, ...]) -> Runner:
    namespace: dict[str, Any] = {
        "runners": runners,
        "Problem": Problem,
        "FAILED": _FAILED,
        "MAX_DIGITS": MAX_ADJUSTED_EXPONENT,
        "MAX_INT": MAX_INT,
    }
    lines = [
        "def level(src, root, out, ctx):",
        "    if src.__class__ is not dict:",
        "        for run in runners:",
        "            run(src, root, out, ctx)",
        "        return",
        "    get = src.get",
        "    xref = ctx.xref",
    ]
    for i, entry in enumerate(entries):
        if isinstance(entry, FastField):
            namespace.update(
                {
                    f"name_{i}": entry.name,
                    f"key_{i}": entry.key,
                    f"exact_{i}": entry.exact,
                    f"step_{i}": entry.step,
                    f"general_{i}": entry.general,
                }
            )
            lines += _fast_lines(i, entry)
        else:
            namespace[f"run_{i}"] = entry
            lines.append(f"    run_{i}(src, root, out, ctx)")
    code = compile("\n".join(lines) + "\n", "<dms-hub mapping level>", "exec")
    exec(code, namespace)  # noqa: S102 - our own template, values only via the namespace
    level: Runner = namespace["level"]
    return level
