"""Driving the simulator from a test: faults, refusals, and what the ERP's own
users do (deliveries, receivables, receipts, stock changes). Fits
``connectors.testing.ErpControl``: orders are named by the hub's order number,
which the connector saves as ``FBillNo``."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal

from simulators.kingdee.auth import Gate
from simulators.kingdee.books import Books
from simulators.kingdee.faults import FaultPlan

STOCK_KEY_SEPARATOR = "/"  # a stock line's key: STOCK/MATERIAL, as K3 numbers them


def stock_key(stock: str, material: str) -> str:
    return f"{stock}{STOCK_KEY_SEPARATOR}{material}"


class SimulatorControl:
    def __init__(self, books: Books, gate: Gate, faults: FaultPlan) -> None:
        self.books = books
        self.gate = gate
        self.faults = faults
        self._bad = itertools.count(1)

    def inject_fault(self, fault: str, times: int = 1) -> None:
        self.faults.arm(fault, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def reject_next_order(self, code: str, message: str) -> None:
        """The next Save is refused: ``Errors[0]`` names ``code`` as its field."""
        self.books.reject_next(code, message)

    def settle(self) -> None:
        """K3 answers every operation at once: nothing is left to finish."""

    def set_manual_numbers(self, allowed: bool) -> None:
        """Whether Save keeps the caller's FBillNo (K3's coding rule for sales orders)."""
        self.books.manual_numbers = allowed

    def reset(self) -> None:
        self.faults.clear()
        self.books.reset()
        self.gate.expire_sessions()

    def expire_sessions(self) -> None:
        self.gate.expire_sessions()

    def documents(self, order_no: str) -> list[str]:
        with self.books.lock:
            return [o.bill_no for o in self.books.orders.values() if o.bill_no == order_no]

    def status(self, order_no: str) -> str | None:
        with self.books.lock:
            order = self.books.orders.get(order_no)
            return None if order is None else order.status

    def ship(self, order_no: str, lines: Mapping[int, int] | None = None) -> str:
        return self.books.ship(order_no, lines)

    def invoice(self, order_no: str) -> str:
        return self.books.invoice(order_no)

    def receive(self, customer: str, amount: Decimal) -> str:
        return self.books.receive(customer, amount)

    def set_stock(self, warehouse: str, material: str, qty: int | Decimal) -> str:
        self.books.set_stock(warehouse, material, Decimal(qty))
        return stock_key(warehouse, material)

    def add_customer(self, code: str, name: str) -> None:
        self.books.add_customer(code, name)

    def add_material(self, code: str, name: str) -> None:
        self.books.add_material(code, name)

    def add_unmappable(self, feed: str) -> str:
        """A record of that feed (a Capability value) the mapping files cannot read."""
        n = next(self._bad)
        if feed == "stock":  # half a piece: the hub counts whole units
            return self.set_stock(f"CK-BAD-{n}", "MAT0001", Decimal("0.5"))
        if feed == "shipments":
            return self.books.add_bill(
                "SAL_OUTSTOCK",
                {"FDate": "2026-01-06T00:00:00", "FCustomerID.FNumber": "CUST0001"},
                [
                    {
                        "FMaterialID.FNumber": "MAT0001",
                        "FRealQty": Decimal("1.5"),
                        "FStockID.FNumber": "CK001",
                        "FSoorDerno": f"UNMAPPABLE-{n}",
                        "FSrcBillNo": f"UNMAPPABLE-{n}",
                    }
                ],
            )
        if feed in ("invoices", "payments"):
            form = "AR_receivable" if feed == "invoices" else "AR_RECEIVEBILL"
            header = {
                "FDATE": "2026-01-06T00:00:00",
                "FENDDATE_H": "2026-02-06T00:00:00",
                "FCUSTOMERID.FNumber": "CUST0001",
                "FCONTACTUNIT.FNumber": "CUST0001",
                "FALLAMOUNTFOR": Decimal("100.00"),
                "FRECEIVEAMOUNTFOR": Decimal("100.00"),
                "FCURRENCYID.FNumber": "PRE999",  # a currency the mapping does not know
            }
            entries = [{"FORDERNUMBER": f"UNMAPPABLE-{n}", "FTAXAMOUNTFOR": Decimal("11.50")}]
            return self.books.add_bill(form, header, entries if feed == "invoices" else None)
        raise ValueError(f"the Kingdee simulator has no feed {feed!r}")
