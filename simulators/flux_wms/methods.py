"""The warehouse's methods, one function each: a parsed ``data`` in, the
answer out. Business refusals of one order go into its ``resultInfo`` entry;
a call that cannot be read at all raises ``CallRefused``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.flux_wms.protocol import (
    DATA_ERROR,
    OK,
    CallRefused,
    answer_body,
    batch_answer,
    headers_of,
)
from simulators.flux_wms.state import Warehouse, WmsRefusal

MAX_PAGE = 500
REQUIRED_SO = ("CUSTOMERID", "WAREHOUSEID", "SOREFERENCE1", "CONSIGNEEID")


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _so_problems(header: dict[str, Any]) -> list[str]:
    problems = [f"{name} 为空" for name in REQUIRED_SO if not str(header.get(name) or "").strip()]
    items = header.get("detailsItem")
    if not isinstance(items, list) or not items:
        return [*problems, "detailsItem 为空"]
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not str(item.get("SKU") or "").strip():
            problems.append(f"detailsItem[{n}].SKU 为空")
            continue
        qty = _whole(item.get("QTYORDERED_EACH"))
        if qty is None or qty <= 0:
            problems.append(f"detailsItem[{n}].QTYORDERED_EACH 不是正整数")
        else:
            item["QTYORDERED_EACH"] = qty
    return problems


def _failure(header: dict[str, Any], code: str, text: str, order_no: str | None) -> dict[str, Any]:
    return {
        "OrderNo": order_no or "",
        "SOREFERENCE1": header.get("SOREFERENCE1") or "",
        "OrderType": header.get("ORDERTYPE") or "SO",
        "CustomerID": header.get("CUSTOMERID") or "",
        "WarehouseID": header.get("WAREHOUSEID") or "",
        "errorcode": code,
        "errordescr": text,
    }


def put_so(warehouse: Warehouse, data: Any) -> dict[str, Any]:
    results = []
    for header in headers_of(data, "xmldata", "header"):
        problems = _so_problems(header)
        if problems:
            results.append(_failure(header, DATA_ERROR, "; ".join(problems), None))
            continue
        try:
            results.append(warehouse.put_order(header).result())
        except WmsRefusal as refusal:
            results.append(_failure(header, refusal.code, refusal.message, refusal.order_no))
    return batch_answer(results)


def cancel_so(warehouse: Warehouse, data: Any) -> dict[str, Any]:
    results = []
    for item in headers_of(data, "xmldata", "data", "ordernos"):
        reference = str(item.get("SOREFERENCE1") or "") or None
        number = str(item.get("ORDERNO") or "") or None
        try:
            results.append(warehouse.cancel(reference, number).result())
        except WmsRefusal as refusal:
            fake = {"SOREFERENCE1": reference, **item}
            results.append(_failure(fake, refusal.code, refusal.message, refusal.order_no))
    return batch_answer(results)


def query_so(warehouse: Warehouse, data: Any) -> dict[str, Any]:
    found = []
    for header in headers_of(data, "xmldata", "header"):
        reference = str(header.get("SOREFERENCE1") or "")
        if not reference:
            raise CallRefused(DATA_ERROR, "SOREFERENCE1 为空")
        order = warehouse.find(reference, str(header.get("CUSTOMERID") or "") or None)
        if order is not None:
            found.append(order.result())
    return answer_body("1", OK, "成功", found)


def _page(header: dict[str, Any]) -> tuple[int, int]:
    after = _whole(header.get("AFTERSEQ", 0))
    size = _whole(header.get("PAGESIZE", 100))
    if after is None or after < 0 or size is None or not 1 <= size <= MAX_PAGE:
        raise CallRefused(DATA_ERROR, f"AFTERSEQ >= 0 和 1 <= PAGESIZE <= {MAX_PAGE}")
    return after, size


def query_inventory(warehouse: Warehouse, data: Any, *, duplicate: bool) -> dict[str, Any]:
    [header, *_] = headers_of(data, "xmldata", "header")
    after, size = _page(header)
    rows = warehouse.inventory_after(
        after,
        size,
        str(header.get("WAREHOUSEID") or "") or None,
        str(header.get("SKU") or "") or None,
    )
    return answer_body("1", OK, "成功", rows + rows if duplicate else rows)


def query_confirmations(warehouse: Warehouse, data: Any, *, duplicate: bool) -> dict[str, Any]:
    [header, *_] = headers_of(data, "xmldata", "header")
    after, size = _page(header)
    rows = [{**c.header, "SEQ": c.seq} for c in warehouse.confirmations_after(after, size)]
    return answer_body("1", OK, "成功", rows + rows if duplicate else rows)


WRITES: dict[str, Callable[[Warehouse, Any], dict[str, Any]]] = {
    "putSOData": put_so,
    "cancelSOData": cancel_so,
}
PULLS: dict[str, Callable[..., dict[str, Any]]] = {
    "queryINVData": query_inventory,
    "querySOConfirmData": query_confirmations,
}
LOOKUPS: dict[str, Callable[[Warehouse, Any], dict[str, Any]]] = {"querySOData": query_so}
