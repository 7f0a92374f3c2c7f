"""The DynamicFormService operations on the books: Save, BatchSave, Submit,
Audit, UnAudit, Delete, CancelAssign, ExcuteOperation, View, ExecuteBillQuery.
Each takes the request's ``formid`` and ``data`` and gives the answer's JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.kingdee import query
from simulators.kingdee.answers import K3Error, MsgCode, failure, operation_result, response_status
from simulators.kingdee.books import Books, SaleOrder, view_of

SALE_ORDER = "SAL_SaleOrder"
WRITES = frozenset(
    {"Save", "BatchSave", "Submit", "Audit", "UnAudit", "Delete", "CancelAssign", "ExcuteOperation"}
)
STATUS_OPERATIONS = frozenset({"Submit", "Audit", "UnAudit", "Delete", "CancelAssign"})


def _entity(order: SaleOrder, index: int = 0) -> dict[str, Any]:
    return {"Id": order.fid, "Number": order.bill_no, "DIndex": index}


def _sale_order_only(formid: Any) -> None:
    if formid != SALE_ORDER:
        raise K3Error.one(
            MsgCode.BAD_PARAMETER, f"模拟器只支持 {SALE_ORDER} 的此操作（{formid!r}）"
        )


def _targets(books: Books, data: dict[str, Any]) -> list[tuple[str | None, int | None]]:
    numbers, ids = data.get("Numbers"), data.get("Ids")
    if isinstance(numbers, list) and numbers:
        return [(str(n), None) for n in numbers]
    if isinstance(ids, str) and ids.strip():
        try:
            return [(None, int(part)) for part in ids.split(",") if part.strip()]
        except ValueError:
            raise K3Error.one(MsgCode.BAD_PARAMETER, f"Ids 格式不正确：“{ids}”") from None
    raise K3Error.one(MsgCode.BAD_PARAMETER, "Numbers 或 Ids 是必填项")


class Services:
    def __init__(self, books: Books) -> None:
        self.books = books
        self._ops: dict[str, Callable[[Any, dict[str, Any], bool], Any]] = {
            "Save": self.save,
            "BatchSave": self.save,
            "View": self.view,
            "ExecuteBillQuery": self.bill_query,
            "ExcuteOperation": self.operation,
        }

    def known(self, op: str) -> bool:
        return op in self._ops or op in STATUS_OPERATIONS

    def run(self, op: str, formid: Any, data: dict[str, Any], *, stale: bool = False) -> Any:
        """The answer of one operation; K3Error becomes its failure answer."""
        try:
            if op in STATUS_OPERATIONS:
                return self.status_operation(op, formid, data)
            return self._ops[op](formid, data, stale)
        except K3Error as error:
            return failure(error, query=op == "ExecuteBillQuery")

    def save(self, formid: Any, data: dict[str, Any], _stale: bool) -> Any:
        _sale_order_only(formid)
        model = data.get("Model")
        models = model if isinstance(model, list) else [model]
        if not all(isinstance(m, dict) for m in models) or not models:
            raise K3Error.one(MsgCode.BAD_PARAMETER, "Model 必须是对象（BatchSave 为对象数组）")
        saved: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        code = MsgCode.NONE
        for index, one in enumerate(models):
            try:
                order = self.books.save_order(one)
            except K3Error as error:
                errors.extend({**e, "DIndex": index} for e in error.errors)
                code = error.msg_code
                continue
            saved.append(_entity(order, index))
            if data.get("IsAutoSubmitAndAudit") is True:
                self.books.operate("Submit", order)
                self.books.operate("Audit", order)
        if errors:
            return operation_result(response_status(errors=errors, msg_code=code, entities=saved))
        return operation_result(response_status(entities=saved))

    def status_operation(self, op: str, formid: Any, data: dict[str, Any]) -> Any:
        _sale_order_only(formid)
        return self._each(data, lambda order: self.books.operate(op, order))

    def operation(self, formid: Any, data: dict[str, Any], _stale: bool) -> Any:
        _sale_order_only(formid)
        op = data.get("opNumber") or data.get("OpNumber")
        if op not in ("BillClose", "Cancel"):
            raise K3Error.one(MsgCode.BAD_PARAMETER, f"模拟器不支持操作“{op}”")
        return self._each(data, lambda order: self.books.operate(str(op), order))

    def _each(self, data: dict[str, Any], act: Callable[[SaleOrder], None]) -> Any:
        done: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        code = MsgCode.NONE
        for index, (number, fid) in enumerate(_targets(self.books, data)):
            try:
                order = self.books.order(number, fid)
                act(order)
            except K3Error as error:
                errors.extend({**e, "DIndex": index} for e in error.errors)
                code = error.msg_code
                continue
            done.append(_entity(order, index))
        return operation_result(response_status(errors=errors, msg_code=code, entities=done))

    def view(self, formid: Any, data: dict[str, Any], stale: bool) -> Any:
        _sale_order_only(formid)
        number, fid = data.get("Number"), data.get("Id")
        if number in (None, "") and fid in (None, "", 0):
            raise K3Error.one(MsgCode.BAD_PARAMETER, "Number 或 Id 是必填项")
        if stale:
            raise K3Error.one(MsgCode.NO_DATA, f"单据“{number or fid}”不存在")
        order = self.books.order(
            str(number) if number not in (None, "") else None,
            int(fid) if isinstance(fid, int | str) and str(fid).isdigit() else None,
        )
        with self.books.lock:
            bill = view_of(order)
        return {"Result": {"ResponseStatus": response_status(), "Result": bill}}

    def bill_query(self, _formid: Any, data: dict[str, Any], stale: bool) -> Any:
        form = data.get("FormId")
        if not isinstance(form, str) or not form:
            raise K3Error.one(MsgCode.BAD_PARAMETER, "FormId 是必填项")
        keys = query.field_keys(data)
        rows = [] if stale and form == SALE_ORDER else self.books.rows(form, keys)
        return query.execute(rows, data)
