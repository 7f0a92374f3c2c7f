"""Credit figures of a dealer: exposure against its credit limit.

Exposure = open receivables + the not-yet-invoiced part of open orders
(api-contract.md). Neither receivables nor orders exist yet in this schema, so
exposure is zero until the ordering migration adds them; this function is the
one place that will sum them.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection


def exposure_of(conn: Connection, dealer_code: str) -> Decimal:
    del conn, dealer_code  # no ledger tables yet: see the module docstring
    return Decimal("0.00")
