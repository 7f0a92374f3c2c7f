"""Strict reading of request bodies: anything that is not exactly what the ERP
takes is a ``RequestInvalid`` (answered 400), never a crash.

Like a real ERP's API layer, this checks the shape only; whether the customer
or a material exists is business validation (state.py, answered 422).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MAX_TEXT = 200


class RequestInvalid(ValueError):
    """The request body cannot be read; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_json(body: bytes) -> Any:
    """JSON as a careful server reads it: UTF-8, exact decimals, no NaN, no repeated keys."""

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"key {key!r} appears twice")
            result[key] = value
        return result

    try:
        text = body.decode("utf-8")
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=refuse_constant,
            object_pairs_hook=unique_keys,
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RequestInvalid([f"the body is not valid JSON: {exc}"]) from exc


class _Reader:
    """Reads typed fields out of one JSON object, collecting every problem."""

    def __init__(self, data: Any, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            problems.append(f"{where or 'the body'} must be a JSON object")

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            self.problems.append(f"{self._name(key)} must be text of 1 to {MAX_TEXT} characters")
            return None
        return value

    def whole(self, key: str, *, minimum: int) -> int | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problems.append(f"{self._name(key)} must be a whole number >= {minimum}")
            return None
        return value

    def number(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problems.append(f"{self._name(key)} must be a number")
            return None
        number = Decimal(value)
        if not number.is_finite() or number < 0:
            self.problems.append(f"{self._name(key)} must be a number >= 0")
            return None
        return number

    def child(self, key: str) -> _Reader:
        return _Reader(self.data.get(key), self._name(key), self.problems)


@dataclass(frozen=True, slots=True)
class LineRequest:
    line_no: int
    material: str
    sku: str | None
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OrderRequest:
    external_ref: str
    customer: str
    warehouse: str
    currency: str
    gross: Decimal
    tax: Decimal
    lines: tuple[LineRequest, ...]
    note: str | None = None


def order_request(data: Any) -> OrderRequest:
    """The body of ``POST /orders`` (what mappings/generic/sales_order.out.yaml writes)."""
    problems: list[str] = []
    body = _Reader(data, "", problems)
    external_ref = body.text("externalRef")
    customer = body.child("customer").text("code")
    warehouse = body.text("warehouse")
    currency = body.text("currency", required=False) or "CNY"
    note = body.text("note", required=False)
    totals = body.child("totals")
    gross, tax = totals.number("gross"), totals.number("tax")
    raw_lines = body.data.get("lines")
    lines: list[LineRequest] = []
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.append("lines must be a non-empty list")
        raw_lines = []
    seen: set[int] = set()
    for position, raw in enumerate(raw_lines):
        item = _Reader(raw, f"lines[{position}]", problems)
        line_no = item.whole("lineNo", minimum=1)
        material = item.text("materialCode")
        sku = item.text("sku", required=False)
        quantity = item.whole("quantity", minimum=1)
        unit_price, amount = item.number("unitPrice"), item.number("amount")
        if line_no is not None and line_no in seen:
            problems.append(f"lines[{position}].lineNo {line_no} is used twice")
        if line_no is not None:
            seen.add(line_no)
        if (
            line_no is not None
            and material is not None
            and quantity is not None
            and unit_price is not None
            and amount is not None
        ):
            lines.append(LineRequest(line_no, material, sku, quantity, unit_price, amount))
    if (
        problems
        or external_ref is None
        or customer is None
        or warehouse is None
        or gross is None
        or tax is None
    ):
        raise RequestInvalid(problems)
    return OrderRequest(
        external_ref=external_ref,
        customer=customer,
        warehouse=warehouse,
        currency=currency,
        gross=gross,
        tax=tax,
        lines=tuple(lines),
        note=note,
    )


def cancel_request(data: Any) -> str | None:
    """The body of ``POST /orders/{doc}/cancel``: ``{"reason": "..."}``, or empty."""
    if data is None:
        return None
    problems: list[str] = []
    reason = _Reader(data, "", problems).text("reason", required=False)
    if problems:
        raise RequestInvalid(problems)
    return reason
