"""JSON for mapped records: decimals written exactly, times as ISO text.

The standard library writes a Decimal only as a string (or not at all), and
reads numbers as floats. Mapped records carry Decimal money that an outside
system may want as a JSON number, so ``dumps`` writes it as one, digit for
digit, and ``loads`` reads numbers with a fraction back as Decimal.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any


def loads(text: str) -> Any:
    """Parse JSON with exact decimals; NaN and Infinity are refused (``ValueError``)."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    return json.loads(text, parse_float=Decimal, parse_constant=refuse)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool | int | Decimal):
        return dumps(key)
    raise TypeError(f"a JSON object key must be text, got {type(key).__name__}")


_CONSTANTS = {None: "null", True: "true", False: "false"}


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return _CONSTANTS[value]
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal | float):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise ValueError(f"{value!r} cannot be written as JSON")
        return format(number, "f")
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def _write(value: Any, indent: int | None, depth: int, sort_keys: bool, out: list[str]) -> None:
    if isinstance(value, dict | list | tuple):
        is_dict = isinstance(value, dict)
        opening, closing = ("{", "}") if is_dict else ("[", "]")
        if not value:
            out.append(opening + closing)
            return
        if isinstance(value, dict):
            pairs = [(_key(k), v) for k, v in value.items()]
            entries: list[tuple[str | None, Any]] = [
                (k, v) for k, v in (sorted(pairs, key=lambda p: p[0]) if sort_keys else pairs)
            ]
        else:
            entries = [(None, item) for item in value]
        inner = "" if indent is None else "\n" + " " * (indent * (depth + 1))
        outer = "" if indent is None else "\n" + " " * (indent * depth)
        separator = ", " if indent is None else ","
        out.append(opening)
        for position, (key, item) in enumerate(entries):
            out.append((separator if position else "") + inner)
            if key is not None:
                out.append(json.dumps(key, ensure_ascii=False) + ": ")
            _write(item, indent, depth + 1, sort_keys, out)
        out.append(outer + closing)
        return
    out.append(_scalar(value))


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON text for a mapped record (``TypeError`` for values JSON has no form for)."""
    out: list[str] = []
    _write(value, indent, 0, sort_keys, out)
    return "".join(out)
