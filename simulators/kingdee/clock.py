"""The simulator's clock: Beijing time, no offset, milliseconds, as K3 writes
``FModifyDate`` and the like; strictly increasing so that a (time, id)
watermark orders every change."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: datetime | None = None

    def stamp(self) -> str:
        """Now, as ``2026-01-05T10:30:00.123``; later than every stamp before."""
        with self._lock:
            now = datetime.now(BEIJING).replace(tzinfo=None)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            if self._last is not None and now <= self._last:
                now = self._last + timedelta(milliseconds=1)
            self._last = now
            return now.isoformat(timespec="milliseconds")
