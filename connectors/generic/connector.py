"""The generic REST ERP connector: the reference every connector copies.

Push is idempotent in three steps: look the order up by its external
reference, create it if absent, and take a 409 "already exists" as success
with the existing document (two pushes of one order can race past the
look-up; the ERP's unique externalRef decides). A lost answer to a create is a
TransientError; the retry finds the document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import httpx

from connectors import records
from connectors.base import BaseConnector
from connectors.generic import feeds
from connectors.generic.config import GenericRestConfig
from connectors.generic.feeds import Feed
from connectors.generic.transport import DocumentExists, GenericHttp
from connectors.mapping import CrossReference, jsonio, load_mapping
from dms_domain.errors import BusinessRejection, PermanentError, TransientError
from dms_domain.exchange import (
    CancelResult,
    CancelStatus,
    Capability,
    InvoiceIn,
    OrderEventIn,
    OrderOut,
    Page,
    PushResult,
    PushStatus,
    Rejected,
    ShipmentIn,
    StockSnapshotIn,
    Versioned,
)

T = TypeVar("T", bound=Versioned)
JSON_HEADERS = {"Content-Type": "application/json"}
PENDING_STATUSES = frozenset({"RECEIVED"})  # taken, checked later (an order event tells)
CANCELLED = "CANCELLED"
REJECTED = "REJECTED"


class GenericRestConnector(BaseConnector):
    system: ClassVar[str] = "generic"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUSH_ORDER,
            Capability.CANCEL_ORDER,
            Capability.ORDER_EVENTS,
            Capability.SHIPMENTS,
            Capability.STOCK,
            Capability.INVOICES,
        }
    )

    def __init__(
        self,
        name: str,
        config: GenericRestConfig,
        *,
        mappings_root: Path,
        xref: CrossReference,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(name)
        self.config = config
        self._xref = xref
        folder = mappings_root / self.system
        self._order_out = load_mapping(folder / "sales_order.out.yaml")
        self._events = Feed(
            "order_event",
            "/events",
            load_mapping(folder / "order_event.in.yaml"),
            "seq",
            lambda r: feeds.text_at(r, "externalRef"),
            records.order_event,
        )
        self._shipments = Feed(
            "shipment",
            "/shipments",
            load_mapping(folder / "shipment.in.yaml"),
            "seq",
            lambda r: feeds.text_at(r, "shipmentNo"),
            records.shipment,
        )
        self._stock = Feed(
            "stock",
            "/stock",
            load_mapping(folder / "stock.in.yaml"),
            "version",
            feeds.stock_key,
            records.stock,
        )
        self._invoices = Feed(
            "invoice",
            "/invoices",
            load_mapping(folder / "invoice.in.yaml"),
            "seq",
            lambda r: feeds.text_at(r, "invoiceNo"),
            records.invoice,
        )
        # Last, so a bad mapping file leaves no open client behind.
        self._http = GenericHttp(
            f"{name} ({self.system})",
            config.base_url,
            timeout=config.timeout_seconds,
            headers={config.api_key_header: config.api_key.get_secret_value()},
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    # -- orders -------------------------------------------------------------------

    def push_order(self, order: OrderOut) -> PushResult:
        body = self._map_out(self._order_out, order.as_record(), self._xref, order.order_no)
        existing = self._find_document(order.order_no)
        if existing is not None:
            return self._push_result(existing)
        try:
            created = self._http.request(
                "POST", "/orders", content=jsonio.dumps(body).encode(), headers=JSON_HEADERS
            )
        except DocumentExists as exists:
            created = exists.existing
        return self._push_result(self._document(created, "POST /orders"))

    def find_order(self, order_no: str) -> PushResult | None:
        """The ERP's document for the order; BusinessRejection if the ERP refused it."""
        document = self._find_document(order_no)
        return None if document is None else self._push_result(document)

    def _find_document(self, order_no: str) -> dict[str, Any] | None:
        answer = self._http.request("GET", "/orders", params={"externalRef": order_no})
        documents = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(documents, list):
            raise TransientError(f"{self.name}: GET /orders answered no items: {answer!r:.200}")
        if len(documents) > 1:
            raise PermanentError(
                f"{self.name}: {len(documents)} documents carry order {order_no} as externalRef",
                code="duplicate_documents",
            )
        return self._document(documents[0], "GET /orders") if documents else None

    def _document(self, document: Any, what: str) -> dict[str, Any]:
        if not isinstance(document, dict) or not isinstance(document.get("orderNo"), str):
            raise TransientError(f"{self.name}: {what} answered no document: {document!r:.200}")
        return document

    def _push_result(self, document: dict[str, Any]) -> PushResult:
        erp_ref = document["orderNo"]
        status = document.get("status")
        if status == REJECTED:
            rejection = document.get("rejection")
            if not isinstance(rejection, dict):
                rejection = {}
            raise BusinessRejection(
                str(rejection.get("message") or f"{self.system} rejected the order"),
                code=str(rejection.get("code") or "REJECTED"),
                erp_ref=erp_ref,
            )
        pending = status in PENDING_STATUSES
        return PushResult(PushStatus.PENDING if pending else PushStatus.ACCEPTED, erp_ref)

    def cancel_order(self, order_no: str, erp_ref: str | None, reason: str | None) -> CancelResult:
        if erp_ref is None:
            document = self._find_document(order_no)
            if document is None:
                return CancelResult(CancelStatus.CANCELLED, f"{self.system} has no such order")
            erp_ref = str(document["orderNo"])
        body = {} if reason is None else {"reason": reason}
        try:
            answer = self._http.request(
                "POST",
                f"/orders/{quote(erp_ref, safe='')}/cancel",
                content=jsonio.dumps(body).encode(),
                headers=JSON_HEADERS,
            )
        except BusinessRejection as refusal:
            return CancelResult(CancelStatus.REFUSED, f"{refusal.code}: {refusal.detail}")
        document = self._document(answer, "POST /orders/{doc}/cancel")
        if document.get("status") == CANCELLED:
            return CancelResult(CancelStatus.CANCELLED, reason)
        # The ERP took the request without cancelling yet; an order event will tell.
        return CancelResult(CancelStatus.PENDING, reason)

    # -- pulls ---------------------------------------------------------------------

    def fetch_order_events(self, cursor: str | None) -> Page[OrderEventIn]:
        return self._pull(self._events, cursor)

    def fetch_shipments(self, cursor: str | None) -> Page[ShipmentIn]:
        return self._pull(self._shipments, cursor)

    def fetch_stock(self, cursor: str | None) -> Page[StockSnapshotIn]:
        return self._pull(self._stock, cursor)

    def fetch_invoices(self, cursor: str | None) -> Page[InvoiceIn]:
        return self._pull(self._invoices, cursor)

    def _pull(self, feed: Feed[T], cursor: str | None) -> Page[T]:
        after = self._after(cursor)
        answer = self._http.request(
            "GET", feed.path, params={"after": after, "limit": self.config.page_size}
        )
        page = feeds.read_page(answer, after, f"{self.name}: GET {feed.path}")
        items: list[T] = []
        rejected: list[Rejected] = []
        seen: set[tuple[str, str]] = set()
        for raw in page.items:
            record = feed.read(raw, source=self.name, xref=self._xref)
            if isinstance(record, Rejected):
                rejected.append(record)
                continue
            identity = (record.key, record.version)
            # At-least-once paging: a record repeated in a page, or one from before
            # the cursor, was delivered already.
            if identity in seen or int(record.version) <= after:
                continue
            seen.add(identity)
            items.append(record)
        return Page(items, str(page.last), page.more, rejected)

    def _after(self, cursor: str | None) -> int:
        if cursor is None:
            return 0
        if not cursor.isdigit():
            raise PermanentError(
                f"{self.name}: cursor {cursor!r} is not one this connector gave", code="bad_cursor"
            )
        return int(cursor)

    # -- health ------------------------------------------------------------------------

    def check(self) -> list[str]:
        where = f"{self.system} ERP at {self.config.base_url}"
        try:
            answer = self._http.request("GET", "/ping")
        except TransientError as exc:
            return [f"cannot reach the {where}: {exc.detail}"]
        except PermanentError as exc:
            if exc.code == "credentials_refused":
                setting = f"DMS_CONNECTORS__{self.name.upper()}__API_KEY"
                return [f"the {where} refuses the API key: check {setting}"]
            return [f"the {where} refused the health check: {exc.detail}"]
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            return [f"the {where} answered the health check with {answer!r:.200}"]
        return []
