"""What the U8 connector claims: one ``Feed`` per ERP -> hub staging table.

A feed names the table, its columns and what the mapping file calls each one
(U8's own field names where U8 has one: cWhCode, cInvCode, cCusCode...), how a
row's key and version are read, and the canonical record it becomes. The
canonical builders are the generic connector's (and two more here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from connectors.mapping import Mapping, MappingFailure
from connectors.mapping.errors import short_repr
from connectors.records import (
    Origin,
    credit_note,
    invoice,
    order_event,
    payment,
    shipment,
    stock,
)
from dms_domain.exchange import Versioned

T = TypeVar("T", bound=Versioned)
Raw = dict[str, Any]


def stamp(value: Any) -> str:
    """A database time as a version: fixed-width ISO text, so text order is time order."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return str(value)


def failure_text(failure: MappingFailure) -> str:
    """What goes to ``error_msg``: each column (the canonical name, which is the
    staging column's) and its value, without the mapping file's location."""
    parts = []
    for issue in failure.issues:
        text = f"{issue.field}: {issue.message}" if issue.field else issue.message
        if issue.has_value:
            text += f" (value: {short_repr(issue.value)})"
        parts.append(text)
    return "; ".join(parts)


@dataclass(frozen=True)
class Lines:
    """Line rows of a header table, found by the header's business key."""

    table: str
    parent: str  # the key column, in both tables
    columns: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class Feed(Generic[T]):
    entity: str  # as in the mapping file; names the entity of rejected records
    table: str
    columns: tuple[str, ...]
    names: tuple[str, ...]  # what the mapping reads each column as
    mapping: Mapping
    key_of: Callable[[Raw], str]
    version_of: Callable[[int, Raw], str]
    build: Callable[[Origin, Raw], T]
    lines: Lines | None = None

    def record(self, row: tuple[Any, ...]) -> Raw:
        return dict(zip(self.names, row, strict=True))


def by_id(row_id: int, _record: Raw) -> str:
    """Rows written once (shipments, invoices...): the row's id orders them."""
    return str(row_id)


def text(record: Raw, name: str) -> str:
    value = record.get(name)
    return str(value).strip() if value is not None else "?"


def build_feeds(load: Callable[[str], Mapping]) -> dict[str, Feed[Any]]:
    """Every feed, its mapping file read by ``load(file name)``."""
    return {
        "stock": Feed(
            "stock",
            "dms_in_stock",
            ("warehouse_code", "sku", "qty_on_hand", "as_of"),
            ("cWhCode", "cInvCode", "iQuantity", "as_of"),
            load("stock.in.yaml"),
            lambda r: f"{text(r, 'cWhCode')}/{text(r, 'cInvCode')}",
            lambda _id, r: stamp(r["as_of"]),
            stock,
        ),
        "shipments": Feed(
            "shipment",
            "dms_in_shipment",
            (
                "shipment_no",
                "order_no",
                "erp_doc_no",
                "warehouse_code",
                "tracking_no",
                "carrier",
                "shipped_at",
            ),
            ("cDLCode", "order_no", "cSOCode", "cWhCode", "tracking_no", "carrier", "shipped_at"),
            load("shipment.in.yaml"),
            lambda r: text(r, "cDLCode"),
            by_id,
            shipment,
            Lines(
                "dms_in_shipment_line",
                "shipment_no",
                ("line_no", "sku", "qty"),
                ("iRowNo", "cInvCode", "iQuantity"),
            ),
        ),
        "order_events": Feed(
            "order_event",
            "dms_in_order_event",
            ("order_no", "event", "erp_doc_no", "reason", "event_at", "created_at"),
            ("order_no", "event", "cSOCode", "reason", "event_at", "written_at"),
            load("order_event.in.yaml"),
            lambda r: text(r, "order_no"),
            # Comparable with the write-backs' versions (their processed_at).
            lambda _id, r: stamp(r["written_at"]),
            order_event,
        ),
        "invoices": Feed(
            "invoice",
            "dms_in_invoice",
            (
                "invoice_no",
                "order_no",
                "dealer_code",
                "invoice_date",
                "due_date",
                "amount",
                "tax_amount",
                "currency",
            ),
            (
                "cSBVCode",
                "order_no",
                "cCusCode",
                "dDate",
                "dGatheringDate",
                "iSum",
                "iTaxAmount",
                "cexch_name",
            ),
            load("invoice.in.yaml"),
            lambda r: text(r, "cSBVCode"),
            by_id,
            invoice,
        ),
        "credit_notes": Feed(
            "credit_note",
            "dms_in_credit_note",
            ("credit_note_no", "invoice_no", "dealer_code", "issued_at", "amount", "reason"),
            ("cSBVCode", "invoice_no", "cCusCode", "dDate", "iSum", "cMemo"),
            load("credit_note.in.yaml"),
            lambda r: text(r, "cSBVCode"),
            by_id,
            credit_note,
        ),
        "payments": Feed(
            "payment",
            "dms_in_payment",
            ("payment_no", "dealer_code", "paid_at", "amount", "currency", "invoice_no"),
            ("cVouchID", "cCusCode", "dVouchDate", "iAmount", "cexch_name", "invoice_no"),
            load("payment.in.yaml"),
            lambda r: text(r, "cVouchID"),
            by_id,
            payment,
        ),
    }
