"""SAP S/4HANA through its OData V2 APIs.

push     GET A_SalesOrder?$filter=PurchaseOrderByCustomer eq '...', then a
         deep insert POST A_SalesOrder (to_Item, to_Partner); an application
         error (4xx with a message class code) is a BusinessRejection
cancel   GET A_SalesOrder('...')?$expand=to_Item, then PATCH every open
         A_SalesOrderItem with a SalesDocumentRjcnReason
stock    API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod, in sweeps (feeds.py)
invoices API_BILLING_DOCUMENT_SRV/A_BillingDocument, by LastChangeDateTime
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, ClassVar

import httpx

from connectors import records
from connectors.mapping import CrossReference, load_mapping
from connectors.records import Origin
from connectors.sap import feeds
from connectors.sap.config import SapConfig
from connectors.sap.connector import SapConnector
from connectors.sap.odata import SapOData
from dms_domain.errors import BusinessRejection, PermanentError
from dms_domain.exchange import (
    CancelResult,
    CancelStatus,
    Capability,
    InvoiceIn,
    Page,
    Rejected,
    StockSnapshotIn,
)

SALES = "API_SALES_ORDER_SRV"


def quoted(text: str) -> str:
    """An OData string literal."""
    return "'" + text.replace("'", "''") + "'"


class SapODataConnector(SapConnector):
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUSH_ORDER, Capability.CANCEL_ORDER, Capability.STOCK, Capability.INVOICES}
    )

    def __init__(
        self,
        name: str,
        config: SapConfig,
        *,
        mappings_root: Path,
        xref: CrossReference,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(name, config, mappings_root=mappings_root, xref=xref)
        self._stock = load_mapping(self._folder / "stock.in.yaml")
        self._invoice = load_mapping(self._folder / "invoice.in.yaml")
        self._http = SapOData(self.who, config, transport=transport)

    def close(self) -> None:
        self._http.close()

    # -- orders -----------------------------------------------------------------------------

    def _documents(self, order_no: str) -> set[str]:
        params = {"$filter": f"PurchaseOrderByCustomer eq {quoted(order_no)}", "$top": "10"}
        answer = self._http.get(f"/{SALES}/A_SalesOrder", params)
        rows, _ = feeds.results(answer, f"{self.who}: GET A_SalesOrder")
        return {
            str(row["SalesOrder"])
            for row in rows
            if isinstance(row, dict)
            and row.get("PurchaseOrderByCustomer") == order_no
            and isinstance(row.get("SalesOrder"), str)
        }

    def _lookup(self, body: dict[str, Any]) -> str | None:
        order_no = str(body["PurchaseOrderByCustomer"])
        return self._one(self._documents(order_no), order_no)

    def _create(self, body: dict[str, Any]) -> str:
        answer = self._http.change("POST", SALES, "A_SalesOrder", body)
        d = answer.get("d") if isinstance(answer, dict) else None
        document = d.get("SalesOrder") if isinstance(d, dict) else None
        if not isinstance(document, str) or not document:
            raise self._broken("POST A_SalesOrder", answer)
        return document

    def cancel_order(self, order_no: str, erp_ref: str | None, reason: str | None) -> CancelResult:
        document = erp_ref or self._one(self._documents(order_no), order_no)
        if document is None:
            return CancelResult(CancelStatus.CANCELLED, "SAP has no such order")
        try:
            answer = self._http.get(
                f"/{SALES}/A_SalesOrder({quoted(document)})", {"$expand": "to_Item"}
            )
        except PermanentError as exc:
            if exc.extra.get("status") == 404:
                return CancelResult(CancelStatus.CANCELLED, f"SAP has no document {document}")
            raise
        d = answer.get("d") if isinstance(answer, dict) else None
        items, _ = feeds.results(
            {"d": d.get("to_Item")} if isinstance(d, dict) else None, "to_Item"
        )
        open_items = [
            i for i in items if isinstance(i, dict) and not i.get("SalesDocumentRjcnReason")
        ]
        if not open_items:
            return CancelResult(CancelStatus.CANCELLED, reason)
        for item in open_items:
            item_no = quoted(str(item.get("SalesOrderItem")))
            key = f"SalesOrder={quoted(document)},SalesOrderItem={item_no}"
            try:
                self._http.change(
                    "PATCH",
                    SALES,
                    f"A_SalesOrderItem({key})",
                    {"SalesDocumentRjcnReason": self.config.rejection_reason},
                )
            except BusinessRejection as refusal:
                return CancelResult(CancelStatus.REFUSED, f"{refusal.code}: {refusal.detail}")
        return CancelResult(CancelStatus.CANCELLED, reason)

    # -- stock ---------------------------------------------------------------------------------

    def fetch_stock(self, cursor: str | None) -> Page[StockSnapshotIn]:
        previous = feeds.StockCursor.parse(cursor, self.who)
        groups = feeds.sum_stock(self._all_stock_lines())
        digest = feeds.digest(groups)
        if previous is not None and previous.digest == digest:
            if previous.offset is None:
                return Page([], previous.text(), False)
            sweep = previous
        else:
            start = time.time_ns() // 1_000_000
            if previous is not None:
                start = max(start, previous.start + 1)
            sweep = feeds.StockCursor(start, digest, 0)
        offset = sweep.offset or 0
        chunk = groups[offset : offset + self.config.page_size]
        items: list[StockSnapshotIn] = []
        rejected: list[Rejected] = []
        for group in chunk:
            key = f"{group['Plant']}/{group['Material']}"
            raw = {**group, "SnapshotAt": f"/Date({sweep.start})/"}
            origin = Origin(self.name, key, str(sweep.start))
            record = feeds.read_mapped(self._stock, "stock", origin, raw, records.stock, self._xref)
            (rejected if isinstance(record, Rejected) else items).append(record)
        end = offset + len(chunk)
        more = end < len(groups)
        after = feeds.StockCursor(sweep.start, digest, end if more else None)
        return Page(items, after.text(), more, rejected)

    def _all_stock_lines(self) -> list[Any]:
        lines: list[Any] = []
        while True:
            params = {
                "$filter": feeds.UNRESTRICTED_STOCK,
                "$orderby": "Plant,Material,StorageLocation,Batch",
                "$top": str(self.config.page_size),
                "$skip": str(len(lines)),
                "$inlinecount": "allpages",
            }
            answer = self._http.get(f"/{feeds.STOCK_PATH}", params)
            rows, count = feeds.results(answer, f"{self.who}: GET A_MatlStkInAcctMod")
            lines.extend(rows)
            if not rows or count is None or len(lines) >= count:
                return lines

    # -- invoices ------------------------------------------------------------------------------

    def fetch_invoices(self, cursor: str | None) -> Page[InvoiceIn]:
        after_ms, after_doc = self._invoice_cursor(cursor)
        params = {
            "$orderby": "LastChangeDateTime,BillingDocument",
            "$top": str(self.config.page_size),
            "$inlinecount": "allpages",
        }
        if after_ms >= 0:
            stamp = feeds.datetimeoffset(after_ms)
            params["$filter"] = (
                f"LastChangeDateTime gt {stamp} or "
                f"(LastChangeDateTime eq {stamp} and BillingDocument gt {quoted(after_doc)})"
            )
        answer = self._http.get(f"/{feeds.BILLING_PATH}", params)
        rows, count = feeds.results(answer, f"{self.who}: GET A_BillingDocument")
        items: list[InvoiceIn] = []
        rejected: list[Rejected] = []
        seen: set[tuple[str, str]] = set()
        last = (after_ms, after_doc)
        for raw in rows:
            row = raw if isinstance(raw, dict) else {}
            document = row.get("BillingDocument")
            changed = feeds.millis(row.get("LastChangeDateTime"))
            if not isinstance(document, str) or not document or changed is None:
                key = document if isinstance(document, str) and document else "?"
                reason = "the billing document has no number or LastChangeDateTime"
                rejected.append(Rejected(self.name, "invoice", key, reason, raw))
                continue
            if (changed, document) <= (after_ms, after_doc) or (document, str(changed)) in seen:
                continue  # delivered already (a repeat in the page, or from before the cursor)
            seen.add((document, str(changed)))
            last = max(last, (changed, document))
            origin = Origin(self.name, document, str(changed))
            record = feeds.read_mapped(
                self._invoice, "invoice", origin, row, records.invoice, self._xref
            )
            (rejected if isinstance(record, Rejected) else items).append(record)
        more = count is not None and count > len(rows)
        return Page(items, f"{last[0]}:{last[1]}", more, rejected)

    def _invoice_cursor(self, cursor: str | None) -> tuple[int, str]:
        if cursor is None:
            return -1, ""
        stamp, _, document = cursor.partition(":")
        if not stamp.lstrip("-").isdigit():
            raise PermanentError(
                f"{self.who}: cursor {cursor!r} is not one this connector gave", code="bad_cursor"
            )
        return int(stamp), document

    def check(self) -> list[str]:
        return self._check_call(lambda: self._http.get(f"/{SALES}/A_SalesOrder", {"$top": "1"}))
