"""ExecuteBillQuery: ``FieldKeys``, ``FilterString`` (SQL-like text, or the list
form), ``OrderString``, ``StartRow``/``Limit``/``TopRowCount`` over a form's rows.

The filter grammar is the part of K3's that integrators use:
``field op value`` with ``= <> != > >= < <= LIKE``, ``field IN (v, ...)``,
``IS NULL``/``IS NOT NULL``, ``AND``/``OR``/``NOT`` and parentheses; values are
numbers or 'quoted text' ('' for a quote). Field keys are case-insensitive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from simulators.kingdee.answers import K3Error, MsgCode

Row = dict[str, Any]
Predicate = Callable[[Row], bool]
MAX_LIMIT = 10_000

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><>|!=|>=|<=|=|>|<)"
    r"|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_KEYWORDS = {"AND", "OR", "NOT", "IN", "LIKE", "IS", "NULL"}


def bad(message: str) -> K3Error:
    return K3Error.one(MsgCode.BAD_PARAMETER, message)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise bad(f"过滤条件无法解析：“{text[pos : pos + 20]}”")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "word" and value.upper() in _KEYWORDS:
            kind, value = "kw", value.upper()
        found.append((kind, value))
        pos = match.end()
    return found


def _value(kind: str, text: str) -> Any:
    if kind == "str":
        return text[1:-1].replace("''", "'")
    return Decimal(text)


def _get(row: Row, key: str) -> Any:
    lower = key.lower()
    for name, value in row.items():
        if name.lower() == lower:
            return value
    raise K3Error.one(MsgCode.FIELD_NOT_FOUND, f"字段“{key}”不存在")


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    if left is None:
        return None
    if isinstance(right, Decimal):
        if isinstance(left, bool):
            left = int(left)
        try:
            return Decimal(str(left)), right
        except InvalidOperation:
            return None
    return str(left), right


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (value and token[1] != value):
            raise bad(f"过滤条件在第{self.pos + 1}个词处不完整或有误")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.either()
        if self.peek() is not None:
            raise bad(f"过滤条件多余的内容：“{self.peek()}”")
        return predicate

    def either(self) -> Predicate:
        parts = [self.both()]
        while self.peek() == ("kw", "OR"):
            self.take()
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else lambda row: any(p(row) for p in parts)

    def both(self) -> Predicate:
        parts = [self.unary()]
        while self.peek() == ("kw", "AND"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else lambda row: all(p(row) for p in parts)

    def unary(self) -> Predicate:
        if self.peek() == ("kw", "NOT"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if self.peek() == ("punct", "("):
            self.take()
            inner = self.either()
            self.take("punct", ")")
            return inner
        return self.comparison()

    def literal(self) -> Any:
        kind, text = self.take()
        if kind not in ("str", "num"):
            raise bad(f"过滤条件中“{text}”应为值")
        return _value(kind, text)

    def comparison(self) -> Predicate:
        _, key = self.take("word")
        token = self.peek()
        if token == ("kw", "IS"):
            self.take()
            negate = self.peek() == ("kw", "NOT")
            if negate:
                self.take()
            self.take("kw", "NULL")
            return lambda row: (_get(row, key) in (None, "")) != negate
        if token == ("kw", "IN"):
            self.take()
            self.take("punct", "(")
            values = [self.literal()]
            while self.peek() == ("punct", ","):
                self.take()
                values.append(self.literal())
            self.take("punct", ")")
            return lambda row: any(_holds(row, key, "=", v) for v in values)
        if token == ("kw", "LIKE"):
            self.take()
            pattern = str(self.literal())
            regex = re.compile(
                "^" + ".*".join(re.escape(part) for part in pattern.split("%")) + "$", re.DOTALL
            )
            return lambda row: regex.match(str(_get(row, key) or "")) is not None
        _, op = self.take("op")
        value = self.literal()
        return lambda row: _holds(row, key, op, value)


def _holds(row: Row, key: str, op: str, value: Any) -> bool:
    pair = _comparable(_get(row, key), value)
    return pair is not None and _COMPARE[op](*pair)


def _list_filter_text(items: list[Any]) -> str:
    """The list form [{Left, FieldName, Compare, Value, Right, Logic}] as filter text."""
    parts = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad("FilterString 列表的每一项都必须是对象")
        value = str(item.get("Value", ""))
        literal = (
            value if re.fullmatch(r"-?\d+(\.\d+)?", value) else "'" + value.replace("'", "''") + "'"
        )
        logic = str(item.get("Logic", "AND")).upper()
        logic = {"0": "AND", "1": "OR"}.get(logic, logic)
        if n:
            parts.append(logic)
        parts.append(
            f"{item.get('Left', '')} {item.get('FieldName')} {item.get('Compare', '=')} "
            f"{literal} {item.get('Right', '')}"
        )
    return " ".join(parts)


def predicate(filter_string: Any) -> Predicate:
    if filter_string in (None, "", []):
        return lambda row: True
    if isinstance(filter_string, list):
        filter_string = _list_filter_text(filter_string)
    if not isinstance(filter_string, str):
        raise bad("FilterString 必须是文本或条件列表")
    return _Parser(filter_string).parse()


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return (1, Decimal(value))
    return (2, str(value))


def _by(key: str) -> Callable[[Row], tuple[int, Any]]:
    return lambda row: _sort_key(_get(row, key))


def _whole(data: dict[str, Any], name: str, default: int) -> int:
    value = data.get(name, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad(f"{name} 必须是非负整数（{value!r}）")
    return value


def field_keys(data: dict[str, Any]) -> list[str]:
    keys_text = data.get("FieldKeys")
    if not isinstance(keys_text, str) or not keys_text.strip():
        raise bad("FieldKeys 是必填项")
    return [key.strip() for key in keys_text.split(",") if key.strip()]


def execute(rows: list[Row], data: dict[str, Any]) -> list[list[Any]]:
    """The rows ExecuteBillQuery answers for ``data`` (FormId already resolved)."""
    keys = field_keys(data)
    selected = [row for row in rows if predicate(data.get("FilterString"))(row)]
    order = data.get("OrderString") or ""
    if not isinstance(order, str):
        raise bad("OrderString 必须是文本")
    for part in reversed([p.split() for p in order.split(",") if p.strip()]):
        descending = len(part) > 1 and part[1].upper() == "DESC"
        selected.sort(key=_by(part[0]), reverse=descending)
    top = _whole(data, "TopRowCount", 0)
    if top:
        selected = selected[:top]
    start, limit = _whole(data, "StartRow", 0), _whole(data, "Limit", 0)
    limit = min(limit or MAX_LIMIT, MAX_LIMIT)
    selected = selected[start : start + limit]
    return [[_get(row, key) for key in keys] for row in selected]
