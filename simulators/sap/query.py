"""OData V2 system query options as the simulator understands them: a
``$filter`` of comparisons joined by ``and`` / ``or`` / ``not`` with
parentheses, over string, number, boolean, ``datetime'...'`` and
``datetimeoffset'...'`` literals; ``$orderby``; ``$top`` / ``$skip``.
Anything else is an error naming what is not understood."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

Row = dict[str, Any]
Predicate = Callable[[Row], bool]

TOKEN = re.compile(
    r"\s*(?:(?P<typed>(?:datetimeoffset|datetime|guid)'[^']*')"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?[mMdDlL]?)"
    r"|(?P<paren>[()])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_/]*))"
)
Compare = Callable[[Any, Any], bool]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
COMPARISONS: dict[str, Compare] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
}


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda row: a(row) or b(row)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda row: a(row) and b(row)


class QueryError(ValueError):
    """A query option the service does not understand."""


def _millis(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise QueryError(f"not a date and time: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Whole milliseconds by integer arithmetic: a float timestamp can lose the last one.
    return (moment - EPOCH) // timedelta(milliseconds=1)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"$filter: cannot read {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str, fields: set[str]) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.fields = fields

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("$filter ends too early")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise QueryError(f"$filter: unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return predicate

    def disjunction(self) -> Predicate:
        left = self.conjunction()
        while self.peek() == ("name", "or"):
            self.take()
            right = self.conjunction()
            left = _either(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.unary()
        while self.peek() == ("name", "and"):
            self.take()
            right = self.unary()
            left = _both(left, right)
        return left

    def unary(self) -> Predicate:
        if self.peek() == ("name", "not"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if self.peek() == ("paren", "("):
            self.take()
            inner = self.disjunction()
            if self.peek() != ("paren", ")"):
                raise QueryError("$filter: a parenthesis is not closed")
            self.take()
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        kind, name = self.take()
        if kind != "name" or name not in self.fields:
            raise QueryError(f"$filter: property {name!r} does not exist")
        kind, op = self.take()
        if op not in COMPARISONS:
            raise QueryError(f"$filter: operator {op!r} is not supported")
        value = self.literal()
        compare = COMPARISONS[op]
        return lambda row: bool(compare(row.get(name), value))

    def literal(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "typed":
            prefix, _, rest = text.partition("'")
            return _millis(rest[:-1]) if prefix.startswith("datetime") else rest[:-1]
        if kind == "number":
            try:
                return Decimal(text.rstrip("mMdDlL"))
            except InvalidOperation as exc:
                raise QueryError(f"$filter: bad number {text!r}") from exc
        if kind == "name" and text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        raise QueryError(f"$filter: expected a value, got {text!r}")


def parse_filter(text: str | None, fields: set[str]) -> Predicate:
    if not text:
        return lambda _row: True
    return _Parser(text, fields).parse()


def order_rows(rows: list[Row], orderby: str | None, fields: set[str]) -> list[Row]:
    if not orderby:
        return rows
    for part in reversed([p.strip() for p in orderby.split(",") if p.strip()]):
        name, _, direction = part.partition(" ")
        if name not in fields or direction.strip() not in ("", "asc", "desc"):
            raise QueryError(f"$orderby: cannot order by {part!r}")
        rows = sorted(rows, key=_sort_key(name), reverse=direction.strip() == "desc")
    return rows


def _sort_key(name: str) -> Callable[[Row], tuple[bool, Any]]:
    def key(row: Row) -> tuple[bool, Any]:
        value = row.get(name)
        return (value is not None, "" if value is None else value)

    return key


def whole(value: str | None, option: str, default: int | None) -> int | None:
    if value is None:
        return default
    if not value.isdigit():
        raise QueryError(f"{option} must be a whole number >= 0, got {value!r}")
    return int(value)
