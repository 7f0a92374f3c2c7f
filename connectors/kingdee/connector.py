"""The Kingdee K3 Cloud connector: sales orders out (Save, Submit, Audit),
deliveries, stock, receivables, receipts, customers and materials in, all
through the WebAPI (docs/connectors/kingdee.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx

from connectors import records
from connectors.base import BaseConnector
from connectors.kingdee import feeds, protocol
from connectors.kingdee.config import K3_MAX_LIMIT, NEEDS, KingdeeConfig
from connectors.kingdee.feeds import ENTRIES, START, QueryFeed
from connectors.kingdee.orders import SaleOrders
from connectors.kingdee.transport import KingdeeHttp
from connectors.mapping import CrossReference, load_mapping
from dms_domain.errors import PermanentError, TransientError
from dms_domain.exchange import (
    CancelResult,
    Capability,
    CustomerIn,
    InvoiceIn,
    OrderOut,
    Page,
    PaymentIn,
    ProductIn,
    PushResult,
    Rejected,
    ShipmentIn,
    StockSnapshotIn,
    Versioned,
)

T = TypeVar("T", bound=Versioned)


def _stock_key(record: dict[str, Any]) -> str | None:
    stock = feeds.text_of(record, "FStockId.FNumber")
    material = feeds.text_of(record, "FMaterialId.FNumber")
    return None if stock is None or material is None else f"{stock}/{material}"


def _bill_no(record: dict[str, Any]) -> str | None:
    return feeds.text_of(record, "FBillNo")


def _number(record: dict[str, Any]) -> str | None:
    return feeds.text_of(record, "FNumber")


class KingdeeConnector(BaseConnector):
    system: ClassVar[str] = "kingdee"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUSH_ORDER,
            Capability.CANCEL_ORDER,
            Capability.SHIPMENTS,
            Capability.STOCK,
            Capability.INVOICES,
            Capability.PAYMENTS,
            Capability.CUSTOMERS,
            Capability.PRODUCTS,
        }
    )

    def __init__(
        self,
        name: str,
        config: KingdeeConfig,
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
        self._shipments = QueryFeed(
            "shipment",
            "SAL_OUTSTOCK",
            "FApproveDate",
            "FID",
            ("FBillNo", "FDate", "FCustomerID.FNumber", "FCarrierID.FNumber", "FCarriageNO"),
            load_mapping(folder / "shipment.in.yaml"),
            _bill_no,
            records.shipment,
            entry_keys=(
                "FEntryID",
                "FMaterialID.FNumber",
                "FRealQty",
                "FStockID.FNumber",
                "FSoorDerno",
            ),
        )
        self._stock = QueryFeed(
            "stock",
            "STK_Inventory",
            "FUpdateTime",
            "FID",
            ("FStockId.FNumber", "FMaterialId.FNumber", "FStockOrgId.FNumber", "FBaseQty"),
            load_mapping(folder / "stock.in.yaml"),
            _stock_key,
            records.stock,
            condition="",
            numeric_id=False,
        )
        self._invoices = QueryFeed(
            "invoice",
            "AR_receivable",
            "FApproveDate",
            "FID",
            (
                "FBillNo",
                "FDATE",
                "FENDDATE_H",
                "FCUSTOMERID.FNumber",
                "FALLAMOUNTFOR",
                "FCURRENCYID.FNumber",
            ),
            load_mapping(folder / "invoice.in.yaml"),
            _bill_no,
            records.invoice,
            entry_keys=("FEntryID", "FORDERNUMBER", "FTAXAMOUNTFOR"),
        )
        self._payments = QueryFeed(
            "payment",
            "AR_RECEIVEBILL",
            "FApproveDate",
            "FID",
            (
                "FBillNo",
                "FDATE",
                "FCONTACTUNIT.FNumber",
                "FRECEIVEAMOUNTFOR",
                "FCURRENCYID.FNumber",
            ),
            load_mapping(folder / "payment.in.yaml"),
            _bill_no,
            records.payment,
        )
        self._customers = QueryFeed(
            "customer",
            "BD_Customer",
            "FModifyDate",
            "FCUSTID",
            ("FNumber", "FName", "FForbidStatus"),
            load_mapping(folder / "customer.in.yaml"),
            _number,
            records.customer,
        )
        self._products = QueryFeed(
            "product",
            "BD_MATERIAL",
            "FModifyDate",
            "FMATERIALID",
            ("FNumber", "FName", "FBaseUnitId.FNumber", "FForbidStatus"),
            load_mapping(folder / "product.in.yaml"),
            _number,
            records.product,
        )
        # Last, so a bad mapping file leaves no open client behind.
        self._http = KingdeeHttp(f"{name} ({self.system})", config, transport=transport)
        self._orders = SaleOrders(self._http, self.name, cancel_by=config.cancel_by)

    def close(self) -> None:
        self._http.close()

    @property
    def logins(self) -> int:
        """How many times this connector logged in (session modes)."""
        return self._http.logins

    # -- orders --------------------------------------------------------------------------

    def push_order(self, order: OrderOut) -> PushResult:
        record = {**order.as_record(), "org_number": self.config.org_number}
        model = self._map_out(self._order_out, record, self._xref, order.order_no)
        return self._orders.push(order.order_no, model)

    def find_order(self, order_no: str) -> PushResult | None:
        """The bill carrying this order number: accepted once audited, pending before
        (a push resumes it); BusinessRejection if it was voided."""
        bill = self._orders.find(order_no)
        return None if bill is None else self._orders.result(bill)

    def cancel_order(self, order_no: str, erp_ref: str | None, reason: str | None) -> CancelResult:
        return self._orders.cancel(erp_ref or order_no, reason)

    # -- pulls -----------------------------------------------------------------------------

    def fetch_shipments(self, cursor: str | None) -> Page[ShipmentIn]:
        return self._pull(self._shipments, cursor)

    def fetch_stock(self, cursor: str | None) -> Page[StockSnapshotIn]:
        return self._pull(self._stock, cursor)

    def fetch_invoices(self, cursor: str | None) -> Page[InvoiceIn]:
        return self._pull(self._invoices, cursor)

    def fetch_payments(self, cursor: str | None) -> Page[PaymentIn]:
        return self._pull(self._payments, cursor)

    def fetch_customers(self, cursor: str | None) -> Page[CustomerIn]:
        return self._pull(self._customers, cursor)

    def fetch_products(self, cursor: str | None) -> Page[ProductIn]:
        return self._pull(self._products, cursor)

    def _query(
        self, form: str, keys: tuple[str, ...], where: str, order: str, start: int, limit: int
    ) -> list[list[Any]]:
        data = {
            "FormId": form,
            "FieldKeys": ",".join(keys),
            "FilterString": where,
            "OrderString": order,
            "TopRowCount": 0,
            "StartRow": start,
            "Limit": limit,
        }
        what = f"{self.name}: ExecuteBillQuery {form}"
        answer = self._http.call(protocol.DYNAMIC_FORM + "ExecuteBillQuery", {"data": data}, what)
        return protocol.query_rows(answer, len(keys), what, self._http.system)

    def _pull(self, feed: QueryFeed[T], cursor: str | None) -> Page[T]:
        feeds.parse_cursor(cursor, feed)  # a bad cursor fails before any call
        order = f"{feed.stamp_key} ASC, {feed.id_key} ASC"
        heads = self._query(
            feed.form, feed.head_keys, feed.after(cursor), order, 0, self.config.page_size
        )
        records: dict[Any, dict[str, Any]] = {}
        for row in heads:
            records.setdefault(row[0], dict(zip(feed.head_keys, row, strict=True)))
        if feed.entry_keys and records:
            self._add_entries(feed, records)
        items: list[T] = []
        rejected: list[Rejected] = []
        for record in records.values():
            read = feed.read(record, source=self.name, xref=self._xref)
            if isinstance(read, Rejected):
                rejected.append(read)
            else:
                items.append(read)
        next_cursor = cursor or START
        for row in reversed(heads):
            if isinstance(row[1], str) and row[1]:
                next_cursor = feeds.cursor_of(row[1], row[0])
                break
        return Page(items, next_cursor, len(heads) >= self.config.page_size, rejected)

    def _add_entries(self, feed: QueryFeed[Any], records: dict[Any, dict[str, Any]]) -> None:
        keys = (feed.id_key, *feed.entry_keys)
        where = f"{feed.id_key} IN ({', '.join(feed.literal(ident) for ident in records)})"
        order = f"{feed.id_key} ASC, {feed.entry_keys[0]} ASC"
        seen: set[tuple[Any, Any]] = set()
        for record in records.values():
            record[ENTRIES] = []
        start = 0
        while True:
            rows = self._query(feed.form, keys, where, order, start, K3_MAX_LIMIT)
            for row in rows:
                if (row[0], row[1]) in seen or row[0] not in records:
                    continue
                seen.add((row[0], row[1]))
                records[row[0]][ENTRIES].append(dict(zip(feed.entry_keys, row[1:], strict=True)))
            if len(rows) < K3_MAX_LIMIT:
                return
            start += len(rows)

    # -- health ------------------------------------------------------------------------------

    def check(self) -> list[str]:
        where = f"K3 Cloud at {self.config.base_url}"
        settings = ", ".join(
            f"DMS_CONNECTORS__{self.name.upper()}__{name.upper()}"
            for name in ("acct_id", "user_name", *NEEDS[self.config.auth])
        )
        try:
            self._orders.find("")
        except TransientError as exc:
            return [f"cannot reach {where}: {exc.detail}"]
        except PermanentError as exc:
            if exc.code in ("credentials_refused", "permission_denied"):
                return [f"{where} refuses us ({exc.detail}): check {settings}"]
            return [f"{where} refused the health check: {exc.detail}"]
        return []
