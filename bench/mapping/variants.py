"""The sample order, and the three ways to map it that the engine is measured against.

All of them do the same work as mappings/generic/sales_order.out.yaml: the same
reads, checks, cross-reference lookups, conversions and error collection, so
that the comparison is about how the reading and dispatching is done.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jsonpath_ng.ext.parser import parse as jsonpath_parse

from connectors.mapping import InMemoryCrossReference

LINES = 20
SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
UNIT = Decimal("0.0001")
HUNDRED = Decimal(100)
DEFAULT_TAX_FRACTION = Decimal("0.13")


def sample_order(lines: int = LINES) -> dict[str, Any]:
    """A canonical order as the hub holds it: Decimal money, aware times, a date."""
    return {
        "order_no": "SO20260105-0001",
        "dealer_code": "D001",
        "warehouse": " wh-sh ",
        "currency": "CNY",
        "total": Decimal("2260.00") * lines,
        "tax_amount": Decimal("260.00") * lines,
        "urgent": True,
        "customer_po": " PO-778 ",
        "requested_date": date(2026, 1, 20),
        "ship_to": {
            "name": "张三",
            "phone": "138-0013-8000",
            "address": "上海市浦东新区世纪大道 100 号",
        },
        "remark": "请周一送货",
        "created_at": datetime(2026, 1, 5, 2, 30, tzinfo=UTC),
        "lines": [
            {
                "line_no": n + 1,
                "sku": f"SKU-{n + 1:04d}",
                "qty": 20,
                "unit_price": Decimal("113.0000"),
                "amount": Decimal("2260.00"),
                "tax_rate": Decimal(13),
                "is_gift": n == lines - 1,
            }
            for n in range(lines)
        ],
    }


def sample_xref(lines: int = LINES) -> InMemoryCrossReference:
    return InMemoryCrossReference(
        {
            "erp_customer": {"D001": "C-10001"},
            "erp_material": {f"SKU-{n + 1:04d}": f"M-{n + 1:04d}" for n in range(lines)},
        }
    )


class Refused(Exception):
    """The hand-written variants' failure: the list of bad fields."""


# Conversions, written once and shared by the jsonpath-ng variants -----------


def _text(value: Any, errors: list[str], name: str, *, required: bool = True) -> str | None:
    if value is None:
        if required:
            errors.append(name)
        return None
    if type(value) is not str:
        errors.append(name)
        return None
    return value


def _integer(value: Any, errors: list[str], name: str) -> int | None:
    if type(value) is not int:
        errors.append(name)
        return None
    return value


def _money(value: Any, errors: list[str], name: str, quantum: Decimal) -> Decimal | None:
    if type(value) is Decimal and value.is_finite():
        return value.quantize(quantum, rounding=ROUND_HALF_UP)
    if type(value) is int:
        return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    errors.append(name)
    return None


def _local_time(value: Any, errors: list[str], name: str) -> datetime | None:
    if type(value) is not datetime or value.tzinfo is None:
        errors.append(name)
        return None
    return value.astimezone(SHANGHAI)


def _lookup(
    xref: InMemoryCrossReference, table: str, key: str | None, errors: list[str], name: str
) -> str | None:
    if key is None:
        return None
    code = xref.lookup(table, key)
    if code is None:
        errors.append(name)
    return code


# Hand-written: what a developer would write for this one system -------------


def handwritten(order: dict[str, Any], xref: InMemoryCrossReference) -> dict[str, Any]:
    errors: list[str] = []
    out: dict[str, Any] = {}
    get = order.get
    out["externalRef"] = _text(get("order_no"), errors, "externalRef")
    dealer = _text(get("dealer_code"), errors, "customer.dealerCode")
    out["customer"] = {
        "code": _lookup(xref, "erp_customer", dealer, errors, "customer.code"),
        "dealerCode": dealer,
    }
    warehouse = _text(get("warehouse"), errors, "warehouse")
    out["warehouse"] = warehouse.strip().upper() if warehouse is not None else None
    out["currency"] = _text(get("currency"), errors, "currency", required=False) or "CNY"
    created = _local_time(get("created_at"), errors, "createdAt")
    if created is not None:
        out["orderDate"] = created.strftime("%Y-%m-%d")
        out["createdAt"] = created.isoformat()
    requested = get("requested_date")
    if type(requested) is date:
        out["requestedDate"] = requested.strftime("%Y%m%d")
    elif requested is not None:
        errors.append("requestedDate")
    urgent = get("urgent")
    out["priority"] = "HIGH" if urgent is True else "NORMAL"
    if urgent is True:
        out["deliveryMode"] = "EXPRESS"
    po = _text(get("customer_po"), errors, "customerPo", required=False)
    if po is not None and po.strip():
        out["customerPo"] = po.strip()
    ship_to = get("ship_to")
    if type(ship_to) is dict:
        name = _text(ship_to.get("name"), errors, "shipTo.name")
        phone = _text(ship_to.get("phone"), errors, "shipTo.phone", required=False)
        ship: dict[str, Any] = {"name": name.strip()[:40] if name is not None else None}
        if phone is not None:
            ship["phone"] = phone.replace(" ", "").replace("-", "")
        ship["address"] = _text(ship_to.get("address"), errors, "shipTo.address")
        out["shipTo"] = ship
    remark = _text(get("remark"), errors, "note", required=False)
    if remark is not None and remark.strip():
        out["note"] = remark.strip()[:200]
    out["totals"] = {
        "gross": _money(get("total"), errors, "totals.gross", CENT),
        "tax": _money(get("tax_amount"), errors, "totals.tax", CENT),
    }
    lines = []
    for index, line in enumerate(get("lines") or ()):
        where = f"lines[{index}]."
        lget = line.get
        sku = _text(lget("sku"), errors, where + "sku")
        tax_rate = lget("tax_rate")
        gift = lget("is_gift")
        lines.append(
            {
                "lineNo": _integer(lget("line_no"), errors, where + "lineNo"),
                "sku": sku,
                "materialCode": _lookup(xref, "erp_material", sku, errors, where + "materialCode"),
                "quantity": _integer(lget("qty"), errors, where + "quantity"),
                "unitPrice": _money(lget("unit_price"), errors, where + "unitPrice", UNIT),
                "amount": _money(lget("amount"), errors, where + "amount", CENT),
                "taxRate": tax_rate / HUNDRED
                if type(tax_rate) is Decimal
                else DEFAULT_TAX_FRACTION,
                "lineType": "GIFT" if gift is True else "SALE",
            }
        )
    out["lines"] = lines
    if errors:
        raise Refused(errors)
    return out


# jsonpath-ng, field by field ------------------------------------------------

Convert = Callable[[Any, InMemoryCrossReference, list[str]], Any]


def _strip_upper(value: Any, _x: InMemoryCrossReference, errors: list[str]) -> Any:
    text = _text(value, errors, "warehouse")
    return text.strip().upper() if text is not None else None


def _optional_stripped(limit: int, name: str) -> Convert:
    def convert(value: Any, _x: InMemoryCrossReference, errors: list[str]) -> Any:
        text = _text(value, errors, name, required=False)
        return text.strip()[:limit] or None if text is not None else None

    return convert


def _time_format(fmt: str) -> Convert:
    def convert(value: Any, _x: InMemoryCrossReference, errors: list[str]) -> Any:
        local = _local_time(value, errors, "created_at")
        if local is None:
            return None
        return local.isoformat() if fmt == "iso" else local.strftime(fmt)

    return convert


def _requested(value: Any, _x: InMemoryCrossReference, errors: list[str]) -> Any:
    if value is None:
        return None
    if type(value) is not date:
        errors.append("requestedDate")
        return None
    return value.strftime("%Y%m%d")


HEADER: list[tuple[str, str, Convert]] = [
    ("externalRef", "$.order_no", lambda v, _x, e: _text(v, e, "externalRef")),
    (
        "customer.code",
        "$.dealer_code",
        lambda v, x, e: _lookup(
            x, "erp_customer", _text(v, e, "customer.code"), e, "customer.code"
        ),
    ),
    ("customer.dealerCode", "$.dealer_code", lambda v, _x, e: _text(v, e, "customer.dealerCode")),
    ("warehouse", "$.warehouse", _strip_upper),
    ("currency", "$.currency", lambda v, _x, e: _text(v, e, "currency", required=False) or "CNY"),
    ("orderDate", "$.created_at", _time_format("%Y-%m-%d")),
    ("createdAt", "$.created_at", _time_format("iso")),
    ("requestedDate", "$.requested_date", _requested),
    ("priority", "$.urgent", lambda v, _x, _e: "HIGH" if v is True else "NORMAL"),
    ("deliveryMode", "$.urgent", lambda v, _x, _e: "EXPRESS" if v is True else None),
    ("customerPo", "$.customer_po", _optional_stripped(10**6, "customerPo")),
    (
        "shipTo.name",
        "$.ship_to.name",
        lambda v, _x, e: (_text(v, e, "shipTo.name") or "").strip()[:40],
    ),
    (
        "shipTo.phone",
        "$.ship_to.phone",
        lambda v, _x, e: (_text(v, e, "shipTo.phone") or "").replace(" ", "").replace("-", ""),
    ),
    ("shipTo.address", "$.ship_to.address", lambda v, _x, e: _text(v, e, "shipTo.address")),
    ("note", "$.remark", _optional_stripped(200, "note")),
    ("totals.gross", "$.total", lambda v, _x, e: _money(v, e, "totals.gross", CENT)),
    ("totals.tax", "$.tax_amount", lambda v, _x, e: _money(v, e, "totals.tax", CENT)),
]
LINE: list[tuple[str, str, Convert]] = [
    ("lineNo", "$.line_no", lambda v, _x, e: _integer(v, e, "lineNo")),
    ("sku", "$.sku", lambda v, _x, e: _text(v, e, "sku")),
    (
        "materialCode",
        "$.sku",
        lambda v, x, e: _lookup(x, "erp_material", _text(v, e, "sku"), e, "materialCode"),
    ),
    ("quantity", "$.qty", lambda v, _x, e: _integer(v, e, "quantity")),
    ("unitPrice", "$.unit_price", lambda v, _x, e: _money(v, e, "unitPrice", UNIT)),
    ("amount", "$.amount", lambda v, _x, e: _money(v, e, "amount", CENT)),
    (
        "taxRate",
        "$.tax_rate",
        lambda v, _x, _e: v / HUNDRED if type(v) is Decimal else DEFAULT_TAX_FRACTION,
    ),
    ("lineType", "$.is_gift", lambda v, _x, _e: "GIFT" if v is True else "SALE"),
]
LINES_PATH = "$.lines[*]"


def _first(expr: Any, doc: Any) -> Any:
    matches = expr.find(doc)
    return matches[0].value if matches else None


def _store(out: dict[str, Any], target: str, value: Any) -> None:
    *parents, last = target.split(".")
    for name in parents:
        out = out.setdefault(name, {})
    if value is not None:
        out[last] = value


Compiled = tuple[list[tuple[str, Any, Convert]], list[tuple[str, Any, Convert]], Any]


def compile_jsonpaths() -> Compiled:
    header = [(target, jsonpath_parse(path), convert) for target, path, convert in HEADER]
    line = [(target, jsonpath_parse(path), convert) for target, path, convert in LINE]
    return header, line, jsonpath_parse(LINES_PATH)


def jsonpath_once(
    order: dict[str, Any], xref: InMemoryCrossReference, compiled: Compiled
) -> dict[str, Any]:
    header, line_fields, lines_expr = compiled
    errors: list[str] = []
    out: dict[str, Any] = {}
    for target, expr, convert in header:
        _store(out, target, convert(_first(expr, order), xref, errors))
    lines = []
    for match in lines_expr.find(order):
        built: dict[str, Any] = {}
        for target, expr, convert in line_fields:
            built[target] = convert(_first(expr, match.value), xref, errors)
        lines.append(built)
    out["lines"] = lines
    if errors:
        raise Refused(errors)
    return out


def jsonpath_per_record(order: dict[str, Any], xref: InMemoryCrossReference) -> dict[str, Any]:
    return jsonpath_once(order, xref, compile_jsonpaths())
