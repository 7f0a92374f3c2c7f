"""Keyset pagination behind the contract's opaque ``cursor`` / ``next_cursor``."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Connection, Select, and_, or_

from dms_domain.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    # Datetimes and dates are tagged so they come back as such, not as strings.
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, dict) and set(value) == {"d"}:
        return date.fromisoformat(value["d"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad_cursor(cursor) from exc
    if not isinstance(values, list) or len(values) != width:
        raise _bad_cursor(cursor)
    try:
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError) as exc:
        raise _bad_cursor(cursor) from exc


def _bad_cursor(cursor: str) -> InvalidInput:
    return InvalidInput.field("cursor", f"{cursor!r} is not a cursor this server issued")


def _after(keys: Sequence[Column[Any]], values: Sequence[Any], descending: bool) -> Any:
    # (a, b) > (x, y)  ==  a > x OR (a = x AND b > y), written out so every
    # dialect can use the index.
    clauses = []
    for i, column in enumerate(keys):
        equal = [keys[j] == values[j] for j in range(i)]
        beyond = column < values[i] if descending else column > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def keyset_page(
    conn: Connection,
    query: Select[Any],
    keys: Sequence[Column[Any]],
    cursor: str | None,
    limit: int,
    *,
    descending: bool = False,
) -> Page[dict[str, Any]]:
    if cursor:
        query = query.where(_after(keys, decode_cursor(cursor, len(keys)), descending))
    order = [k.desc() if descending else k.asc() for k in keys]
    rows = [dict(r._mapping) for r in conn.execute(query.order_by(*order).limit(limit + 1))]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1][k.key] for k in keys])
    return Page(rows, next_cursor)
