"""The SAP system's books, in memory: customers, materials, sales orders,
stock lines and billing documents, shared by its SOAP and OData faces.

One lock guards everything. Sales documents are numbered as SAP numbers them
(shown here without leading zeros, SAP's external form). The customer PO
number is checked for duplicates per sold-to party and the check is an error,
as a system feeding the hub must be configured (docs/connectors/sap.md): of
two creates carrying one hub order, the second is refused.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

DEMO_CUSTOMERS = {"C-10001": "上海东方汽配", "C-10002": "北京华北汽配"}
DEMO_MATERIALS = {"M-0001": "机油 5W-30 4L", "M-0002": "机滤", "M-0101": "赠品 雨刮"}
UNRESTRICTED = "01"  # InventoryStockType of unrestricted-use stock
FIRST_ORDER = 10_000_001
FIRST_BILLING = 90_000_001


class SapRefusal(Exception):
    """A business error message of SAP: message class, number, text (BAPIRET2 type E)."""

    def __init__(self, klass: str, number: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{klass}/{number}: {message}" if number else f"{klass}: {message}")
        self.klass = klass
        self.number = number
        self.message = message
        self.status = status

    @property
    def code(self) -> str:
        return f"{self.klass}/{self.number}" if self.number else self.klass


def refusal_for(code: str, message: str) -> SapRefusal:
    """``V1/302`` -> class V1, number 302; a code without a number keeps it whole."""
    klass, _, number = code.partition("/")
    return SapRefusal(klass, number, message)


@dataclass(slots=True)
class Item:
    number: int  # 10, 20, ...
    material: str
    plant: str
    quantity: Decimal
    unit: str
    price: Decimal
    category: str
    rejection: str = ""  # reason for rejection: set when the item is cancelled
    delivered: Decimal = Decimal(0)


@dataclass(slots=True)
class Order:
    number: str
    order_type: str
    sales_org: str
    distr_chan: str
    division: str
    sold_to: str
    ship_to: str
    purch_no: str
    purch_no_s: str
    currency: str
    created_ms: int
    changed_ms: int
    items: list[Item]

    @property
    def net(self) -> Decimal:
        return sum((i.quantity * i.price for i in self.items), Decimal(0)).quantize(Decimal("0.01"))

    @property
    def rejected(self) -> bool:
        return all(item.rejection for item in self.items)

    @property
    def delivered(self) -> bool:
        return any(item.delivered for item in self.items)


@dataclass(slots=True)
class StockLine:
    material: str
    plant: str
    storage_location: str
    batch: str
    stock_type: str
    quantity: Decimal
    unit: str = "EA"


@dataclass(slots=True)
class BillingDocument:
    number: str
    sold_to: str
    order: str
    date_ms: int  # midnight UTC of the billing date
    changed_ms: int
    net: Decimal
    tax: Decimal
    currency: str
    gross_text: str | None = None  # set to write a gross amount as SAP never would


@dataclass(slots=True)
class ItemIn:
    number: int
    material: str
    plant: str
    quantity: Decimal
    unit: str
    category: str = "TAN"
    price: Decimal | None = None


@dataclass(slots=True)
class OrderIn:
    """A sales order to create, as either face read it."""

    order_type: str
    sales_org: str
    distr_chan: str
    division: str
    sold_to: str
    ship_to: str
    purch_no: str
    purch_no_s: str
    currency: str
    items: list[ItemIn] = field(default_factory=list)


class SapSystem:
    TAX_RATE = Decimal("0.13")

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.customers = dict(DEMO_CUSTOMERS)
            self.materials = dict(DEMO_MATERIALS)
            self.orders: dict[str, Order] = {}
            self.stock: dict[tuple[str, str, str, str, str], StockLine] = {}
            self.billing: dict[str, BillingDocument] = {}
            self._order_numbers = itertools.count(FIRST_ORDER)
            self._billing_numbers = itertools.count(FIRST_BILLING)
            self._last_ms = 0
            self._reject_next: SapRefusal | None = None

    def now_ms(self) -> int:
        """The system's clock in ms, strictly increasing, so change times order changes."""
        with self.lock:
            self._last_ms = max(self._last_ms + 1, time.time_ns() // 1_000_000)
            return self._last_ms

    def reject_next(self, code: str, message: str) -> None:
        with self.lock:
            self._reject_next = refusal_for(code, message)

    # -- sales orders ------------------------------------------------------------------

    def create_order(self, order: OrderIn) -> Order:
        with self.lock:
            self._check(order)
            now = self.now_ms()
            number = str(next(self._order_numbers))
            items = [
                Item(
                    i.number,
                    i.material,
                    i.plant,
                    i.quantity,
                    i.unit,
                    i.price if i.price is not None else Decimal(0),
                    i.category,
                )
                for i in order.items
            ]
            created = Order(
                number,
                order.order_type,
                order.sales_org,
                order.distr_chan,
                order.division,
                order.sold_to,
                order.ship_to or order.sold_to,
                order.purch_no,
                order.purch_no_s,
                order.currency,
                now,
                now,
                items,
            )
            self.orders[number] = created
            return created

    def _check(self, order: OrderIn) -> None:
        if order.sold_to not in self.customers:
            raise SapRefusal("V1", "302", f"Sold-to party {order.sold_to} is not defined")
        if not order.items:
            raise SapRefusal("V1", "761", "No items were entered")
        for item in order.items:
            if item.material not in self.materials:
                raise SapRefusal("V1", "399", f"Material {item.material} is not defined")
            if item.quantity <= 0:
                raise SapRefusal("V1", "360", f"Item {item.number}: enter a quantity above 0")
        existing = self.find(order.purch_no, order.sold_to)
        if existing:
            raise SapRefusal(
                "V4", "115", f"Purchase order number already exists in document {existing[0]}"
            )
        if self._reject_next is not None:
            refusal, self._reject_next = self._reject_next, None
            raise refusal

    def find(self, purch_no: str, sold_to: str | None = None) -> list[str]:
        with self.lock:
            return [
                o.number
                for o in self.orders.values()
                if o.purch_no == purch_no and sold_to in (None, "", o.sold_to)
            ]

    def order(self, number: str) -> Order:
        with self.lock:
            found = self.orders.get(number.lstrip("0"))
            if found is None:
                raise SapRefusal("V1", "302", f"SD document {number} is not in the database")
            return found

    def reject_items(self, number: str, reasons: Mapping[int, str]) -> Order:
        """Set reasons for rejection (the way SAP cancels order items)."""
        with self.lock:
            order = self.order(number)
            by_number = {item.number: item for item in order.items}
            for item_no, reason in reasons.items():
                item = by_number.get(item_no)
                if item is None:
                    raise SapRefusal("V1", "331", f"Item {item_no:06d} does not exist")
                if item.delivered and reason:
                    raise SapRefusal(
                        "V1", "081", f"Item {item_no:06d} has been delivered: it cannot be rejected"
                    )
            for item_no, reason in reasons.items():
                by_number[item_no].rejection = reason
            order.changed_ms = self.now_ms()
            return order

    def deliver(self, purch_no: str) -> str:
        """Deliver every open item of the order carrying this customer PO; the delivery."""
        with self.lock:
            [number] = self.find(purch_no)
            order = self.orders[number]
            for item in order.items:
                if not item.rejection:
                    item.delivered = item.quantity
            order.changed_ms = self.now_ms()
            return f"8{number[1:]}"

    def bill(self, purch_no: str, *, gross_text: str | None = None) -> BillingDocument:
        with self.lock:
            [number] = self.find(purch_no)
            order = self.orders[number]
            net = order.net
            tax = (net * self.TAX_RATE).quantize(Decimal("0.01"))
            now = self.now_ms()
            return self.add_billing(
                order.sold_to, number, net, tax, order.currency, now, gross_text
            )

    def add_billing(
        self,
        sold_to: str,
        order: str,
        net: Decimal,
        tax: Decimal,
        currency: str,
        now: int,
        gross_text: str | None = None,
    ) -> BillingDocument:
        with self.lock:
            number = str(next(self._billing_numbers))
            day = now - now % 86_400_000
            document = BillingDocument(
                number, sold_to, order, day, now, net, tax, currency, gross_text
            )
            self.billing[number] = document
            return document

    # -- stock ---------------------------------------------------------------------------

    def set_stock(
        self, plant: str, material: str, quantity: Decimal, *, storage_location: str = "0001"
    ) -> None:
        with self.lock:
            key = (material, plant, storage_location, "", UNRESTRICTED)
            self.stock[key] = StockLine(
                material, plant, storage_location, "", UNRESTRICTED, quantity
            )
