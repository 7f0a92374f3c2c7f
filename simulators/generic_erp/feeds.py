"""What the ERP lets others pull: numbered records, read after a position.

Every feed has its own counter. A log (events, shipments, invoices) keeps
every record with its ``seq``; the stock book keeps the latest state of each
(warehouse, material) line with the ``version`` of its last change, so a pull
after version V gives every line changed since V, once, in its latest state.
Callers hold the ERP's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[Record]
    last: int  # the position of the last item given (``after`` when none)
    more: bool


class Log:
    """An append-only list of records numbered 1, 2, 3... in ``seq``."""

    def __init__(self) -> None:
        self._records: list[Record] = []

    def append(self, record: Record) -> Record:
        stored = {"seq": len(self._records) + 1, **record}
        self._records.append(stored)
        return stored

    def after(self, after: int, limit: int) -> FeedPage:
        start = max(after, 0)
        items = self._records[start : start + limit]
        last = items[-1]["seq"] if items else after
        return FeedPage(items=list(items), last=last, more=start + limit < len(self._records))


class StockBook:
    """Stock lines keyed by (warehouse, material), each with the version of its last change."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str], Record] = {}
        self._version = 0

    def put(self, key: tuple[str, str], record: Record) -> Record:
        self._version += 1
        stored = {**record, "version": self._version}
        self._lines[key] = stored
        return stored

    def after(self, after: int, limit: int) -> FeedPage:
        changed = sorted(
            (line for line in self._lines.values() if line["version"] > after),
            key=lambda line: int(line["version"]),
        )
        items = changed[:limit]
        last = items[-1]["version"] if items else after
        return FeedPage(items=items, last=last, more=len(changed) > limit)
