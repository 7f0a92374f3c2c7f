"""Calendar rules in the business time zone (api-contract.md "Conventions").

A month is a month where the business is: in Asia/Shanghai, an order placed at
2026-01-31T16:30Z belongs to February. The database stores UTC, so a month is
handed to it as the half-open UTC interval [start, end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The business day ``moment`` (aware) falls on."""
    return moment.astimezone(tz).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Midnight starting ``day`` in the business zone, as a UTC time."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def month_window(month: Month, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of ``month`` in the business zone, as UTC times."""
    return day_start(month.first_day, tz), day_start(month.shift(1).first_day, tz)


def complete_months_before(now: datetime, tz: ZoneInfo, count: int) -> list[Month]:
    """The ``count`` complete business months before the one ``now`` is in, oldest first."""
    current = Month.of(local_date(now, tz))
    return [current.shift(-i) for i in range(count, 0, -1)]


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days


def period_start(today: date, days: int) -> date:
    """The first day of the ``days``-day period ending with ``today`` (included)."""
    return today - timedelta(days=days - 1)
