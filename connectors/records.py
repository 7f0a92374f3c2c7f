"""Canonical inbound records built from mapped ones: one builder per record
kind, shared by every connector (the mapping file has already named, typed and
checked every field; a builder only adds where the record came from)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dms_domain.exchange import (
    CreditNoteIn,
    CustomerIn,
    ErpOrderEvent,
    InvoiceIn,
    OrderEventIn,
    PaymentIn,
    ProductIn,
    ShipmentIn,
    ShipmentLineIn,
    StockSnapshotIn,
)

Raw = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record comes from: the connector's name, the key in the ERP, its version."""

    source: str
    key: str
    version: str


def order_event(origin: Origin, mapped: Raw) -> OrderEventIn:
    return OrderEventIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        order_no=mapped["order_no"],
        event=ErpOrderEvent(mapped["event"]),
        at=mapped["at"],
        erp_ref=mapped["erp_ref"],
        reason=mapped["reason"],
    )


def shipment(origin: Origin, mapped: Raw) -> ShipmentIn:
    return ShipmentIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        shipment_no=mapped["shipment_no"],
        order_no=mapped["order_no"],
        shipped_at=mapped["shipped_at"],
        lines=tuple(ShipmentLineIn(sku=line["sku"], qty=line["qty"]) for line in mapped["lines"]),
        warehouse=mapped["warehouse"],
        tracking_no=mapped["tracking_no"],
        carrier=mapped["carrier"],
        erp_ref=mapped["erp_ref"],
    )


def stock(origin: Origin, mapped: Raw) -> StockSnapshotIn:
    return StockSnapshotIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        warehouse=mapped["warehouse_code"],
        sku=mapped["sku"],
        qty_on_hand=mapped["qty_on_hand"],
        as_of=mapped["as_of"],
    )


def invoice(origin: Origin, mapped: Raw) -> InvoiceIn:
    return InvoiceIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        invoice_no=mapped["invoice_no"],
        dealer_code=mapped["dealer_code"],
        invoice_date=mapped["invoice_date"],
        due_date=mapped["due_date"],
        amount=mapped["amount"],
        tax_amount=mapped["tax_amount"],
        currency=mapped["currency"],
        order_no=mapped["order_no"],
    )


def credit_note(origin: Origin, mapped: Raw) -> CreditNoteIn:
    return CreditNoteIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        credit_note_no=mapped["credit_note_no"],
        dealer_code=mapped["dealer_code"],
        issued_at=mapped["issued_at"],
        amount=mapped["amount"],
        invoice_no=mapped["invoice_no"],
        reason=mapped["reason"],
    )


def payment(origin: Origin, mapped: Raw) -> PaymentIn:
    return PaymentIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        payment_no=mapped["payment_no"],
        dealer_code=mapped["dealer_code"],
        paid_at=mapped["paid_at"],
        amount=mapped["amount"],
        currency=mapped["currency"],
        invoice_no=mapped["invoice_no"],
    )


def customer(origin: Origin, mapped: Raw) -> CustomerIn:
    return CustomerIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        customer_code=mapped["customer_code"],
        name=mapped["name"],
        dealer_code=mapped["dealer_code"],
    )


def product(origin: Origin, mapped: Raw) -> ProductIn:
    return ProductIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        material_code=mapped["material_code"],
        name=mapped["name"],
        unit=mapped["unit"],
        sku=mapped["sku"],
        active=mapped["active"],
    )
