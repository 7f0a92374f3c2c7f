"""The K3 Cloud account set's books, in memory: customers, materials, sales
orders and the bills others query (outbound deliveries, receivables,
receipts, inventory). One lock guards everything; ``FBillNo`` is unique per
form, as K3's bill-number check makes it.

Document statuses are K3's: Z draft, A created, B being audited (submitted),
C audited, D re-audit (after UnAudit). ``FCloseStatus``/``FCancelStatus``: A
open, B closed / voided.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simulators.kingdee.answers import K3Error, MsgCode
from simulators.kingdee.clock import Clock

DEMO_CUSTOMERS = {"CUST0001": "上海东方汽配", "CUST0002": "北京华北汽配"}
DEMO_MATERIALS = {"MAT0001": "机油 5W-30 4L", "MAT0002": "机滤", "MAT0101": "赠品 雨刮"}
DEMO_ORG = "100"
DEFAULT_STOCK = "CK001"
CNY = "PRE001"  # K3's own code of the currency CNY
Row = dict[str, Any]


@dataclass(slots=True)
class OrderEntry:
    entry_id: int
    material: str
    qty: Decimal
    tax_price: Decimal
    tax_rate: Decimal
    is_free: bool
    shipped: Decimal = Decimal(0)


@dataclass(slots=True)
class SaleOrder:
    fid: int
    bill_no: str
    date: str
    customer: str
    org: str
    bill_type: str
    note: str
    entries: list[OrderEntry]
    modified: str
    status: str = "A"
    close_status: str = "A"
    cancel_status: str = "A"
    approved: str | None = None

    def amount(self) -> Decimal:
        return sum((e.qty * e.tax_price for e in self.entries), Decimal(0)).quantize(
            Decimal("0.01")
        )


@dataclass(slots=True)
class Bill:
    """A bill the hub only reads: a header row and its entry rows, in query field keys."""

    fid: int
    bill_no: str
    header: Row
    entries: list[Row] = field(default_factory=list)

    def rows(self, keys: list[str]) -> list[Row]:
        """One row per entry, or per bill when only header fields are asked for."""
        entry_keys = {key.lower() for entry in self.entries for key in entry}
        if not any(key.lower() in entry_keys for key in keys):
            return [dict(self.header)]
        return [{**self.header, **entry} for entry in self.entries]


class Books:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self._ids = itertools.count(100001)
            self._numbers: dict[str, itertools.count[int]] = {}
            self.orders: dict[str, SaleOrder] = {}
            self.bills: dict[str, dict[str, Bill]] = {
                "SAL_OUTSTOCK": {},
                "AR_receivable": {},
                "AR_RECEIVEBILL": {},
            }
            self.inventory: dict[tuple[str, str], Row] = {}
            self.customers: dict[str, Row] = {}
            self.materials: dict[str, Row] = {}
            self._rejection: K3Error | None = None
            # K3's coding rule for the form: False numbers every bill itself, whatever
            # FBillNo the caller sent (a rule that does not allow manual numbers).
            self.manual_numbers = True
            for code, name in DEMO_CUSTOMERS.items():
                self.add_customer(code, name)
            for code, name in DEMO_MATERIALS.items():
                self.add_material(code, name)

    def next_id(self) -> int:
        return next(self._ids)

    def next_number(self, prefix: str) -> str:
        counter = self._numbers.setdefault(prefix, itertools.count(1))
        return f"{prefix}{next(counter):06d}"

    # -- master data -----------------------------------------------------------------

    def add_customer(self, code: str, name: str) -> None:
        with self.lock:
            self.customers[code] = {
                "FCUSTID": self.next_id(),
                "FNumber": code,
                "FName": name,
                "FDocumentStatus": "C",
                "FForbidStatus": "A",
                "FModifyDate": self.clock.stamp(),
            }

    def add_material(self, code: str, name: str, unit: str = "Pcs") -> None:
        with self.lock:
            self.materials[code] = {
                "FMATERIALID": self.next_id(),
                "FNumber": code,
                "FName": name,
                "FBaseUnitId.FNumber": unit,
                "FDocumentStatus": "C",
                "FForbidStatus": "A",
                "FModifyDate": self.clock.stamp(),
            }

    # -- sales orders ----------------------------------------------------------------

    def reject_next(self, code: str, message: str) -> None:
        with self.lock:
            self._rejection = K3Error.one(MsgCode.VALIDATION, message, code)

    def save_order(self, model: Mapping[str, Any]) -> SaleOrder:
        """Save a new SAL_SaleOrder from its ``Model``; K3Error lists every problem."""
        with self.lock:
            problems: list[dict[str, Any]] = []

            def problem(field_name: str | None, message: str, index: int = 0) -> None:
                problems.append({"FieldName": field_name, "Message": message, "DIndex": index})

            bill_no = _text(model.get("FBillNo"))
            customer = _number(model.get("FCustId"))
            org = _number(model.get("FSaleOrgId"))
            if customer is None or customer not in self.customers:
                problem("FCustId", f"客户“{customer}”不存在或未审核")
            if org is None:
                problem("FSaleOrgId", "销售组织是必填项")
            date = _text(model.get("FDate"))
            if date is None:
                problem("FDate", "日期是必填项")
            entries = model.get("FSaleOrderEntry")
            if not isinstance(entries, list) or not entries:
                problem("FSaleOrderEntry", "订单明细至少要有一行")
                entries = []
            lines = []
            for n, raw in enumerate(entries):
                line = self._entry(raw, n, problem)
                if line is not None:
                    lines.append(line)
            if not self.manual_numbers:
                bill_no = None
            if bill_no is not None and bill_no in self.orders:
                problem("FBillNo", f"单据编号“{bill_no}”已经存在，不允许重复")
            if problems:
                raise K3Error(MsgCode.VALIDATION, problems)
            if self._rejection is not None:
                refusal, self._rejection = self._rejection, None
                raise refusal
            order = SaleOrder(
                fid=self.next_id(),
                bill_no=bill_no or self.next_number("XSDD"),
                date=date or "",
                customer=customer or "",
                org=org or "",
                bill_type=_number(model.get("FBillTypeID")) or "XSDD01_SYS",
                note=_text(model.get("FNote")) or "",
                entries=lines,
                modified=self.clock.stamp(),
            )
            self.orders[order.bill_no] = order
            return order

    def _entry(self, raw: Any, n: int, problem: Any) -> OrderEntry | None:
        if not isinstance(raw, dict):
            problem("FSaleOrderEntry", "明细行格式不正确", n)
            return None
        material = _number(raw.get("FMaterialId"))
        qty, price = _decimal(raw.get("FQty")), _decimal(raw.get("FTaxPrice"))
        rate = _decimal(raw.get("FEntryTaxRate"))
        ok = True
        if material is None or material not in self.materials:
            problem("FMaterialId", f"物料“{material}”不存在或未审核", n)
            ok = False
        if qty is None or qty <= 0:
            problem("FQty", f"销售数量必须大于0（{raw.get('FQty')}）", n)
            ok = False
        if price is None or price < 0:
            problem("FTaxPrice", f"含税单价不正确（{raw.get('FTaxPrice')}）", n)
            ok = False
        if not ok or material is None or qty is None or price is None:
            return None
        return OrderEntry(
            entry_id=self.next_id(),
            material=material,
            qty=qty,
            tax_price=price,
            tax_rate=rate if rate is not None else Decimal(13),
            is_free=raw.get("FIsFree") is True,
        )

    def order(self, number: str | None = None, fid: int | None = None) -> SaleOrder:
        with self.lock:
            for order in self.orders.values():
                if order.bill_no == number or order.fid == fid:
                    return order
        what = number if number is not None else fid
        raise K3Error.one(MsgCode.NO_DATA, f"单据“{what}”不存在")

    def operate(self, op: str, order: SaleOrder) -> None:
        """Submit, Audit, UnAudit, Delete, CancelAssign, BillClose on one order."""
        with self.lock:
            allowed = {
                "Submit": ("ZAD", "B"),
                "Audit": ("B", "C"),
                "CancelAssign": ("B", "A"),
                "UnAudit": ("C", "D"),
                "Delete": ("ZAD", None),
                "BillClose": ("C", None),
                "Cancel": ("ZAD", None),  # 作废: the bill stays, marked void
            }
            if op not in allowed:
                raise K3Error.one(MsgCode.BAD_PARAMETER, f"不支持的操作“{op}”")
            before, after = allowed[op]
            if order.status not in before or order.cancel_status == "B":
                raise K3Error.one(
                    MsgCode.VALIDATION,
                    f"单据“{order.bill_no}”当前状态（{order.status}）不允许执行“{op}”操作",
                )
            shipped = any(entry.shipped > 0 for entry in order.entries)
            if op == "UnAudit" and shipped:
                raise K3Error.one(
                    MsgCode.VALIDATION,
                    f"单据“{order.bill_no}”已有下游单据（销售出库单），不允许反审核",
                )
            order.modified = self.clock.stamp()
            if op == "Delete":
                del self.orders[order.bill_no]
            elif op == "BillClose":
                order.close_status = "B"
            elif op == "Cancel":
                order.cancel_status = "B"
            else:
                assert after is not None
                order.status = after
                order.approved = order.modified if after == "C" else None

    # -- what happens later in the ERP -------------------------------------------------

    def ship(self, bill_no: str, lines: Mapping[int, int] | None = None) -> str:
        """An audited SAL_OUTSTOCK for {line_no: qty} of the order, or all that is left."""
        with self.lock:
            order = self.order(bill_no)
            if order.status != "C":
                raise K3Error.one(MsgCode.VALIDATION, f"销售订单“{bill_no}”未审核，不能出库")
            fid, stamp = self.next_id(), self.clock.stamp()
            outstock = Bill(
                fid,
                self.next_number("XSCKD"),
                {
                    "FID": fid,
                    "FBillNo": "",
                    "FDate": stamp[:10] + "T00:00:00",
                    "FDocumentStatus": "C",
                    "FCustomerID.FNumber": order.customer,
                    "FStockOrgId.FNumber": order.org,
                    "FCarrierID.FNumber": "SF",
                    "FCarriageNO": f"SF{fid:010d}",
                    "FModifyDate": stamp,
                    "FApproveDate": stamp,
                },
            )
            outstock.header["FBillNo"] = outstock.bill_no
            for n, entry in enumerate(order.entries, start=1):
                left = entry.qty - entry.shipped
                qty = left if lines is None else Decimal(lines.get(n, 0))
                if qty <= 0:
                    continue
                if qty > left:
                    raise K3Error.one(MsgCode.VALIDATION, f"第{n}行出库数量超过未出库数量")
                entry.shipped += qty
                outstock.entries.append(
                    {
                        "FEntryID": self.next_id(),
                        "FMaterialID.FNumber": entry.material,
                        "FRealQty": qty,
                        "FStockID.FNumber": DEFAULT_STOCK,
                        "FSoorDerno": order.bill_no,
                        "FSrcBillNo": order.bill_no,
                    }
                )
            self.bills["SAL_OUTSTOCK"][outstock.bill_no] = outstock
            return outstock.bill_no

    def invoice(self, bill_no: str) -> str:
        """An audited AR_receivable for the whole order."""
        with self.lock:
            order = self.order(bill_no)
            fid, stamp = self.next_id(), self.clock.stamp()
            number = self.next_number("AR")
            receivable = Bill(
                fid,
                number,
                {
                    "FID": fid,
                    "FBillNo": number,
                    "FDATE": stamp[:10] + "T00:00:00",
                    "FENDDATE_H": stamp[:10] + "T00:00:00",
                    "FCUSTOMERID.FNumber": order.customer,
                    "FCURRENCYID.FNumber": CNY,
                    "FALLAMOUNTFOR": order.amount(),
                    "FDocumentStatus": "C",
                    "FModifyDate": stamp,
                    "FApproveDate": stamp,
                },
            )
            for entry in order.entries:
                gross = (entry.qty * entry.tax_price).quantize(Decimal("0.01"))
                tax = (gross - gross / (1 + entry.tax_rate / 100)).quantize(Decimal("0.01"))
                receivable.entries.append(
                    {
                        "FEntryID": self.next_id(),
                        "FORDERNUMBER": order.bill_no,
                        "FMATERIALID.FNumber": entry.material,
                        "FPriceQty": entry.qty,
                        "FTAXPRICE": entry.tax_price,
                        "FALLAMOUNTFOR_D": gross,
                        "FTAXAMOUNTFOR": tax,
                    }
                )
            self.bills["AR_receivable"][number] = receivable
            return number

    def add_bill(self, form: str, header: Row, entries: list[Row] | None = None) -> str:
        """A bill as given (test data a mapping may not read); its number."""
        with self.lock:
            fid, stamp = self.next_id(), self.clock.stamp()
            number = str(header.get("FBillNo") or self.next_number(form[:3].upper()))
            row = {
                "FID": fid,
                "FBillNo": number,
                "FDocumentStatus": "C",
                "FModifyDate": stamp,
                "FApproveDate": stamp,
                **{k: v for k, v in header.items() if k != "FBillNo"},
            }
            lines = [{"FEntryID": self.next_id(), **entry} for entry in entries or []]
            self.bills[form][number] = Bill(fid, number, row, lines)
            return number

    def receive(self, customer: str, amount: Decimal) -> str:
        """An audited AR_RECEIVEBILL (a receipt) from the customer."""
        stamp = self.clock.stamp()
        return self.add_bill(
            "AR_RECEIVEBILL",
            {
                "FBillNo": "",
                "FDATE": stamp[:10] + "T00:00:00",
                "FCONTACTUNIT.FNumber": customer,
                "FRECEIVEAMOUNTFOR": amount,
                "FCURRENCYID.FNumber": CNY,
            },
        )

    def set_stock(self, stock: str, material: str, qty: Decimal) -> None:
        with self.lock:
            line = self.inventory.get((stock, material))
            if line is None:
                line = {
                    "FID": str(uuid.uuid4()),
                    "FStockId.FNumber": stock,
                    "FMaterialId.FNumber": material,
                    "FStockOrgId.FNumber": DEMO_ORG,
                    "FLot.FNumber": "",
                    "FStockStatusId.FNumber": "KCZT01_SYS",
                }
                self.inventory[(stock, material)] = line
            line["FBaseQty"] = qty
            line["FQty"] = qty
            line["FUpdateTime"] = self.clock.stamp()

    # -- rows for ExecuteBillQuery ---------------------------------------------------

    def rows(self, form: str, keys: list[str]) -> list[Row]:
        with self.lock:
            if form == "SAL_SaleOrder":
                return [row for o in self.orders.values() for row in _order_bill(o).rows(keys)]
            if form in self.bills:
                # Every field of the form exists on every row, null when not filled in.
                blank = dict.fromkeys(BILL_FIELDS[form])
                return [
                    {**blank, **row}
                    for bill in self.bills[form].values()
                    for row in bill.rows(keys)
                ]
            if form == "STK_Inventory":
                return [dict(line) for line in self.inventory.values()]
            if form == "BD_Customer":
                return [dict(row) for row in self.customers.values()]
            if form == "BD_MATERIAL":
                return [dict(row) for row in self.materials.values()]
        raise K3Error.one(MsgCode.BAD_PARAMETER, f"业务对象“{form}”不存在")


HEADER_ENTRY_KEY = "FSaleOrderEntry_FEntryID"
_COMMON = ("FID", "FBillNo", "FDocumentStatus", "FModifyDate", "FApproveDate")
BILL_FIELDS: dict[str, tuple[str, ...]] = {
    "SAL_OUTSTOCK": (
        *_COMMON,
        *("FDate", "FCustomerID.FNumber", "FStockOrgId.FNumber", "FCarrierID.FNumber"),
        *("FCarriageNO", "FEntryID", "FMaterialID.FNumber", "FRealQty", "FStockID.FNumber"),
        *("FSoorDerno", "FSrcBillNo"),
    ),
    "AR_receivable": (
        *_COMMON,
        *("FDATE", "FENDDATE_H", "FCUSTOMERID.FNumber", "FCURRENCYID.FNumber", "FALLAMOUNTFOR"),
        *("FEntryID", "FORDERNUMBER", "FMATERIALID.FNumber", "FPriceQty", "FTAXPRICE"),
        *("FALLAMOUNTFOR_D", "FTAXAMOUNTFOR"),
    ),
    "AR_RECEIVEBILL": (
        *_COMMON,
        *("FDATE", "FCONTACTUNIT.FNumber", "FRECEIVEAMOUNTFOR", "FCURRENCYID.FNumber"),
    ),
}


def _order_bill(order: SaleOrder) -> Bill:
    header: Row = {
        "FID": order.fid,
        "FBillNo": order.bill_no,
        "FDate": order.date,
        "FDocumentStatus": order.status,
        "FCloseStatus": order.close_status,
        "FCancelStatus": order.cancel_status,
        "FCustId.FNumber": order.customer,
        "FSaleOrgId.FNumber": order.org,
        "FBillTypeID.FNumber": order.bill_type,
        "FNote": order.note,
        "FModifyDate": order.modified,
        "FApproveDate": order.approved,
        "FBillAllAmount": order.amount(),
    }
    entries = [
        {
            HEADER_ENTRY_KEY: e.entry_id,
            "FMaterialId.FNumber": e.material,
            "FQty": e.qty,
            "FTaxPrice": e.tax_price,
            "FEntryTaxRate": e.tax_rate,
            "FIsFree": e.is_free,
            "FStockOutQty": e.shipped,
        }
        for e in order.entries
    ]
    return Bill(order.fid, order.bill_no, header, entries)


def view_of(order: SaleOrder) -> Row:
    """The bill as View answers it: field names without their F, base data as objects."""
    return {
        "Id": order.fid,
        "BillNo": order.bill_no,
        "Date": order.date,
        "DocumentStatus": order.status,
        "CloseStatus": order.close_status,
        "CancelStatus": order.cancel_status,
        "BillTypeID": {"Number": order.bill_type},
        "CustId": {"Number": order.customer},
        "SaleOrgId": {"Number": order.org},
        "Note": order.note,
        "ModifyDate": order.modified,
        "ApproveDate": order.approved,
        "SaleOrderEntry": [
            {
                "Id": e.entry_id,
                "MaterialId": {"Number": e.material},
                "Qty": e.qty,
                "TaxPrice": e.tax_price,
                "EntryTaxRate": e.tax_rate,
                "IsFree": e.is_free,
                "StockOutQty": e.shipped,
            }
            for e in order.entries
        ],
    }


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _number(value: Any) -> str | None:
    """A base-data reference: {"FNumber": "..."} (any case of the key), or the code itself."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.lower() == "fnumber":
                return _text(inner)
        return None
    return _text(value)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return None
    return None
