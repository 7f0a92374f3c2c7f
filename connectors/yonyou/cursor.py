"""The U8 connector's pull cursor: what the previous page delivered, so that the
next pull can acknowledge it.

The sync engine stores a page's cursor in the same transaction that applies the
page, and hands it back on the next pull: seeing it again means the page is
applied. So the cursor names the claimed batch (finished then, status 2) and
the write-back rows delivered (``hub_seen_at`` set then). A page the hub never
applied is never acknowledged: its claimed rows come back after the lease, its
write-backs at once.

    b=<batch_id>;o=<ids of dms_out_sales_order>;c=<ids of dms_out_order_cancel>
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dms_domain.errors import PermanentError

EMPTY = "-"
_PART = re.compile(r"^(b=[0-9a-f-]{36}|[oc]=\d+(,\d+)*)$")


@dataclass(frozen=True)
class Cursor:
    batch_id: str | None = None
    orders: tuple[int, ...] = field(default_factory=tuple)
    cancels: tuple[int, ...] = field(default_factory=tuple)

    def dump(self) -> str:
        parts = []
        if self.batch_id:
            parts.append(f"b={self.batch_id}")
        if self.orders:
            parts.append("o=" + ",".join(map(str, self.orders)))
        if self.cancels:
            parts.append("c=" + ",".join(map(str, self.cancels)))
        return ";".join(parts) or EMPTY

    @classmethod
    def parse(cls, text: str | None, who: str) -> Cursor:
        if text is None or text == EMPTY:
            return cls()
        parts = text.split(";")
        if not all(_PART.match(part) for part in parts):
            raise PermanentError(
                f"{who}: cursor {text[:80]!r} is not one this connector gave", code="bad_cursor"
            )
        found = {part[0]: part[2:] for part in parts}
        return cls(
            batch_id=found.get("b"),
            orders=tuple(int(i) for i in found["o"].split(",")) if "o" in found else (),
            cancels=tuple(int(i) for i in found["c"].split(",")) if "c" in found else (),
        )
