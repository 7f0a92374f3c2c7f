"""What the Kingdee connector pulls through ExecuteBillQuery: one ``QueryFeed``
per form, and how a page of it is read.

A feed reads a form's audited records in the order of a change time and the
record's id (``FApproveDate``/``FModifyDate``/``FUpdateTime``, ``FID``); the
last (time, id) read is the cursor, so a record changed later comes again,
with its new time as a newer version. A page is two queries: the next
``page_size`` headers after the cursor, then every entry row of those
records (``FID IN (...)``, paged by StartRow/Limit), so a record's entries
are never split across pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from connectors.mapping import CrossReference, Mapping, MappingFailure
from connectors.records import Origin
from dms_domain.errors import ConfigurationError, PermanentError
from dms_domain.exchange import Rejected, Versioned

T = TypeVar("T", bound=Versioned)
Raw = dict[str, Any]
START = "start"  # the cursor of a feed read from its beginning
ENTRIES = "entries"


@dataclass(frozen=True)
class QueryFeed(Generic[T]):
    entity: str  # as in the mapping file; names the entity of rejected records
    form: str
    stamp_key: str
    id_key: str
    header_keys: tuple[str, ...]
    mapping: Mapping
    key_of: Callable[[Raw], str | None]
    build: Callable[[Origin, Raw], T]
    entry_keys: tuple[str, ...] = ()  # the first is the entry's id
    condition: str = "FDocumentStatus = 'C'"
    numeric_id: bool = True

    @property
    def head_keys(self) -> tuple[str, ...]:
        return (self.id_key, self.stamp_key, *self.header_keys)

    def literal(self, value: Any) -> str:
        if self.numeric_id and isinstance(value, int):
            return str(value)
        return "'" + str(value).replace("'", "''") + "'"

    def after(self, cursor: str | None) -> str:
        """The filter of what comes after ``cursor``."""
        parts = [self.condition] if self.condition else []
        mark = parse_cursor(cursor, self)
        if mark is not None:
            stamp, ident = mark
            s, i = self.stamp_key, self.id_key
            quoted = "'" + stamp.replace("'", "''") + "'"
            parts.append(f"({s} > {quoted} OR ({s} = {quoted} AND {i} > {self.literal(ident)}))")
        return " AND ".join(parts)

    def read(self, record: Raw, *, source: str, xref: CrossReference) -> T | Rejected:
        stamp = record.get(self.stamp_key)
        key = self.key_of(record)
        if key is None or not isinstance(stamp, str) or not stamp:
            what = "key" if key is None else self.stamp_key
            fallback = key or str(record.get(self.id_key, "?"))
            return Rejected(source, self.entity, fallback, f"the record has no {what}", record)
        try:
            mapped = self.mapping.apply(record, xref)
        except MappingFailure as failure:
            reason = "; ".join(str(issue) for issue in failure.issues)
            return Rejected(source, self.entity, key, reason, record)
        try:
            return self.build(Origin(source, key, stamp), mapped)
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigurationError(
                f"{self.mapping.path} does not give a canonical {self.entity}: {exc!r}"
            ) from exc


def cursor_of(stamp: str, ident: Any) -> str:
    return f"{stamp}|{ident}"


def parse_cursor(cursor: str | None, feed: QueryFeed[Any]) -> tuple[str, Any] | None:
    if cursor is None or cursor == START:
        return None
    stamp, sep, ident = cursor.rpartition("|")
    if not sep or not stamp or not ident or (feed.numeric_id and not ident.isdigit()):
        raise PermanentError(f"cursor {cursor!r} is not one this connector gave", code="bad_cursor")
    return stamp, int(ident) if feed.numeric_id else ident


def text_of(record: Raw, key: str) -> str | None:
    value = record.get(key)
    return value.strip() or None if isinstance(value, str) else None


def first_entry_text(record: Raw, key: str) -> str | None:
    entries = record.get(ENTRIES)
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return text_of(entries[0], key)
    return None


# -- canonical records from mapped ones (the others are the generic connector's) ------
