"""The warehouse's books, in memory: outbound orders (SO), inventory, and the
shipment confirmations it reports.

One lock guards everything. ``SOREFERENCE1`` (the client's order number) is
unique per owner (``CUSTOMERID``): a second ``putSOData`` for it is refused
with ``S006`` and names the existing ``OrderNo``, as FLUX does.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # FLUX's clock: Beijing time, no offset

CREATED, ALLOCATED, PART_SHIPPED, SHIPPED, CANCELLED = "00", "40", "70", "99", "90"
DEMO_SKUS = ("SKU-1001", "SKU-1002", "SKU-2001")
CARRIERS = (("SF", "顺丰速运"), ("ZTO", "中通快递"))

Header = dict[str, Any]


def beijing(now: datetime) -> str:
    return now.astimezone(BEIJING).strftime(TIME_FORMAT)


class WmsRefusal(Exception):
    """What the warehouse answers instead of doing it: FLUX's ``errorcode`` and text."""

    def __init__(self, code: str, message: str, order_no: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.order_no = order_no


@dataclass
class SoLine:
    line_no: int
    sku: str
    ordered: int
    shipped: int = 0


@dataclass
class OutboundOrder:
    order_no: str  # the WMS's own number
    reference: str  # SOREFERENCE1: the client's order number
    customer_id: str
    warehouse: str
    consignee_id: str
    consignee_name: str
    address: str | None
    lines: list[SoLine]
    status: str
    ship_due: datetime | None = None
    parcels: int = 0

    def result(self, code: str = "0000", text: str = "") -> dict[str, Any]:
        return {
            "OrderNo": self.order_no,
            "SOREFERENCE1": self.reference,
            "OrderType": "SO",
            "CustomerID": self.customer_id,
            "WarehouseID": self.warehouse,
            "SOSTATUS": self.status,
            "errorcode": code,
            "errordescr": text,
        }


@dataclass
class StockLine:
    customer_id: str
    warehouse: str
    sku: str
    qty: int
    allocated: int
    seq: int
    edited: str
    broken: bool = False  # reported with a quantity no mapping can read

    def row(self) -> dict[str, Any]:
        return {
            "CUSTOMERID": self.customer_id,
            "WAREHOUSEID": self.warehouse,
            "SKU": self.sku,
            "QTY": "十二" if self.broken else self.qty,
            "QTYALLOCATED": self.allocated,
            "QTYAVAILABLE": max(self.qty - self.allocated, 0),
            "EDITTIME": self.edited,
            "EDITSEQ": self.seq,
        }


@dataclass(frozen=True)
class Confirmation:
    seq: int
    message_id: str
    header: Header  # one confirmSOData header, as pushed and as polled


@dataclass
class Warehouse:
    customer_id: str  # the owner (货主) whose goods this warehouse keeps
    clock: Callable[[], datetime]
    ship_after: float | None = None  # seconds after allocation; None: only when told
    split_shipments: bool = False  # ship the first half of every line, later the rest
    on_confirmation: Callable[[Confirmation], None] = lambda _c: None
    lock: threading.RLock = field(default_factory=threading.RLock)
    skus: set[str] = field(default_factory=lambda: set(DEMO_SKUS))
    orders: dict[str, OutboundOrder] = field(default_factory=dict)
    by_reference: dict[tuple[str, str], str] = field(default_factory=dict)
    stock: dict[tuple[str, str], StockLine] = field(default_factory=dict)
    confirmations: list[Confirmation] = field(default_factory=list)
    reject_next: tuple[str, str] | None = None
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- outbound orders ------------------------------------------------------------

    def put_order(self, header: Mapping[str, Any]) -> OutboundOrder:
        """One ``putSOData`` header (already checked for shape)."""
        with self.lock:
            key = (str(header["CUSTOMERID"]), str(header["SOREFERENCE1"]))
            existing = self.by_reference.get(key)
            if existing is not None:
                raise WmsRefusal("S006", "记录已存在且不允许修改", existing)
            if key[0] != self.customer_id:
                raise WmsRefusal("S004", f"货主 {key[0]} 不存在")
            if self.reject_next is not None:
                code, message = self.reject_next
                self.reject_next = None
                raise WmsRefusal(code, message)
            lines = []
            for n, item in enumerate(header["detailsItem"], start=1):
                if item["SKU"] not in self.skus:
                    raise WmsRefusal("S003", f"SKU {item['SKU']} 不存在")
                lines.append(
                    SoLine(int(item.get("LINENO") or n), item["SKU"], item["QTYORDERED_EACH"])
                )
            order = OutboundOrder(
                order_no=f"SO{next(self._numbers):08d}",
                reference=key[1],
                customer_id=key[0],
                warehouse=str(header["WAREHOUSEID"]),
                consignee_id=str(header["CONSIGNEEID"]),
                consignee_name=str(header.get("CONSIGNEENAME") or header["CONSIGNEEID"]),
                address=header.get("C_ADDRESS1"),
                lines=lines,
                status=CREATED,
            )
            self.orders[order.order_no] = order
            self.by_reference[key] = order.order_no
            self._allocate(order)
            return order

    def _allocate(self, order: OutboundOrder) -> None:
        for line in order.lines:
            stock = self._stock_line(order.warehouse, line.sku)
            stock.allocated += line.ordered
            self._touch(stock)
        order.status = ALLOCATED
        if self.ship_after is not None:
            order.ship_due = self.clock() + timedelta(seconds=self.ship_after)

    def find(self, reference: str, customer_id: str | None = None) -> OutboundOrder | None:
        with self.lock:
            number = self.by_reference.get((customer_id or self.customer_id, reference))
            return None if number is None else self.orders[number]

    def documents(self, reference: str) -> list[str]:
        with self.lock:
            return [o.order_no for o in self.orders.values() if o.reference == reference]

    def cancel(self, reference: str | None, order_no: str | None) -> OutboundOrder:
        with self.lock:
            order = self.orders.get(order_no or "") or (self.find(reference) if reference else None)
            if order is None:
                raise WmsRefusal("S003", f"订单 {order_no or reference} 不存在")
            if order.status == CANCELLED:
                return order
            if any(line.shipped for line in order.lines):
                raise WmsRefusal("S007", "订单已发运，不允许取消", order.order_no)
            for line in order.lines:
                stock = self._stock_line(order.warehouse, line.sku)
                stock.allocated = max(stock.allocated - line.ordered, 0)
                self._touch(stock)
            order.status = CANCELLED
            order.ship_due = None
            return order

    # -- shipping --------------------------------------------------------------------

    def ship(self, reference: str, lines: Mapping[int, int] | None = None) -> Confirmation:
        """Ship ``{line_no: qty}`` of the order, or all that is left: one parcel."""
        with self.lock:
            order = self.find(reference)
            if order is None or order.status == CANCELLED:
                raise WmsRefusal("S003", f"订单 {reference} 不存在或已取消")
            return self._ship(order, lines)

    def _ship(self, order: OutboundOrder, lines: Mapping[int, int] | None) -> Confirmation:
        items = []
        for line in order.lines:
            left = line.ordered - line.shipped
            qty = left if lines is None else min(lines.get(line.line_no, 0), left)
            if qty <= 0:
                continue
            line.shipped += qty
            stock = self._stock_line(order.warehouse, line.sku)
            stock.qty = max(stock.qty - qty, 0)
            stock.allocated = max(stock.allocated - qty, 0)
            self._touch(stock)
            items.append(
                {
                    "LINENO": line.line_no,
                    "SKU": line.sku,
                    "QTYORDERED_EACH": line.ordered,
                    "QTYSHIPPED_EACH": qty,
                }
            )
        if not items:
            raise WmsRefusal("S003", f"订单 {order.reference} 没有可发运的数量")
        done = all(line.shipped >= line.ordered for line in order.lines)
        order.status = SHIPPED if done else PART_SHIPPED
        order.parcels += 1
        carrier, carrier_name = CARRIERS[order.parcels % len(CARRIERS)]
        header = {
            "ORDERNO": order.order_no,
            "SOREFERENCE1": order.reference,
            "CUSTOMERID": order.customer_id,
            "WAREHOUSEID": order.warehouse,
            "ORDERTYPE": "SO",
            "SOSTATUS": order.status,
            "deliveryNo": f"{carrier}{uuid.uuid4().int % 10**12:012d}",
            "CARRIERID": carrier,
            "CARRIERNAME": carrier_name,
            "SHIPPEDTIME": beijing(self.clock()),
            "detailsItem": items,
        }
        return self._confirm(header)

    def _confirm(self, header: Header) -> Confirmation:
        seq = next(self._seq)
        confirmation = Confirmation(seq, f"CSO{seq:08d}-{uuid.uuid4().hex[:8]}", header)
        self.confirmations.append(confirmation)
        self.on_confirmation(confirmation)
        return confirmation

    def ship_due(self) -> list[Confirmation]:
        """Ship what is due now (the simulator's ticker calls this)."""
        sent = []
        with self.lock:
            now = self.clock()
            for order in self.orders.values():
                if order.ship_due is None or order.ship_due > now:
                    continue
                if self.split_shipments and order.parcels == 0:
                    half = {ln.line_no: max(ln.ordered // 2, 1) for ln in order.lines}
                    sent.append(self._ship(order, half))
                    if order.status == PART_SHIPPED:
                        order.ship_due = now + timedelta(seconds=self.ship_after or 0)
                        continue
                else:
                    sent.append(self._ship(order, None))
                order.ship_due = None
        return sent

    def confirmations_after(self, after: int, limit: int) -> list[Confirmation]:
        with self.lock:
            return [c for c in self.confirmations if c.seq > after][:limit]

    # -- inventory -------------------------------------------------------------------

    def _stock_line(self, warehouse: str, sku: str) -> StockLine:
        line = self.stock.get((warehouse, sku))
        if line is None:
            line = StockLine(self.customer_id, warehouse, sku, 0, 0, 0, "")
            self.stock[(warehouse, sku)] = line
        return line

    def _touch(self, line: StockLine) -> None:
        line.seq = next(self._seq)
        line.edited = beijing(self.clock())

    def set_stock(self, warehouse: str, sku: str, qty: int) -> str:
        with self.lock:
            self.skus.add(sku)
            line = self._stock_line(warehouse, sku)
            line.qty = qty
            self._touch(line)
            return f"{warehouse}/{sku}"

    def inventory_after(
        self, after: int, limit: int, warehouse: str | None, sku: str | None
    ) -> list[dict[str, Any]]:
        with self.lock:
            lines = sorted(
                (
                    line
                    for line in self.stock.values()
                    if line.seq > after
                    and warehouse in (None, line.warehouse)
                    and sku in (None, line.sku)
                ),
                key=lambda line: line.seq,
            )
            return [line.row() for line in lines[:limit]]

    # -- test hooks --------------------------------------------------------------------

    def add_unmappable(self, feed: str) -> str:
        """A record the mapping files cannot read, in the feed of that capability."""
        with self.lock:
            if feed == "stock":
                line = self._stock_line("CT-BAD", f"BAD-{uuid.uuid4().hex[:6].upper()}")
                line.broken = True
                self._touch(line)
                return f"{line.warehouse}/{line.sku}"
            if feed == "shipments":
                number = f"SO-BAD-{uuid.uuid4().hex[:6].upper()}"
                header = {
                    "ORDERNO": number,
                    "SOREFERENCE1": f"REF-{number}",
                    "CUSTOMERID": self.customer_id,
                    "WAREHOUSEID": "CT-BAD",
                    "SOSTATUS": SHIPPED,
                    "deliveryNo": "SF000000000000",
                    "SHIPPEDTIME": "yesterday",  # not a time
                    "detailsItem": [{"SKU": DEMO_SKUS[0], "QTYSHIPPED_EACH": "half"}],
                }
                confirmation = Confirmation(next(self._seq), f"CSO-BAD-{number}", header)
                self.confirmations.append(confirmation)
                return f"{number}/SF000000000000"
        raise ValueError(f"this warehouse has no {feed!r} feed")
