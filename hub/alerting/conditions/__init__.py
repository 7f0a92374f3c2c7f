"""What holds now, one module per alert kind; each is one or two SQL queries
over the whole data set (set operations, no per-row round trips)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from hub.alerting.lifecycle import Condition

Thresholds = Mapping[str, int | Decimal]


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule needs besides its thresholds."""

    now: datetime
    tz: ZoneInfo


Finder = Callable[[Connection, Thresholds, Context], list[Condition]]
