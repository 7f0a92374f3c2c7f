"""The generic ERP's books, in memory: customers, materials, sales orders, and
the feeds others pull (order events, shipments, stock, invoices).

One lock guards everything, so concurrent requests see the ERP as a real one
with a database would: ``externalRef`` is a unique key, and of two creates
with the same one, the second gets 409 and the existing document.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from simulators.generic_erp.feeds import FeedPage, Log, Record, StockBook
from simulators.generic_erp.validate import OrderRequest

BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # the ERP's clock: Beijing time, no offset
FEEDS = ("events", "shipments", "stock", "invoices")
LogFeed = Literal["events", "shipments", "invoices"]

DEMO_CUSTOMERS = {"C-10001": "上海东方汽配", "C-10002": "北京华北汽配"}
DEMO_MATERIALS = {"M-0001": "机油 5W-30 4L", "M-0002": "机滤", "M-0101": "赠品 雨刮"}


class ErpRefusal(Exception):
    """An answer the ERP gives instead of doing what was asked: HTTP status, code, message.
    ``document`` is the existing order when the refusal is a duplicate external ref."""

    def __init__(
        self, code: str, message: str, *, status: int = 422, document: Record | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.document = document


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"  # taken, not yet checked (auto-confirm off)
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


def _conflict(code: str, message: str) -> ErpRefusal:
    return ErpRefusal(code, message, status=409)


SHIPPABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_SHIPPED})


@dataclass(slots=True)
class OrderLine:
    line_no: int
    material: str
    sku: str | None
    quantity: int
    unit_price: Decimal
    amount: Decimal
    shipped: int = 0


@dataclass(slots=True)
class SalesOrder:
    doc_no: str
    external_ref: str
    customer: str
    warehouse: str
    currency: str
    gross: Decimal
    tax: Decimal
    created_at: str
    lines: list[OrderLine]
    status: OrderStatus
    rejection: dict[str, str] | None = None
    note: str | None = None

    def as_record(self) -> Record:
        return {
            "orderNo": self.doc_no,
            "externalRef": self.external_ref,
            "status": self.status.value,
            "customer": {"code": self.customer},
            "warehouse": self.warehouse,
            "currency": self.currency,
            "createdAt": self.created_at,
            "totals": {"gross": self.gross, "tax": self.tax},
            "lines": [
                {
                    "lineNo": line.line_no,
                    "materialCode": line.material,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "shipped": line.shipped,
                    "unitPrice": line.unit_price,
                    "amount": line.amount,
                }
                for line in self.lines
            ],
            "rejection": self.rejection,
        }


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


@dataclass
class _Books:
    customers: dict[str, str] = field(default_factory=lambda: dict(DEMO_CUSTOMERS))
    materials: dict[str, str] = field(default_factory=lambda: dict(DEMO_MATERIALS))
    orders: dict[str, SalesOrder] = field(default_factory=dict)
    by_ref: dict[str, str] = field(default_factory=dict)
    events: Log = field(default_factory=Log)
    shipments: Log = field(default_factory=Log)
    invoices: Log = field(default_factory=Log)
    stock: StockBook = field(default_factory=StockBook)
    rejections: list[tuple[str, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    # The X-Correlation-ID of every create call, by external reference.
    traces: dict[str, list[str | None]] = field(default_factory=dict)


class GenericErp:
    """The ERP's state and rules; thread-safe. ``auto_confirm`` on: an order is
    checked when created (422 or confirmed at once); off: it is received and
    checked later by ``process_pending`` (confirmed or rejected as an event)."""

    def __init__(
        self, *, auto_confirm: bool = True, clock: Callable[[], datetime] = beijing_now
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._initial_auto_confirm = auto_confirm
        self.auto_confirm = auto_confirm
        self._books = _Books()

    def reset(self) -> None:
        """Back to the demo master data, with no documents and the initial settings."""
        with self._lock:
            self._books = _Books()
            self.auto_confirm = self._initial_auto_confirm

    def now_text(self) -> str:
        return self._clock().astimezone(BEIJING).strftime(TIME_FORMAT)

    def _number(self, prefix: str) -> str:
        counters = self._books.counters
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}-{counters[prefix]:06d}"

    # -- master data and test hooks ------------------------------------------------

    def add_customer(self, code: str, name: str) -> None:
        with self._lock:
            self._books.customers[code] = name

    def master_data(self) -> tuple[dict[str, str], dict[str, str]]:
        """(customers, materials): code -> name."""
        with self._lock:
            return dict(self._books.customers), dict(self._books.materials)

    def add_material(self, code: str, name: str) -> None:
        with self._lock:
            self._books.materials[code] = name

    def reject_next(self, code: str, message: str) -> None:
        """The next order checked is refused with this code, whatever it holds."""
        with self._lock:
            self._books.rejections.append((code, message))

    # -- sales orders --------------------------------------------------------------

    def note_trace(self, external_ref: str, correlation_id: str | None) -> None:
        with self._lock:
            self._books.traces.setdefault(external_ref, []).append(correlation_id)

    def traces(self, external_ref: str) -> list[str | None]:
        with self._lock:
            return list(self._books.traces.get(external_ref, []))

    def create_order(self, request: OrderRequest) -> Record:
        with self._lock:
            books = self._books
            existing = books.by_ref.get(request.external_ref)
            if existing is not None:
                raise ErpRefusal(
                    "DUPLICATE_EXTERNAL_REF",
                    f"an order with externalRef {request.external_ref} exists: {existing}",
                    status=409,
                    document=books.orders[existing].as_record(),
                )
            if self.auto_confirm:
                self._check(request.customer, [line.material for line in request.lines])
            order = SalesOrder(
                doc_no=self._number("SO"),
                external_ref=request.external_ref,
                customer=request.customer,
                warehouse=request.warehouse,
                currency=request.currency,
                gross=request.gross,
                tax=request.tax,
                created_at=self.now_text(),
                lines=[
                    OrderLine(x.line_no, x.material, x.sku, x.quantity, x.unit_price, x.amount)
                    for x in request.lines
                ],
                status=OrderStatus.CONFIRMED if self.auto_confirm else OrderStatus.RECEIVED,
                note=request.note,
            )
            books.orders[order.doc_no] = order
            books.by_ref[order.external_ref] = order.doc_no
            if order.status is OrderStatus.CONFIRMED:
                self._event(order, "CONFIRMED")
            return order.as_record()

    def _check(self, customer: str, materials: list[str]) -> None:
        books = self._books
        if books.rejections:
            code, message = books.rejections.pop(0)
            raise ErpRefusal(code, message)
        if customer not in books.customers:
            raise ErpRefusal("UNKNOWN_CUSTOMER", f"customer {customer} does not exist")
        unknown = sorted({m for m in materials if m not in books.materials})
        if unknown:
            raise ErpRefusal("UNKNOWN_MATERIAL", f"material(s) {', '.join(unknown)} do not exist")

    def process_pending(self) -> int:
        """Check every received order: confirmed, or rejected with a reason (as events)."""
        with self._lock:
            pending = [o for o in self._books.orders.values() if o.status is OrderStatus.RECEIVED]
            for order in pending:
                try:
                    self._check(order.customer, [line.material for line in order.lines])
                except ErpRefusal as refusal:
                    order.status = OrderStatus.REJECTED
                    order.rejection = {"code": refusal.code, "message": refusal.message}
                    self._event(order, "REJECTED", order.rejection)
                else:
                    order.status = OrderStatus.CONFIRMED
                    self._event(order, "CONFIRMED")
            return len(pending)

    def find_orders(self, external_ref: str) -> list[Record]:
        with self._lock:
            doc_no = self._books.by_ref.get(external_ref)
            return [] if doc_no is None else [self._books.orders[doc_no].as_record()]

    def _order(self, doc_no: str) -> SalesOrder:
        order = self._books.orders.get(doc_no)
        if order is None:
            raise ErpRefusal("NOT_FOUND", f"no order {doc_no}", status=404)
        return order

    def _order_by_ref(self, external_ref: str) -> SalesOrder:
        doc_no = self._books.by_ref.get(external_ref)
        if doc_no is None:
            raise ErpRefusal("NOT_FOUND", f"no order with externalRef {external_ref}", status=404)
        return self._books.orders[doc_no]

    def get_order(self, doc_no: str) -> Record:
        with self._lock:
            return self._order(doc_no).as_record()

    def cancel_order(self, doc_no: str, reason: str | None) -> Record:
        """Cancel an order nothing was shipped of; cancelling twice is fine."""
        with self._lock:
            order = self._order(doc_no)
            if order.status is OrderStatus.CANCELLED:
                return order.as_record()
            if order.status is OrderStatus.REJECTED:
                raise ErpRefusal("NOT_CANCELLABLE", f"order {doc_no} was rejected")
            if any(line.shipped for line in order.lines):
                raise ErpRefusal("ALREADY_SHIPPED", f"order {doc_no} has shipments")
            order.status = OrderStatus.CANCELLED
            message = reason or "cancelled on request"
            self._event(order, "CANCELLED", {"code": "CANCEL_REQUESTED", "message": message})
            return order.as_record()

    def _event(self, order: SalesOrder, kind: str, reason: dict[str, str] | None = None) -> None:
        record: Record = {
            "type": kind,
            "orderNo": order.doc_no,
            "externalRef": order.external_ref,
            "at": self.now_text(),
        }
        if reason is not None:
            record["reason"] = reason
        self._books.events.append(record)

    # -- shipments, invoices, stock ----------------------------------------------------

    def ship(self, external_ref: str, quantities: Mapping[int, int] | None = None) -> Record:
        """Ship what is left of the order, or ``{line_no: qty}`` of it."""
        with self._lock:
            order = self._order_by_ref(external_ref)
            if order.status not in SHIPPABLE:
                raise _conflict("NOT_SHIPPABLE", f"order {order.doc_no} is {order.status}")
            lines = {line.line_no: line for line in order.lines}
            wanted = (
                {n: line.quantity - line.shipped for n, line in lines.items()}
                if quantities is None
                else dict(quantities)
            )
            for line_no, qty in wanted.items():
                line = lines.get(line_no)
                if line is None or qty < 0 or qty > line.quantity - line.shipped:
                    raise _conflict("BAD_QUANTITY", f"line {line_no}: cannot ship {qty}")
            shipped = [(lines[n], qty) for n, qty in sorted(wanted.items()) if qty > 0]
            if not shipped:
                raise _conflict("NOTHING_TO_SHIP", f"order {order.doc_no}: nothing left")
            for line, qty in shipped:
                line.shipped += qty
            shipment_no = self._number("DN")
            record = self._books.shipments.append(
                {
                    "shipmentNo": shipment_no,
                    "orderNo": order.doc_no,
                    "externalRef": order.external_ref,
                    "warehouse": {"code": order.warehouse},
                    "shippedAt": self.now_text(),
                    "carrier": "SF-EXPRESS",
                    "trackingNo": "SF" + shipment_no.removeprefix("DN-"),
                    "lines": [
                        {"lineNo": x.line_no, "materialCode": x.material, "quantity": f"{q}.000"}
                        for x, q in shipped
                    ],
                }
            )
            if all(line.shipped == line.quantity for line in order.lines):
                order.status = OrderStatus.SHIPPED
                self._event(order, "CLOSED")
            else:
                order.status = OrderStatus.PARTIALLY_SHIPPED
            return record

    def invoice(self, external_ref: str) -> Record:
        with self._lock:
            order = self._order_by_ref(external_ref)
            today = self._clock().astimezone(BEIJING).date()
            return self._books.invoices.append(
                {
                    "invoiceNo": self._number("INV"),
                    "orderNo": order.doc_no,
                    "externalRef": order.external_ref,
                    "customer": {"code": order.customer},
                    "invoiceDate": today.isoformat(),
                    "dueDate": (today + timedelta(days=30)).isoformat(),
                    "amount": f"{order.gross:.2f}",
                    "taxAmount": f"{order.tax:.2f}",
                    "currency": order.currency,
                }
            )

    def set_stock(self, warehouse: str, material: str, quantity: Decimal | int) -> Record:
        with self._lock:
            self._books.materials.setdefault(material, material)
            return self._books.stock.put(
                (warehouse, material),
                {
                    "warehouse": {"code": warehouse},
                    "item": {"code": material, "name": self._books.materials[material]},
                    "quantity": {"onHand": f"{Decimal(quantity):.3f}", "unit": "EA"},
                    "asOf": self.now_text(),
                },
            )

    def append_raw(self, feed: LogFeed, record: Record) -> Record:
        """A record as given, for tests that need data the ERP would not make itself."""
        with self._lock:
            log: Log = getattr(self._books, feed)
            return log.append(record)

    def pull(self, feed: str, after: int, limit: int) -> FeedPage:
        if feed not in FEEDS:
            raise ValueError(f"no feed {feed!r}")
        with self._lock:
            source: Log | StockBook = getattr(self._books, feed)
            return source.after(after, limit)
