"""Canonical records exchanged with outside systems (ERPs, WMS).

Connectors turn their system's documents into these (through mapping files)
and the sync engine applies them. Every inbound record carries where it came
from (``source``: the connector's name), its key in that system, and a version
(a timestamp or a monotonic number as text) so an older version never
overwrites a newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar


class Capability(StrEnum):
    """What a connector can do; the engine only asks for what is declared."""

    PUSH_ORDER = "push_order"
    CANCEL_ORDER = "cancel_order"
    ORDER_EVENTS = "order_events"
    SHIPMENTS = "shipments"
    STOCK = "stock"
    INVOICES = "invoices"
    CREDIT_NOTES = "credit_notes"
    PAYMENTS = "payments"
    CUSTOMERS = "customers"
    PRODUCTS = "products"


# -- outbound ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderLineOut:
    line_no: int
    sku: str
    qty: int
    unit_price: Decimal
    amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    is_gift: bool


@dataclass(frozen=True, slots=True)
class OrderOut:
    """An order as the hub sends it to an ERP. ``order_no`` is the external
    reference the ERP keeps, which makes a retried push findable."""

    order_no: str
    dealer_code: str
    warehouse: str
    currency: str
    total: Decimal
    tax_total: Decimal
    urgent: bool
    created_at: datetime
    lines: tuple[OrderLineOut, ...]
    customer_po: str | None = None
    requested_date: date | None = None
    remark: str | None = None
    ship_to: dict[str, str] | None = None

    def as_record(self) -> dict[str, Any]:
        """The canonical sales order as mapping files read it (docs/mappings.md)."""
        return {
            "order_no": self.order_no,
            "dealer_code": self.dealer_code,
            "warehouse": self.warehouse,
            "currency": self.currency,
            "total": self.total,
            "tax_amount": self.tax_total,
            "urgent": self.urgent,
            "customer_po": self.customer_po,
            "requested_date": self.requested_date,
            "ship_to": self.ship_to,
            "remark": self.remark,
            "created_at": self.created_at,
            "lines": [
                {
                    "line_no": line.line_no,
                    "sku": line.sku,
                    "qty": line.qty,
                    "unit_price": line.unit_price,
                    "amount": line.amount,
                    "tax_rate": line.tax_rate,
                    "tax_amount": line.tax_amount,
                    "is_gift": line.is_gift,
                }
                for line in self.lines
            ],
        }


class PushStatus(StrEnum):
    ACCEPTED = "accepted"  # the ERP took the order: it is confirmed, with its document number
    PENDING = "pending"  # handed over; the ERP confirms or rejects later (order events)


@dataclass(frozen=True, slots=True)
class PushResult:
    status: PushStatus
    erp_ref: str | None = None


class CancelStatus(StrEnum):
    CANCELLED = "cancelled"
    REFUSED = "refused"  # the ERP says no (e.g. already picked): the order stays confirmed
    PENDING = "pending"  # asked; the answer comes later as an order event


@dataclass(frozen=True, slots=True)
class CancelResult:
    status: CancelStatus
    reason: str | None = None


# -- inbound ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Versioned:
    source: str  # the connector's name
    key: str  # the record's key in that system
    version: str  # compared as text after zero-padding: ISO times or padded numbers


class ErpOrderEvent(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    CANCEL_REFUSED = "cancel_refused"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class OrderEventIn(Versioned):
    order_no: str
    event: ErpOrderEvent
    at: datetime
    erp_ref: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ShipmentLineIn:
    sku: str
    qty: int


@dataclass(frozen=True, slots=True)
class ShipmentIn(Versioned):
    shipment_no: str
    order_no: str
    shipped_at: datetime
    lines: tuple[ShipmentLineIn, ...]
    warehouse: str | None = None
    tracking_no: str | None = None
    carrier: str | None = None
    erp_ref: str | None = None


@dataclass(frozen=True, slots=True)
class StockSnapshotIn(Versioned):
    """What the system can sell through the dealer channel at ``as_of``, before the
    hub's own open orders (staging-contract.md ``dms_in_stock``)."""

    warehouse: str
    sku: str
    qty_on_hand: int
    as_of: datetime


@dataclass(frozen=True, slots=True)
class InvoiceIn(Versioned):
    invoice_no: str
    dealer_code: str
    invoice_date: date
    due_date: date
    amount: Decimal
    tax_amount: Decimal
    currency: str
    order_no: str | None = None


@dataclass(frozen=True, slots=True)
class CreditNoteIn(Versioned):
    credit_note_no: str
    dealer_code: str
    issued_at: datetime
    amount: Decimal
    invoice_no: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentIn(Versioned):
    payment_no: str
    dealer_code: str
    paid_at: datetime
    amount: Decimal
    currency: str
    invoice_no: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerIn(Versioned):
    """A customer of the ERP: the dealer it is, as far as the ERP knows it."""

    customer_code: str
    name: str
    dealer_code: str | None = None  # when the ERP keeps the hub's code


@dataclass(frozen=True, slots=True)
class ProductIn(Versioned):
    material_code: str
    name: str
    unit: str
    sku: str | None = None  # when the ERP keeps the hub's SKU
    active: bool = True


@dataclass(frozen=True, slots=True)
class Rejected:
    """An inbound record that could not be turned into a canonical one: it goes to
    the quarantine with its reason, and the records behind it go on."""

    source: str
    entity: str
    key: str
    reason: str
    raw: Any = None


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of inbound records. ``cursor`` is the connector's own marker to
    continue from (kept by the engine per connector and entity); ``more`` says
    whether another page is ready now."""

    items: list[T]
    cursor: str | None
    more: bool = False
    rejected: list[Rejected] = field(default_factory=list)


def version_key(version: str) -> tuple[int, str]:
    """Versions compare as numbers when both are digits, else as text (ISO times
    compare correctly as text when written the same way)."""
    return (0, version.zfill(40)) if version.isdigit() else (1, version)


def is_newer(candidate: str, current: str | None) -> bool:
    return current is None or version_key(candidate) > version_key(current)
