"""What the WMS connector reads: confirmations (``querySOConfirmData`` items
or pushed ``confirmSOData`` headers) and stock lines (``queryINVData``), each
through the generic connector's ``Feed`` with this system's keys and records."""

from __future__ import annotations

from typing import Any

from connectors.generic.feeds import Origin, text_at
from dms_domain.exchange import ShipmentIn, ShipmentLineIn, StockSnapshotIn

Raw = dict[str, Any]


def shipment_key(record: Raw) -> str | None:
    """A parcel: the WMS's order number and the parcel's tracking number."""
    order_no, tracking = text_at(record, "ORDERNO"), text_at(record, "deliveryNo")
    return None if order_no is None or tracking is None else f"{order_no}/{tracking}"


def stock_key(record: Raw) -> str | None:
    warehouse, sku = text_at(record, "WAREHOUSEID"), text_at(record, "SKU")
    return None if warehouse is None or sku is None else f"{warehouse}/{sku}"


def shipment(origin: Origin, mapped: Raw) -> ShipmentIn:
    return ShipmentIn(
        source=origin.source,
        key=origin.key,
        version=origin.version,
        shipment_no=origin.key,
        order_no=mapped["order_no"],
        shipped_at=mapped["shipped_at"],
        lines=tuple(ShipmentLineIn(sku=line["sku"], qty=line["qty"]) for line in mapped["lines"]),
        warehouse=mapped["warehouse"],
        tracking_no=mapped["tracking_no"],
        carrier=mapped["carrier"],
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
