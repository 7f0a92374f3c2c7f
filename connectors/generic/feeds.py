"""What the generic connector pulls: one ``Feed`` per kind of record.

A feed is an ERP path, the mapping file that turns one of its records into a
canonical one, and where the record keeps its key and its place in the feed
(``seq`` in logs, ``version`` for stock lines). The place is also the
record's version and, for the last record read, the cursor to go on from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from connectors.mapping import CrossReference, Mapping, MappingFailure
from dms_domain.errors import ConfigurationError, TransientError
from dms_domain.exchange import (
    ErpOrderEvent,
    InvoiceIn,
    OrderEventIn,
    Rejected,
    ShipmentIn,
    ShipmentLineIn,
    StockSnapshotIn,
    Versioned,
)

T = TypeVar("T", bound=Versioned)
Raw = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record comes from: the connector's name, the key in the ERP, its version."""

    source: str
    key: str
    version: str


def text_at(record: Raw, *path: str) -> str | None:
    value: Any = record
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def _position(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class Feed(Generic[T]):
    entity: str  # as in the mapping file; names the entity of rejected records
    path: str
    mapping: Mapping
    position_field: str
    key_of: Callable[[Raw], str | None]
    build: Callable[[Origin, Raw], T]

    def read(self, raw: Any, *, source: str, xref: CrossReference) -> T | Rejected:
        record: Raw = raw if isinstance(raw, dict) else {}
        position = _position(record.get(self.position_field))
        key = self.key_of(record)
        if key is None or position is None:
            what = "key" if key is None else f"{self.position_field} (a whole number > 0)"
            fallback = key or (f"#{position}" if position else "?")
            return Rejected(source, self.entity, fallback, f"the record has no {what}", raw)
        try:
            mapped = self.mapping.apply(record, xref)
        except MappingFailure as failure:
            reason = "; ".join(str(issue) for issue in failure.issues)
            return Rejected(source, self.entity, key, reason, raw)
        try:
            return self.build(Origin(source, key, str(position)), mapped)
        except (KeyError, ValueError, TypeError) as exc:
            # Every record would fail the same way: the file, not the data, is wrong.
            raise ConfigurationError(
                f"{self.mapping.path} does not give a canonical {self.entity}: {exc!r}"
            ) from exc


@dataclass(frozen=True, slots=True)
class RawPage:
    items: list[Any]
    last: int
    more: bool


def read_page(answer: Any, after: int, where: str) -> RawPage:
    """``{"items": [...], "last": N, "hasMore": bool}``; anything else is a broken answer."""
    items = answer.get("items") if isinstance(answer, dict) else None
    last = answer.get("last") if isinstance(answer, dict) else None
    more = answer.get("hasMore") if isinstance(answer, dict) else None
    if (
        not isinstance(items, list)
        or not isinstance(last, int)
        or isinstance(last, bool)
        or not isinstance(more, bool)
    ):
        raise TransientError(f"{where}: the answer is not a page of records: {str(answer)[:200]}")
    if last < after:
        raise TransientError(f"{where}: the ERP answered a position ({last}) before {after}")
    return RawPage(items, last, more)


# -- canonical records from mapped ones ------------------------------------------------


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


def stock_key(record: Raw) -> str | None:
    """A stock line's key in the ERP: WAREHOUSE/MATERIAL, as the ERP writes them."""
    warehouse, material = text_at(record, "warehouse", "code"), text_at(record, "item", "code")
    return None if warehouse is None or material is None else f"{warehouse}/{material}"
