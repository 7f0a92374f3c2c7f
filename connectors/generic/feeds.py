"""What the generic connector pulls: one ``Feed`` per kind of record.

A feed is an ERP path, the mapping file that turns one of its records into a
canonical one, and where the record keeps its key and its place in the feed
(``seq`` in logs, ``version`` for stock lines). The place is also the
record's version and, for the last record read, the cursor to go on from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from connectors.mapping import CrossReference, Mapping, MappingFailure
from connectors.records import Origin
from dms_domain.errors import ConfigurationError, TransientError
from dms_domain.exchange import (
    Rejected,
    Versioned,
)

T = TypeVar("T", bound=Versioned)
Raw = dict[str, Any]


def text_at(record: Raw, *path: str) -> str | None:
    value: Any = record
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def _position(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class Feed(Generic[T]):
    entity: str  # as in the mapping file; names the entity of rejected records
    path: str
    mapping: Mapping
    position_field: str
    key_of: Callable[[Raw], str | None]
    build: Callable[[Origin, Raw], T]

    def read(self, raw: Any, *, source: str, xref: CrossReference) -> T | Rejected:
        record: Raw = raw if isinstance(raw, dict) else {}
        position = _position(record.get(self.position_field))
        key = self.key_of(record)
        if key is None or position is None:
            what = "key" if key is None else f"{self.position_field} (a whole number > 0)"
            fallback = key or (f"#{position}" if position else "?")
            return Rejected(source, self.entity, fallback, f"the record has no {what}", raw)
        try:
            mapped = self.mapping.apply(record, xref)
        except MappingFailure as failure:
            reason = "; ".join(str(issue) for issue in failure.issues)
            return Rejected(source, self.entity, key, reason, raw)
        try:
            return self.build(Origin(source, key, str(position)), mapped)
        except (KeyError, ValueError, TypeError) as exc:
            # Every record would fail the same way: the file, not the data, is wrong.
            raise ConfigurationError(
                f"{self.mapping.path} does not give a canonical {self.entity}: {exc!r}"
            ) from exc


@dataclass(frozen=True, slots=True)
class RawPage:
    items: list[Any]
    last: int
    more: bool


def read_page(answer: Any, after: int, where: str) -> RawPage:
    """``{"items": [...], "last": N, "hasMore": bool}``; anything else is a broken answer."""
    items = answer.get("items") if isinstance(answer, dict) else None
    last = answer.get("last") if isinstance(answer, dict) else None
    more = answer.get("hasMore") if isinstance(answer, dict) else None
    if (
        not isinstance(items, list)
        or not isinstance(last, int)
        or isinstance(last, bool)
        or not isinstance(more, bool)
    ):
        raise TransientError(f"{where}: the answer is not a page of records: {str(answer)[:200]}")
    if last < after:
        raise TransientError(f"{where}: the ERP answered a position ({last}) before {after}")
    return RawPage(items, last, more)


def stock_key(record: Raw) -> str | None:
    """A stock line's key in the ERP: WAREHOUSE/MATERIAL, as the ERP writes them."""
    warehouse, material = text_at(record, "warehouse", "code"), text_at(record, "item", "code")
    return None if warehouse is None or material is None else f"{warehouse}/{material}"
