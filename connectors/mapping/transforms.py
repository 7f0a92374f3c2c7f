"""The named transforms a field's ``transforms:`` chain may use.

Each transform is registered with ``@transform(name, arg=..., options=...)`` on
a builder. At load time the builder checks its argument and options (raising
``SpecProblem``) and returns a ``Built`` step; at apply time the step's
function takes the value and the cross-reference and returns the new value or
raises ``Problem``. A step is skipped when the value is null, unless it
``accepts_null``. docs/mappings.md lists them all with examples; schema.json
describes their arguments (a test keeps the two in step).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Any, Literal

from connectors.mapping.coerce import plain, to_decimal, to_str, type_label
from connectors.mapping.errors import Problem, SpecProblem
from connectors.mapping.xref import CrossReference

StepFn = Callable[[Any, CrossReference | None], Any]
ArgKind = Literal["none", "required", "optional"]

# Arithmetic is done in one fixed context, whatever the caller's thread set.
_MATH = Context(prec=28, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])
ROUNDING_MODES: dict[str, str] = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
    "floor": ROUND_FLOOR,
    "ceiling": ROUND_CEILING,
}
# unit -> (dimension, size in the dimension's base unit)
UNITS: dict[str, tuple[str, Decimal]] = {
    "mg": ("mass", Decimal("0.001")),
    "g": ("mass", Decimal(1)),
    "kg": ("mass", Decimal(1000)),
    "t": ("mass", Decimal(1000000)),
    "mm": ("length", Decimal("0.001")),
    "cm": ("length", Decimal("0.01")),
    "m": ("length", Decimal(1)),
    "km": ("length", Decimal(1000)),
    "ml": ("volume", Decimal("0.001")),
    "l": ("volume", Decimal(1)),
    "m3": ("volume", Decimal(1000)),
    "each": ("count", Decimal(1)),
    "pcs": ("count", Decimal(1)),
    "pair": ("count", Decimal(2)),
    "dozen": ("count", Decimal(12)),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Built:
    fn: StepFn
    accepts_null: bool = False


Builder = Callable[[Any, Mapping[str, Any]], Built]


@dataclass(frozen=True, slots=True)
class TransformDef:
    name: str
    arg: ArgKind
    options: frozenset[str]
    builder: Builder


REGISTRY: dict[str, TransformDef] = {}


def transform(
    name: str, *, arg: ArgKind, options: tuple[str, ...] = ()
) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        REGISTRY[name] = TransformDef(name, arg, frozenset(options), builder)
        return builder

    return register


def build(name: str, arg: Any, options: Mapping[str, Any]) -> Built:
    """Check a step's argument and options and build it (``SpecProblem`` if wrong)."""
    definition = REGISTRY.get(name)
    if definition is None:
        raise SpecProblem(
            f"unknown transform {name!r} (known: {', '.join(sorted(REGISTRY))})",
            name,
            code="unknown_transform",
        )
    if definition.arg == "required" and arg is None:
        raise SpecProblem(f"transform {name!r} needs an argument: write '- {name}: ...'", name)
    if definition.arg == "none" and arg is not None:
        raise SpecProblem(f"transform {name!r} takes no argument: write '- {name}'", arg)
    unknown = sorted(set(options) - definition.options)
    if unknown:
        allowed = ", ".join(sorted(definition.options)) or "none"
        raise SpecProblem(
            f"transform {name!r} has no option {unknown[0]!r} (options: {allowed})", unknown[0]
        )
    return definition.builder(arg, options)


# Argument checks (load time) -----------------------------------------------


def _need(condition: bool, message: str, value: Any) -> None:
    if not condition:
        raise SpecProblem(message, value)


def _arg_text(arg: Any, name: str) -> str:
    _need(isinstance(arg, str), f"{name}: the argument must be text", arg)
    return str(arg)


def _arg_count(arg: Any, name: str, *, low: int, high: int) -> int:
    ok = isinstance(arg, int) and not isinstance(arg, bool) and low <= arg <= high
    _need(ok, f"{name}: the argument must be a whole number from {low} to {high}", arg)
    return int(arg)


def _arg_number(arg: Any, name: str) -> Decimal:
    try:
        return to_decimal(arg)
    except Problem:
        raise SpecProblem(f"{name}: the argument must be a number", arg) from None


# Value checks (apply time) --------------------------------------------------


def _text(value: Any) -> str:
    """Text, or a number written as text; anything else is a problem."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return to_str(value)
    raise Problem(f"expected text, got {type_label(value)}", value, "type_mismatch")


def _as_list(value: Any) -> list[Any]:
    """Several matches arrive as a list; a single match is a list of one."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _out_of_range(value: Any) -> Problem:
    return Problem("the result is out of range", value, "out_of_range")


# Text -----------------------------------------------------------------------


@transform("strip", arg="optional")
def _strip(arg: Any, _options: Mapping[str, Any]) -> Built:
    chars = None if arg is None else _arg_text(arg, "strip")
    return Built(lambda value, _x: _text(value).strip(chars))


@transform("upper", arg="none")
def _upper(_arg: Any, _options: Mapping[str, Any]) -> Built:
    return Built(lambda value, _x: _text(value).upper())


@transform("lower", arg="none")
def _lower(_arg: Any, _options: Mapping[str, Any]) -> Built:
    return Built(lambda value, _x: _text(value).lower())


@transform("prefix", arg="required")
def _prefix(arg: Any, _options: Mapping[str, Any]) -> Built:
    text = _arg_text(arg, "prefix")
    return Built(lambda value, _x: text + _text(value))


@transform("suffix", arg="required")
def _suffix(arg: Any, _options: Mapping[str, Any]) -> Built:
    text = _arg_text(arg, "suffix")
    return Built(lambda value, _x: _text(value) + text)


@transform("replace", arg="required")
def _replace(arg: Any, _options: Mapping[str, Any]) -> Built:
    ok = (
        isinstance(arg, dict)
        and arg
        and all(isinstance(k, str) and k and isinstance(v, str) for k, v in arg.items())
    )
    _need(bool(ok), "replace: the argument must map non-empty text to text", arg)
    pairs = list(arg.items())

    def replace(value: Any, _x: CrossReference | None) -> str:
        text = _text(value)
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return Built(replace)


@transform("truncate", arg="required")
def _truncate(arg: Any, _options: Mapping[str, Any]) -> Built:
    limit = _arg_count(arg, "truncate", low=1, high=100_000)
    return Built(lambda value, _x: _text(value)[:limit])


@transform("pad", arg="required")
def _pad(arg: Any, _options: Mapping[str, Any]) -> Built:
    _need(isinstance(arg, dict), "pad: the argument must be {width, fill, side}", arg)
    width = _arg_count(arg.get("width"), "pad width", low=1, high=1000)
    fill = _arg_text(arg.get("fill", " "), "pad fill")
    _need(len(fill) == 1, "pad: fill must be one character", fill)
    side = arg.get("side", "left")
    _need(side in ("left", "right"), "pad: side must be left or right", side)
    if side == "left":
        return Built(lambda value, _x: _text(value).rjust(width, fill))
    return Built(lambda value, _x: _text(value).ljust(width, fill))


@transform("split", arg="required")
def _split(arg: Any, _options: Mapping[str, Any]) -> Built:
    _need(isinstance(arg, dict), "split: the argument must be {separator, index}", arg)
    separator = _arg_text(arg.get("separator"), "split separator")
    _need(separator != "", "split: the separator must not be empty", separator)
    index = _arg_count(arg.get("index", 0), "split index", low=-1000, high=1000)

    def split(value: Any, _x: CrossReference | None) -> str:
        parts = _text(value).split(separator)
        if not -len(parts) <= index < len(parts):
            raise Problem(f"no part {index} in this text", value, "no_such_part")
        return parts[index]

    return Built(split)


@transform("join", arg="required")
def _join(arg: Any, _options: Mapping[str, Any]) -> Built:
    separator = _arg_text(arg, "join")

    def join(value: Any, _x: CrossReference | None) -> str | None:
        parts = [_text(item) for item in _as_list(value) if item is not None]
        return separator.join(parts) if parts else None

    return Built(join, accepts_null=True)


@transform("template", arg="required")
def _template(arg: Any, _options: Mapping[str, Any]) -> Built:
    pattern = _arg_text(arg, "template")
    for name in _PLACEHOLDER.findall(pattern):
        _need(
            name == "value" or name.isdigit(),
            f"template: unknown placeholder {{{name}}} (use {{value}} or {{0}}, {{1}}...)",
            pattern,
        )

    def fill(value: Any, _x: CrossReference | None) -> str:
        items = _as_list(value)

        def replacement(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "value":
                return _text(value)
            position = int(name)
            if position >= len(items) or items[position] is None:
                raise Problem(f"no value for {{{name}}}", value, "no_such_part")
            return _text(items[position])

        return _PLACEHOLDER.sub(replacement, pattern)

    return Built(fill)


# Nulls and lists --------------------------------------------------------------


@transform("null_if", arg="required")
def _null_if(arg: Any, _options: Mapping[str, Any]) -> Built:
    values = arg if isinstance(arg, list) else [arg]
    _need(
        all(isinstance(v, str | int | Decimal | bool) for v in values),
        "null_if: the argument must be a value or a list of values",
        arg,
    )
    keys = {value_key(v) for v in values}

    def null_if(value: Any, _x: CrossReference | None) -> Any:
        if value is None or value_key(value) in keys:
            return None
        return value

    return Built(null_if, accepts_null=True)


@transform("coalesce", arg="none")
def _coalesce(_arg: Any, _options: Mapping[str, Any]) -> Built:
    def coalesce(value: Any, _x: CrossReference | None) -> Any:
        return next((item for item in _as_list(value) if item is not None), None)

    return Built(coalesce, accepts_null=True)


@transform("sum", arg="none")
def _sum(_arg: Any, _options: Mapping[str, Any]) -> Built:
    def total(value: Any, _x: CrossReference | None) -> Decimal:
        numbers = [to_decimal(item) for item in _as_list(value) if item is not None]
        try:
            return functools.reduce(_MATH.add, numbers, Decimal(0))
        except ArithmeticError:
            raise _out_of_range(value) from None

    return Built(total, accepts_null=True)


# Enumerations and cross-references -------------------------------------------


# Keys keep true apart from 1 and "1" apart from 1, as JSON does; found by
# class, not isinstance, because map runs once per line of every order.
_KINDS: dict[type, str] = {
    bool: "bool",
    int: "number",
    Decimal: "number",
    float: "number",
    str: "text",
    type(None): "null",
}


def value_key(value: Any) -> tuple[str, Any] | None:
    """The key under which ``map`` and conditions compare a value (None: matches nothing)."""
    kind_class = value.__class__
    kind = _KINDS.get(kind_class)
    if kind is None:
        normal = plain(value)  # a StrEnum member is looked up as its text
        return None if normal is value else value_key(normal)  # objects, lists: never keys
    if (kind_class is Decimal and value.is_nan()) or (kind_class is float and math.isnan(value)):
        return None  # NaN equals nothing (and a signalling NaN cannot even be compared)
    return (kind, value)


@transform("map", arg="required", options=("default", "passthrough"))
def _map(arg: Any, options: Mapping[str, Any]) -> Built:
    _need(isinstance(arg, dict) and bool(arg), "map: the argument must be a non-empty mapping", arg)
    table = {value_key(k): v for k, v in arg.items()}
    has_default = "default" in options
    default = options.get("default")
    passthrough = options.get("passthrough", False)
    _need(isinstance(passthrough, bool), "map: passthrough must be true or false", passthrough)
    _need(not (has_default and passthrough), "map: give default or passthrough, not both", arg)
    known = ", ".join(repr(k) for k in list(arg)[:10])

    def lookup(value: Any, _x: CrossReference | None) -> Any:
        key = value_key(value)
        if key is not None and key in table:
            return table[key]
        if has_default:
            return default
        if passthrough:
            return value
        raise Problem(f"no entry for this value (known: {known})", value, "unmapped_value")

    return Built(lookup, accepts_null=("null", None) in table)


@transform("xref", arg="required", options=("on_missing",))
def _xref(arg: Any, options: Mapping[str, Any]) -> Built:
    table = _arg_text(arg, "xref")
    on_missing = options.get("on_missing", "error")
    _need(
        on_missing in ("error", "null", "keep"),
        "xref: on_missing must be error, null or keep",
        on_missing,
    )

    def lookup(value: Any, xref: CrossReference | None) -> Any:
        key = value if value.__class__ is str else _text(value)
        if xref is None:
            raise Problem("no cross-reference was given", value, "xref_unavailable")
        code = xref.lookup(table, key)
        if code is not None:
            return code
        if on_missing == "null":
            return None
        if on_missing == "keep":
            return value
        raise Problem(
            f"no entry for key {key!r} in cross-reference table {table!r}",
            key,
            "xref_missing",
        )

    return Built(lookup)


# Numbers ----------------------------------------------------------------------


@transform("multiply", arg="required")
def _multiply(arg: Any, _options: Mapping[str, Any]) -> Built:
    return _scaled(_arg_number(arg, "multiply"))


@transform("divide", arg="required")
def _divide(arg: Any, _options: Mapping[str, Any]) -> Built:
    divisor = _arg_number(arg, "divide")
    _need(divisor != 0, "divide: cannot divide by zero", arg)

    def divide(value: Any, _x: CrossReference | None) -> Decimal:
        try:
            return _MATH.divide(to_decimal(value), divisor)
        except ArithmeticError:
            raise _out_of_range(value) from None

    return Built(divide)


@transform("round", arg="required", options=("mode",))
def _round(arg: Any, options: Mapping[str, Any]) -> Built:
    places = _arg_count(arg, "round", low=0, high=12)
    mode_name = options.get("mode", "half_up")
    _need(
        mode_name in ROUNDING_MODES,
        f"round: mode must be one of {', '.join(ROUNDING_MODES)}",
        mode_name,
    )
    quantum = Decimal(1).scaleb(-places)
    mode = ROUNDING_MODES[mode_name]

    def rounded(value: Any, _x: CrossReference | None) -> Decimal:
        try:
            return to_decimal(value).quantize(quantum, rounding=mode, context=_MATH)
        except ArithmeticError:
            raise _out_of_range(value) from None

    return Built(rounded)


@transform("convert_unit", arg="required")
def _convert_unit(arg: Any, _options: Mapping[str, Any]) -> Built:
    _need(isinstance(arg, dict), "convert_unit: the argument must be {from, to}", arg)
    source, target = arg.get("from"), arg.get("to")
    for unit in (source, target):
        _need(unit in UNITS, f"convert_unit: unknown unit (known: {', '.join(UNITS)})", unit)
    (source_dim, source_size), (target_dim, target_size) = UNITS[source], UNITS[target]
    _need(source_dim == target_dim, f"convert_unit: cannot convert {source} to {target}", arg)
    # multiply, then divide: 24 each is exactly 2 dozen, where a factor 1/12 is not exact
    return _scaled(source_size, target_size)


def _scaled(factor: Decimal, divisor: Decimal = Decimal(1)) -> Built:
    def scale(value: Any, _x: CrossReference | None) -> Decimal:
        try:
            product = _MATH.multiply(to_decimal(value), factor)
            return product if divisor == 1 else _MATH.divide(product, divisor)
        except ArithmeticError:
            raise _out_of_range(value) from None

    return Built(scale)


def _number_style(arg: Any, name: str, default_thousands: str) -> dict[str, Any]:
    """``{thousands, decimal, places}`` of a number format, checked."""
    settings = {} if arg is None else arg
    _need(isinstance(settings, dict), f"{name}: the argument must be a mapping", arg)
    thousands = _arg_text(settings.get("thousands", default_thousands), f"{name} thousands")
    point = _arg_text(settings.get("decimal", "."), f"{name} decimal")
    _need(
        len(point) == 1 and len(thousands) <= 1 and thousands != point,
        f"{name}: thousands and decimal must be different single characters",
        arg,
    )
    return {"thousands": thousands, "decimal": point, "places": settings.get("places", 2)}


@transform("parse_number", arg="optional")
def _parse_number(arg: Any, _options: Mapping[str, Any]) -> Built:
    style = _number_style(arg, "parse_number", ",")
    thousands, point = style["thousands"], style["decimal"]

    def parse(value: Any, _x: CrossReference | None) -> Decimal:
        if not isinstance(value, str):
            return to_decimal(value)
        text = value.strip()
        if thousands:
            text = text.replace(thousands, "")
        return to_decimal(text.replace(point, "."))

    return Built(parse)


@transform("format_number", arg="optional")
def _format_number(arg: Any, _options: Mapping[str, Any]) -> Built:
    style = _number_style(arg, "format_number", "")
    places = _arg_count(style["places"], "format_number places", low=0, high=12)
    thousands, point = style["thousands"], style["decimal"]
    quantum = Decimal(1).scaleb(-places)

    def render(value: Any, _x: CrossReference | None) -> str:
        try:
            number = to_decimal(value).quantize(quantum, context=_MATH)
        except ArithmeticError:
            raise _out_of_range(value) from None
        text = f"{number:,f}" if thousands else f"{number:f}"
        return text.replace(",", "\0").replace(".", point).replace("\0", thousands)

    return Built(render)
