"""Sales orders in K3 Cloud: Save, then Submit and Audit, resumable; cancel by
the operation the bill's state allows.

The hub order number is the bill's ``FBillNo``, unique in K3. A push looks
the bill up first (ExecuteBillQuery) and, from the state it finds, does only
what is left: Save if absent, Submit if created (A) or re-audit (D), Audit if
submitted (B); audited (C) is done. Two pushes racing past the look-up: the
second Save is refused for the duplicate ``FBillNo`` and the push goes on with
the bill found. An operation refused because another push already did it is
noticed by looking again.

Cancel (``cancel_by``): ``void`` (default) un-audits (or withdraws a
submitted bill) and voids it (作废, the bill stays); ``delete`` un-audits and
deletes it; ``close`` closes the audited bill (整单关闭) unless goods left.
K3 refuses to un-audit a bill with deliveries: that refusal is the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.kingdee import protocol
from connectors.kingdee.transport import KingdeeHttp
from dms_domain.errors import BusinessRejection, PermanentError, TransientError
from dms_domain.exchange import CancelResult, CancelStatus, PushResult, PushStatus

FORM = "SAL_SaleOrder"
LOOKUP_KEYS = ("FID", "FBillNo", "FDocumentStatus", "FCloseStatus", "FCancelStatus", "FStockOutQty")
NEXT_STEP = {"Z": "Submit", "A": "Submit", "D": "Submit", "B": "Audit"}
AUDITED = "C"
MAX_STEPS = 4


@dataclass(frozen=True, slots=True)
class SaleBill:
    fid: int
    number: str
    status: str  # Z draft, A created, B submitted, C audited, D re-audit
    closed: bool
    voided: bool
    shipped: Decimal  # units delivered (FStockOutQty), all entries


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class SaleOrders:
    def __init__(self, http: KingdeeHttp, name: str, *, cancel_by: str) -> None:
        self.http = http
        self.name = name
        self.cancel_by = cancel_by

    # -- look-up -------------------------------------------------------------------------

    def find(self, number: str) -> SaleBill | None:
        data = {
            "FormId": FORM,
            "FieldKeys": ",".join(LOOKUP_KEYS),
            "FilterString": f"FBillNo = {_quoted(number)}",
            "StartRow": 0,
            "Limit": 2000,
        }
        where = f"{self.name}: ExecuteBillQuery {FORM} {number}"
        answer = self.http.call(protocol.DYNAMIC_FORM + "ExecuteBillQuery", {"data": data}, where)
        rows = protocol.query_rows(answer, len(LOOKUP_KEYS), where, self.http.system)
        bills = {row[0] for row in rows}
        if len(bills) > 1:
            raise PermanentError(
                f"{where}: {len(bills)} bills carry FBillNo {number}", code="duplicate_documents"
            )
        if not rows:
            return None
        fid, bill_no, status, close, cancel, _ = rows[0]
        if not isinstance(fid, int) or not isinstance(bill_no, str) or not isinstance(status, str):
            raise TransientError(f"{where}: a row without FID, FBillNo or status: {rows[0]!r:.200}")
        shipped = sum(
            (Decimal(str(row[5])) for row in rows if isinstance(row[5], int | Decimal)),
            Decimal(0),
        )
        return SaleBill(int(fid), bill_no, status, close == "B", cancel == "B", shipped)

    def result(self, bill: SaleBill) -> PushResult:
        if bill.voided:
            raise BusinessRejection(
                f"sales order {bill.number} is void in K3 (作废)",
                code="K3_VOIDED",
                erp_ref=bill.number,
            )
        status = PushStatus.ACCEPTED if bill.status == AUDITED else PushStatus.PENDING
        return PushResult(status, bill.number)

    # -- push ------------------------------------------------------------------------------

    def push(self, number: str, model: dict[str, Any]) -> PushResult:
        bill = self.find(number)
        if bill is None:
            bill = self._save(number, model)
        for _ in range(MAX_STEPS):
            if bill.voided or bill.status == AUDITED or bill.status not in NEXT_STEP:
                break
            bill = self._step(NEXT_STEP[bill.status], bill)
        return self.result(bill)

    def _save(self, number: str, model: dict[str, Any]) -> SaleBill:
        data = {
            "NeedUpDateFields": [],
            "NeedReturnFields": ["FID", "FBillNo"],
            "IsDeleteEntry": True,
            "IsVerifyBaseDataField": True,
            "ValidateFlag": True,
            "Model": model,
        }
        try:
            saved = self._operate("Save", {"formid": FORM, "data": data}, number)
        except BusinessRejection as refused:
            if not any(e.get("field") == "FBillNo" for e in refused.extra.get("errors", [])):
                raise
            # Another push saved it meanwhile: go on with that bill.
        else:
            entities = saved["ResponseStatus"].get("SuccessEntitys") or [{}]
            given = entities[0].get("Number") if isinstance(entities[0], dict) else None
            if given != number:
                # Every retry would save another bill nobody can find by our number.
                raise PermanentError(
                    f"{self.name}: K3 saved sales order {number} as {given!r}: its coding "
                    "rule for SAL_SaleOrder must allow manual bill numbers (手工编号)",
                    code="bill_number_overridden",
                    erp_ref=given,
                )
            fid = entities[0].get("Id")
            if isinstance(fid, int):
                return SaleBill(fid, number, "A", closed=False, voided=False, shipped=Decimal(0))
        bill = self.find(number)
        if bill is None:
            raise TransientError(f"{self.name}: sales order {number} saved but not found yet")
        return bill

    def _step(self, op: str, bill: SaleBill) -> SaleBill:
        try:
            self._operate(op, {"formid": FORM, "data": {"Numbers": [bill.number]}}, bill.number)
        except BusinessRejection:
            again = self.find(bill.number)
            if again is not None and (again.status, again.voided) != (bill.status, bill.voided):
                return again  # another push (or a person) moved it meanwhile
            raise
        return SaleBill(
            bill.fid,
            bill.number,
            "B" if op == "Submit" else AUDITED,
            bill.closed,
            bill.voided,
            bill.shipped,
        )

    def _operate(self, op: str, body: dict[str, Any], number: str) -> dict[str, Any]:
        where = f"{self.name}: {op} {FORM} {number}"
        service = protocol.DYNAMIC_FORM + op
        return protocol.operation_result(
            self.http.call(service, body, where), where, self.http.system
        )

    # -- cancel ----------------------------------------------------------------------------

    def cancel(self, number: str, reason: str | None) -> CancelResult:
        bill = self.find(number)
        if bill is None:
            return CancelResult(CancelStatus.CANCELLED, f"K3 has no sales order {number}")
        if bill.voided or (bill.closed and self.cancel_by == "close"):
            return CancelResult(CancelStatus.CANCELLED, reason)
        try:
            self._cancel(bill)
        except BusinessRejection as refused:
            return CancelResult(CancelStatus.REFUSED, f"{refused.code}: {refused.detail}")
        return CancelResult(CancelStatus.CANCELLED, reason)

    def _cancel(self, bill: SaleBill) -> None:
        body = {"formid": FORM, "data": {"Numbers": [bill.number]}}
        if self.cancel_by == "close":
            if bill.status != AUDITED:  # nothing to close yet: withdraw and delete it
                if bill.status == "B":
                    self._operate("CancelAssign", body, bill.number)
                self._operate("Delete", body, bill.number)
                return
            if bill.shipped > 0:
                raise BusinessRejection(
                    f"{bill.shipped} units of sales order {bill.number} were delivered",
                    code="FStockOutQty",
                )
            operation = {**body, "opNumber": "BillClose"}
            self._operate("ExcuteOperation", operation, bill.number)
            return
        if bill.status == AUDITED:
            self._operate("UnAudit", body, bill.number)
        elif bill.status == "B":
            self._operate("CancelAssign", body, bill.number)
        if self.cancel_by == "delete":
            self._operate("Delete", body, bill.number)
        else:
            self._operate("ExcuteOperation", {**body, "opNumber": "Cancel"}, bill.number)
