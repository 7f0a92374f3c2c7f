"""What the WMS connector reads: confirmations (``querySOConfirmData`` items
or pushed ``confirmSOData`` headers) and stock lines (``queryINVData``), each
through the generic connector's ``Feed`` and record builders, with this
system's keys."""

from __future__ import annotations

from typing import Any

from connectors import records
from connectors.generic.feeds import text_at
from connectors.records import Origin
from dms_domain.exchange import ShipmentIn

Raw = dict[str, Any]
stock = records.stock  # the stock mapping gives the generic one's canonical fields


def shipment_key(record: Raw) -> str | None:
    """A parcel: the WMS's order number and the parcel's tracking number."""
    order_no, tracking = text_at(record, "ORDERNO"), text_at(record, "deliveryNo")
    return None if order_no is None or tracking is None else f"{order_no}/{tracking}"


def stock_key(record: Raw) -> str | None:
    warehouse, sku = text_at(record, "WAREHOUSEID"), text_at(record, "SKU")
    return None if warehouse is None or sku is None else f"{warehouse}/{sku}"


def shipment(origin: Origin, mapped: Raw) -> ShipmentIn:
    """The parcel's key is its shipment number; a WMS knows no ERP reference."""
    return records.shipment(origin, {**mapped, "shipment_no": origin.key, "erp_ref": None})
