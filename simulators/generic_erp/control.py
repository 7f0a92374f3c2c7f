"""Driving the simulator from a test: faults, refusals, and the ERP-side events
(shipments, stock changes, invoices) a real ERP's users would cause.

``SimulatorControl`` works in the simulator's process; ``RemoteControl``
(remote.py) does the same through ``/_control/...`` from another process.
Both fit ``connectors.testing.ErpControl`` (the contract suite's port), which
names orders by the hub's order number (the ERP's ``externalRef``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal

from simulators.generic_erp.faults import FaultPlan
from simulators.generic_erp.state import GenericErp

STOCK_KEY_SEPARATOR = "/"  # the ERP's key of a stock line: WAREHOUSE/MATERIAL


def stock_key(warehouse: str, material: str) -> str:
    return f"{warehouse}{STOCK_KEY_SEPARATOR}{material}"


class SimulatorControl:
    def __init__(self, erp: GenericErp, faults: FaultPlan) -> None:
        self.erp = erp
        self.faults = faults
        self._bad = itertools.count(1)

    # -- faults and refusals -------------------------------------------------------

    def inject_fault(self, fault: str, times: int = 1) -> None:
        self.faults.arm(fault, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def reject_next_order(self, code: str, message: str) -> None:
        self.erp.reject_next(code, message)

    def reset(self) -> None:
        self.faults.clear()
        self.erp.reset()

    def set_auto_confirm(self, on: bool) -> None:
        self.erp.auto_confirm = on

    def settle(self) -> None:
        """Let the ERP finish what it does later: check received orders."""
        self.erp.process_pending()

    # -- what the ERP holds and does -------------------------------------------------

    def documents(self, order_no: str) -> list[str]:
        return [str(doc["orderNo"]) for doc in self.erp.find_orders(order_no)]

    def correlation_ids(self, order_no: str) -> list[str | None]:
        """The X-Correlation-ID each create call for this order carried."""
        return self.erp.traces(order_no)

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        return str(self.erp.ship(order_no, lines)["shipmentNo"])

    def invoice(self, order_no: str) -> str:
        return str(self.erp.invoice(order_no)["invoiceNo"])

    def set_stock(self, warehouse: str, material: str, qty: int) -> str:
        self.erp.set_stock(warehouse, material, qty)
        return stock_key(warehouse, material)

    def add_customer(self, code: str, name: str) -> None:
        self.erp.add_customer(code, name)

    def master_data(self) -> tuple[dict[str, str], dict[str, str]]:
        return self.erp.master_data()

    def add_material(self, code: str, name: str) -> None:
        self.erp.add_material(code, name)

    def add_unmappable(self, feed: str) -> str:
        """A record in that feed (a Capability value) the hub's mapping files cannot
        read, as real ERPs send now and then; returns its key in the ERP."""
        n = next(self._bad)
        now = self.erp.now_text()
        if feed == "stock":
            # Half a piece: the hub counts whole units of a product.
            return self._set_fractional_stock(f"WH-BAD-{n}", f"M-BAD-{n}")
        if feed == "order_events":
            # A status added to the ERP after the mapping file was written.
            ref = f"UNMAPPABLE-{n}"
            event = {"type": "ON_HOLD", "orderNo": f"SO-BAD-{n}", "externalRef": ref, "at": now}
            self.erp.append_raw("events", event)
            return ref
        if feed == "shipments":
            shipment_no = f"DN-BAD-{n}"
            line = {"lineNo": 1, "materialCode": "M-0001", "quantity": "1.500"}
            shipment = {
                "shipmentNo": shipment_no,
                "orderNo": f"SO-BAD-{n}",
                "externalRef": f"UNMAPPABLE-{n}",
                "warehouse": {"code": "WH-SH"},
                "shippedAt": now,
                "lines": [line],
            }
            self.erp.append_raw("shipments", shipment)
            return shipment_no
        if feed == "invoices":
            invoice_no = f"INV-BAD-{n}"
            invoice = {
                "invoiceNo": invoice_no,
                "customer": {"code": "C-10001"},
                "invoiceDate": now[:10],
                "dueDate": now[:10],
                "amount": "1,234.50",  # a formatted number where a plain one belongs
                "taxAmount": "0.00",
                "currency": "CNY",
            }
            self.erp.append_raw("invoices", invoice)
            return invoice_no
        raise ValueError(f"the generic ERP has no feed {feed!r}")

    def _set_fractional_stock(self, warehouse: str, material: str) -> str:
        self.erp.set_stock(warehouse, material, Decimal("0.5"))
        return stock_key(warehouse, material)
