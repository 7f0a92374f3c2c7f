"""Cross-region sales (diversion, 窜货): units sold outside the dealer's regions.

Sell-out reports name the buyer's region, or a geo point the hub places in a
region by the areas configured for regions (``region_of``). The share is over
the units whose region is known; units that could not be placed are shown in
the evidence but do not count either way (the hub cannot say they were
diverted). The alert fires when the share EXCEEDS the contract's share: at
exactly 10 % the dealer is within its contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Area:
    """A region's box on the map (degrees). A region may have several."""

    region: str
    min_lat: Decimal
    max_lat: Decimal
    min_lon: Decimal
    max_lon: Decimal

    def contains(self, lat: Decimal, lon: Decimal) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    @property
    def size(self) -> Decimal:
        return (self.max_lat - self.min_lat) * (self.max_lon - self.min_lon)


def region_of(lat: Decimal, lon: Decimal, areas: Iterable[Area]) -> str | None:
    """The region of a point: the smallest area containing it (a city inside its
    province wins), ties by region name so the answer never depends on order."""
    found = [a for a in areas if a.contains(lat, lon)]
    if not found:
        return None
    return min(found, key=lambda a: (a.size, a.region)).region


def outside_share_percent(inside: int, outside: int) -> Decimal | None:
    """Percent of located units sold outside; None when nothing was located."""
    total = inside + outside
    if total <= 0:
        return None
    return (Decimal(outside) * HUNDRED / Decimal(total)).quantize(Decimal("0.01"))


def is_diversion(inside: int, outside: int, max_outside_percent: Decimal) -> bool:
    """True when the outside share exceeds the allowed share (exactly equal is allowed)."""
    total = inside + outside
    # outside / total > p / 100, multiplied out to stay exact.
    return total > 0 and Decimal(outside) * HUNDRED > max_outside_percent * total
