"""Driving the SAP simulator from a test: faults, refusals, and what SAP's
users would do (deliver, bill, post stock). Fits ``connectors.testing.ErpControl``:
orders are named by the hub order number (the customer PO number in SAP)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping
from decimal import Decimal

from simulators.sap.faults import FaultPlan
from simulators.sap.odata import CsrfGuard
from simulators.sap.state import SapSystem


def stock_key(plant: str, material: str) -> str:
    """A stock line's key as the connector reports it: PLANT/MATERIAL."""
    return f"{plant}/{material}"


class SapControl:
    def __init__(
        self,
        system: SapSystem,
        faults: FaultPlan,
        csrf: CsrfGuard,
        traces: deque[str | None] | None = None,
    ) -> None:
        self.system = system
        self.traces: deque[str | None] = deque() if traces is None else traces
        self.faults = faults
        self.csrf = csrf
        self._bad = itertools.count(1)

    def inject_fault(self, fault: str, times: int = 1) -> None:
        self.faults.arm(fault, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def reject_next_order(self, code: str, message: str) -> None:
        """``V1/302``-style codes are message class and number; others stay whole."""
        self.system.reject_next(code, message)

    def settle(self) -> None:
        """Nothing to do: SAP checks an order when it is created."""

    def reset(self) -> None:
        self.faults.clear()
        self.system.reset()
        self.csrf.expire()

    def expire_csrf_tokens(self) -> None:
        """The sessions time out: the next change with an old token gets 403 Required."""
        self.csrf.expire()

    def correlation_ids(self) -> list[str | None]:
        """The X-Correlation-ID each call carried, oldest first."""
        return list(self.traces)

    def documents(self, order_no: str) -> list[str]:
        return self.system.find(order_no)

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        # SAP delivers whole orders here; partial deliveries are not modelled.
        return self.system.deliver(order_no)

    def invoice(self, order_no: str) -> str:
        return self.system.bill(order_no).number

    def set_stock(self, warehouse: str, material: str, qty: int) -> str:
        self.system.set_stock(warehouse, material, Decimal(qty))
        return stock_key(warehouse, material)

    def add_unmappable(self, feed: str) -> str:
        n = next(self._bad)
        if feed == "stock":
            plant, material = f"BAD{n}", f"M-BAD-{n}"
            self.system.set_stock(plant, material, Decimal("0.5"))  # half a piece
            return stock_key(plant, material)
        if feed == "invoices":
            document = self.system.add_billing(
                "C-10001",
                "",
                Decimal("1234.50"),
                Decimal("0"),
                "CNY",
                self.system.now_ms(),
                gross_text="1,234.50",  # a formatted number where a decimal belongs
            )
            return document.number
        raise ValueError(f"the SAP simulator has no feed {feed!r}")
