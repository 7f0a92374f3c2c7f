"""The FLUX WMS connector: outbound orders to a warehouse, shipment
confirmations and stock back.

Push is idempotent by the warehouse's unique key: the hub order number is
``SOREFERENCE1``, and a second ``putSOData`` of it is refused with ``S006``
naming the first ``OrderNo``, which counts as success. ``find_order`` asks
``querySOData``. Answers are read per order (``resultInfo``), never by
``returnFlag`` alone: a partial success (2) of a batch says nothing of one
order of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx

from connectors.base import BaseConnector
from connectors.generic.feeds import Feed
from connectors.mapping import CrossReference, MappingFailure, load_mapping
from connectors.port import PushedShipments, PushRefused
from connectors.wms import feeds
from connectors.wms.config import FluxWmsConfig
from connectors.wms.signing import read_flux_time, sign_ok
from connectors.wms.transport import OK, SIGN_ERROR, FluxAnswer, FluxHttp
from dms_domain.errors import BusinessRejection, PermanentError, TransientError
from dms_domain.exchange import (
    CancelResult,
    CancelStatus,
    Capability,
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
EXISTS = "S006"  # the record exists and may not be changed: a duplicate putSOData
NOT_FOUND_CODES = frozenset({"S003"})
CONFIRM_METHOD = "confirmSOData"
PUSHED_VERSION = 1  # pushed confirmations carry no position; a parcel never changes


class FluxWmsConnector(BaseConnector):
    system: ClassVar[str] = "wms"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUSH_ORDER, Capability.CANCEL_ORDER, Capability.SHIPMENTS, Capability.STOCK}
    )

    def __init__(
        self,
        name: str,
        config: FluxWmsConfig,
        *,
        mappings_root: Path,
        xref: CrossReference,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(name)
        self.config = config
        self._xref = xref
        folder = mappings_root / self.system
        self._order_out = load_mapping(folder / "sales_order.out.yaml")
        self._shipments = Feed(
            "shipment",
            "querySOConfirmData",
            load_mapping(folder / "shipment.in.yaml"),
            "SEQ",
            feeds.shipment_key,
            feeds.shipment,
        )
        self._stock = Feed(
            "stock",
            "queryINVData",
            load_mapping(folder / "stock.in.yaml"),
            "EDITSEQ",
            feeds.stock_key,
            feeds.stock,
        )
        self._http = FluxHttp(f"{name} ({self.system})", config, clock=clock, transport=transport)

    def close(self) -> None:
        self._http.close()

    # -- orders -------------------------------------------------------------------

    def push_order(self, order: OrderOut) -> PushResult:
        record = {**order.as_record(), "owner": self.config.owner}
        try:
            header = self._order_out.apply(record, self._xref)
        except MappingFailure as failure:
            raise PermanentError(
                f"{self.name}: order {order.order_no} cannot be written for {self.system}: "
                f"{failure.detail}",
                code="mapping_failed",
                issues=[issue.as_dict() for issue in failure.issues],
            ) from failure
        answer = self._http.call("putSOData", {"xmldata": {"header": [header]}})
        entry = self._entry(answer, order.order_no, "putSOData")
        code = str(entry.get("errorcode") or "")
        wms_ref = str(entry.get("OrderNo") or "")
        if code in (OK, EXISTS) and wms_ref:
            return PushResult(PushStatus.ACCEPTED, wms_ref)
        if code == OK:
            raise TransientError(f"{self.name}: putSOData took the order without an OrderNo")
        raise BusinessRejection(
            str(entry.get("errordescr") or answer.desc or "the WMS refused the order"),
            code=code or answer.code,
            system=self.system,
        )

    def _entry(self, answer: FluxAnswer, order_no: str, method: str) -> dict[str, Any]:
        entry = answer.entry(order_no)
        if entry is not None:
            return entry
        if answer.flag == "0":  # the whole call refused, no entry per order
            raise BusinessRejection(
                answer.desc or "the WMS refused the call", code=answer.code, system=self.system
            )
        raise TransientError(
            f"{self.name}: {method} answered returnFlag {answer.flag} without order {order_no}"
        )

    def find_order(self, order_no: str) -> PushResult | None:
        header = {"CUSTOMERID": self.config.owner, "SOREFERENCE1": order_no}
        answer = self._http.call("querySOData", {"xmldata": {"header": [header]}})
        if answer.flag != "1":
            raise PermanentError(f"{self.name}: querySOData: {answer.code} {answer.desc}")
        found = [r for r in answer.results if str(r.get("SOREFERENCE1") or "") == order_no]
        if len(found) > 1:
            raise PermanentError(
                f"{self.name}: {len(found)} outbound orders carry {order_no}",
                code="duplicate_documents",
            )
        if not found or not found[0].get("OrderNo"):
            return None
        return PushResult(PushStatus.ACCEPTED, str(found[0]["OrderNo"]))

    def cancel_order(self, order_no: str, erp_ref: str | None, reason: str | None) -> CancelResult:
        item = {
            "CUSTOMERID": self.config.owner,
            "ORDERNO": erp_ref or "",
            "SOREFERENCE1": order_no,
            "ORDERTYPE": self.config.order_type,
            "NOTES": reason or "",
        }
        answer = self._http.call("cancelSOData", {"xmldata": {"data": {"ordernos": [item]}}})
        entry = answer.entry(order_no)
        if entry is None and answer.flag == "1":
            return CancelResult(CancelStatus.CANCELLED, reason)
        if entry is None:
            entry = {"errorcode": answer.code, "errordescr": answer.desc}
        code = str(entry.get("errorcode") or "")
        if code == OK:
            return CancelResult(CancelStatus.CANCELLED, reason)
        if code in NOT_FOUND_CODES and not entry.get("OrderNo"):
            return CancelResult(CancelStatus.CANCELLED, f"{self.system} has no such order")
        return CancelResult(CancelStatus.REFUSED, f"{code}: {entry.get('errordescr') or ''}")

    # -- pulls ----------------------------------------------------------------------

    def fetch_shipments(self, cursor: str | None) -> Page[ShipmentIn]:
        return self._pull(self._shipments, cursor, {})

    def fetch_stock(self, cursor: str | None) -> Page[StockSnapshotIn]:
        return self._pull(self._stock, cursor, {"CUSTOMERID": self.config.owner})

    def _pull(self, feed: Feed[T], cursor: str | None, header: dict[str, Any]) -> Page[T]:
        after = self._after(cursor)
        size = self.config.page_size
        query = {**header, "AFTERSEQ": after, "PAGESIZE": size}
        answer = self._http.call(feed.path, {"xmldata": {"header": [query]}})
        if answer.flag != "1":
            raise PermanentError(f"{self.name}: {feed.path}: {answer.code} {answer.desc}")
        items: list[T] = []
        rejected: list[Rejected] = []
        seen: set[tuple[str, str]] = set()
        last = after
        for raw in answer.results:
            position = raw.get(feed.position_field)
            if isinstance(position, int) and not isinstance(position, bool):
                last = max(last, position)
            record = feed.read(raw, source=self.name, xref=self._xref)
            if isinstance(record, Rejected):
                rejected.append(record)
                continue
            identity = (record.key, record.version)
            if identity in seen or int(record.version) <= after:
                continue
            seen.add(identity)
            items.append(record)
        return Page(items, str(last), len(answer.results) >= size, rejected)

    def _after(self, cursor: str | None) -> int:
        if cursor is None:
            return 0
        if not cursor.isdigit():
            raise PermanentError(
                f"{self.name}: cursor {cursor!r} is not one this connector gave", code="bad_cursor"
            )
        return int(cursor)

    # -- confirmations pushed to the hub ----------------------------------------------

    def read_pushed_shipments(self, fields: Mapping[str, str], now: datetime) -> PushedShipments:
        """A ``confirmSOData`` the warehouse pushed: checked (appkey, sign, method,
        timestamp within ``confirm_window_seconds``), then read."""
        missing = [
            name
            for name in ("method", "messageid", "appkey", "timestamp", "sign", "data")
            if not str(fields.get(name) or "").strip()
        ]
        if missing:
            raise PushRefused(f"system parameters missing: {', '.join(missing)}", code=SIGN_ERROR)
        data = fields["data"]
        if fields["appkey"] != self.config.app_key or not sign_ok(
            self.config.app_secret.get_secret_value(), data, fields["sign"]
        ):
            raise PushRefused("the sign does not match (appkey, appSecret)", code=SIGN_ERROR)
        if fields["method"] != CONFIRM_METHOD:
            raise PushRefused(f"method {fields['method']!r} is not taken here", code=SIGN_ERROR)
        sent = read_flux_time(fields["timestamp"])
        window = self.config.confirm_window_seconds
        if sent is None or abs((now - sent).total_seconds()) > window:
            raise PushRefused(
                f"timestamp {fields['timestamp']!r} is not within {window} s of the hub's clock",
                code=SIGN_ERROR,
            )
        if str(fields.get("format") or "json").lower() != "json":
            raise PushRefused("only format=json is taken", code="S003")
        try:
            headers = json.loads(data)["xmldata"]["header"]
        except (ValueError, KeyError, TypeError) as exc:
            raise PushRefused(f"data is not xmldata.header JSON: {exc}", code="S003") from exc
        if isinstance(headers, dict):
            headers = [headers]
        if not isinstance(headers, list):
            raise PushRefused("xmldata.header is not a list", code="S003")
        items: list[ShipmentIn] = []
        rejected: list[Rejected] = []
        for header in headers:
            raw = {**header, "SEQ": PUSHED_VERSION} if isinstance(header, dict) else header
            record = self._shipments.read(raw, source=self.name, xref=self._xref)
            (rejected if isinstance(record, Rejected) else items).append(record)  # type: ignore[arg-type]
        return PushedShipments(fields["messageid"], Page(items, None, False, rejected))

    def push_answer(self, applied: Sequence[str], failed: Mapping[str, str]) -> dict[str, Any]:
        results = [self._result(key, OK, "") for key in applied]
        results += [self._result(key, "S003", reason) for key, reason in failed.items()]
        flag = "1" if not failed else ("0" if not applied else "2")
        return _answer(
            flag, OK if not failed else "0001", "" if not failed else "部分失败", results
        )

    def _result(self, key: str, code: str, text: str) -> dict[str, Any]:
        order_no, _, tracking = key.partition("/")
        return {
            "OrderNo": order_no,
            "deliveryNo": tracking,
            "CustomerID": self.config.owner,
            "errorcode": code,
            "errordescr": text[:500],
        }

    def push_refusal(self, refusal: PushRefused) -> dict[str, Any]:
        return _answer("0", refusal.code, refusal.detail, [])

    # -- health -----------------------------------------------------------------------

    def check(self) -> list[str]:
        where = f"{self.system} at {self.config.base_url}"
        try:
            self.find_order("DMS-HUB-CHECK")
        except TransientError as exc:
            return [f"cannot reach the {where}: {exc.detail}"]
        except PermanentError as exc:
            if exc.code == "credentials_refused":
                prefix = f"DMS_CONNECTORS__{self.name.upper()}__"
                return [
                    f"the {where} refuses our signature: check {prefix}APP_KEY and "
                    f"{prefix}APP_SECRET ({exc.detail})"
                ]
            return [f"the {where} refused the check: {exc.detail}"]
        return []


def _answer(flag: str, code: str, text: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Response": {
            "return": {
                "returnFlag": flag,
                "returnCode": code,
                "returnDesc": text,
                "resultInfo": results,
            }
        }
    }


__all__ = ["FluxWmsConnector"]
