"""Credit: a dealer's exposure and the check an order must pass.

exposure = open receivables + the not-yet-invoiced part of open orders
(api-contract.md "Dealer ordering"). An order is refused when
``exposure + order_total > credit_limit``; a ``credit_limit`` of None means no
limit. Gift lines never count: they are priced at 0, so an order's priced
``total`` is already what counts toward credit.

Which orders are open is the order lifecycle's business (``orders.is_open``);
the caller passes only those. ``headroom`` is ``credit_limit - exposure`` and
may be negative when a dealer is already over its limit (the contract does not
say; showing how far over is more useful than 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dms_domain.errors import Refused

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class OpenOrderAmounts:
    """An open order's total and how much of it has been invoiced so far."""

    total: Decimal
    invoiced: Decimal = _ZERO

    @property
    def uninvoiced(self) -> Decimal:
        """The part not yet invoiced (never below 0: over-invoicing is a receivable)."""
        return max(self.total - self.invoiced, _ZERO)


def credit_exposure(open_receivables: Decimal, open_orders: Iterable[OpenOrderAmounts]) -> Decimal:
    """Open receivables + the not-yet-invoiced part of every open order."""
    return open_receivables + sum((order.uninvoiced for order in open_orders), _ZERO)


def headroom(credit_limit: Decimal | None, exposure: Decimal) -> Decimal | None:
    """What is left under the limit (negative when over it); None when there is no limit."""
    return None if credit_limit is None else credit_limit - exposure


def check_credit(*, credit_limit: Decimal | None, exposure: Decimal, order_total: Decimal) -> None:
    """Raise ``Refused`` (409 ``credit_limit_exceeded``) when the order does not fit the limit.

    ``exposure`` is before this order; ``order_total`` is the priced order's total.
    """
    if credit_limit is None:
        return
    if exposure + order_total > credit_limit:
        raise Refused(
            f"order total {order_total} on top of exposure {exposure} "
            f"exceeds the credit limit {credit_limit}",
            code="credit_limit_exceeded",
            status=409,
            credit_limit=credit_limit,
            exposure=exposure,
            order_total=order_total,
        )
