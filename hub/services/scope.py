"""Row scopes: which dealers, warehouses and stock a principal may see.

Anything outside the scope is reported as not found (404), never forbidden, so
codes cannot be probed (api-contract.md "Auth, roles, scope").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from hub.auth.principal import Principal, Role
from hub.db.schema import dealer_regions, warehouses


def dealer_visible(principal: Principal, dealer_code_column: Any) -> ColumnElement[bool]:
    """A SQL condition: the dealer in ``dealer_code_column`` is in the principal's scope."""
    if principal.sees_everything():
        return true()
    if principal.role is Role.MANAGER:
        return exists(
            select(dealer_regions.c.dealer_code).where(
                dealer_regions.c.dealer_code == dealer_code_column,
                dealer_regions.c.region.in_(sorted(principal.regions)),
            )
        )
    if principal.role is Role.DEALER and principal.dealer_code:
        return dealer_code_column == principal.dealer_code  # type: ignore[no-any-return]
    return false()


def warehouse_visible(principal: Principal) -> ColumnElement[bool]:
    """Warehouses a principal may see.

    Managers see the hub's own warehouses in their regions, central warehouses
    (which serve every region) and the warehouses of dealers in their regions.
    Dealers see only their own warehouses; their catalog shows availability.
    """
    if principal.sees_everything():
        return true()
    if principal.role is Role.MANAGER:
        return or_(
            warehouses.c.kind == "central",
            (warehouses.c.dealer_code.is_(None))
            & warehouses.c.region.in_(sorted(principal.regions)),
            dealer_visible(principal, warehouses.c.dealer_code),
        )
    if principal.role is Role.DEALER and principal.dealer_code:
        return warehouses.c.dealer_code == principal.dealer_code
    return false()
