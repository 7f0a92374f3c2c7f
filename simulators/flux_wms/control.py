"""The warehouse's test hooks (fits ``connectors.testing.ErpControl``). Orders
are named by the client's order number (``SOREFERENCE1``); SKUs and warehouse
codes as the warehouse keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from simulators.flux_wms.faults import FaultPlan
from simulators.flux_wms.pusher import Pusher, PushLog
from simulators.flux_wms.state import Warehouse


@dataclass
class SimulatorControl:
    warehouse: Warehouse
    faults: FaultPlan
    pusher: Pusher

    def inject_fault(self, fault: str, times: int = 1) -> None:
        self.faults.arm(fault, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def reject_next_order(self, code: str, message: str) -> None:
        with self.warehouse.lock:
            self.warehouse.reject_next = (code, message)

    def settle(self) -> None:
        """Ship what is due (the ticker does it too, every few tenths of a second)."""
        self.warehouse.ship_due()

    def documents(self, order_no: str) -> list[str]:
        return self.warehouse.documents(order_no)

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        """Ship part or all that is left; the shipment's key as the connector reports it."""
        header = self.warehouse.ship(order_no, lines).header
        return f"{header['ORDERNO']}/{header['deliveryNo']}"

    def invoice(self, order_no: str) -> str:
        raise NotImplementedError("a warehouse does not invoice")

    def set_stock(self, warehouse: str, material: str, qty: int) -> str:
        return self.warehouse.set_stock(warehouse, material, qty)

    def add_unmappable(self, feed: str) -> str:
        return self.warehouse.add_unmappable(str(feed))

    # -- beyond the contract ----------------------------------------------------------

    def add_sku(self, sku: str) -> None:
        with self.warehouse.lock:
            self.warehouse.skus.add(sku)

    def set_shipping(self, after_seconds: float | None, *, split: bool = False) -> None:
        """Ship every order this long after it is allocated (None: only when told),
        in two parcels when ``split``."""
        with self.warehouse.lock:
            self.warehouse.ship_after = after_seconds
            self.warehouse.split_shipments = split

    def set_push_url(self, url: str | None) -> None:
        """Where confirmations are pushed (None: keep them for polling only)."""
        self.pusher.url = url

    def pushes(self) -> list[PushLog]:
        return list(self.pusher.log)

    def pushes_idle(self) -> bool:
        return self.pusher.idle()

    def status(self, order_no: str) -> str | None:
        order = self.warehouse.find(order_no)
        return None if order is None else order.status

    def stock(self, warehouse: str, sku: str) -> tuple[int, int]:
        """(on hand, allocated) of a stock line."""
        with self.warehouse.lock:
            line = self.warehouse.stock.get((warehouse, sku))
            return (0, 0) if line is None else (line.qty, line.allocated)
