"""Purchase drop: a dealer buying much less than it used to, month after month.

The rule (defaults 50 %, 3 months, a 6-month baseline): each of the last
``months`` complete months has purchases at most ``(100 - drop_percent) %`` of
the baseline, the average of the ``baseline_months`` complete months before the
streak. The baseline is fixed before the streak on purpose: a rolling average
would sink with the drop itself and let a dealer that halved its purchases
escape the rule after one month. A dealer without purchases in the baseline
has nothing to drop from.

"Falls by at least X %" includes X itself: 100 -> 50 is a 50 % drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class DropFinding:
    baseline: Decimal  # average monthly purchases before the streak
    streak: tuple[Decimal, ...]  # the months that dropped, oldest first
    worst_drop_percent: Decimal  # the smallest drop of the streak (what made it)


def drops(month: Decimal, baseline: Decimal, drop_percent: Decimal) -> bool:
    """True when ``month`` is at least ``drop_percent`` below ``baseline`` (> 0)."""
    # month <= baseline * (1 - p/100), multiplied out to stay exact.
    return month * HUNDRED <= baseline * (HUNDRED - drop_percent)


def purchase_drop(
    monthly: Sequence[Decimal], *, drop_percent: Decimal, months: int, baseline_months: int
) -> DropFinding | None:
    """``monthly``: purchases of the last ``baseline_months + months`` complete
    months, oldest first (missing months are zeros). The finding, or None."""
    if len(monthly) != baseline_months + months:
        raise ValueError(f"expected {baseline_months + months} months, got {len(monthly)}")
    base, streak = monthly[:baseline_months], monthly[baseline_months:]
    total = sum(base, Decimal(0))
    if total <= 0:
        return None
    baseline = total / baseline_months
    if not all(drops(m, baseline, drop_percent) for m in streak):
        return None
    least = min((baseline - m) * HUNDRED / baseline for m in streak)
    return DropFinding(baseline, tuple(streak), least.quantize(Decimal("0.01")))
