"""SAP through SOAP: BAPIs wrapped as a SOAMANAGER service.

push     BAPI_SALESORDER_GETLIST (by PURCHASE_ORDER_NUMBER), then
         BAPI_SALESORDER_CREATEFROMDAT2; RETURN of type E or A is a
         BusinessRejection (code: message class/number)
cancel   BAPI_SALESORDER_GETSTATUS, then BAPI_SALESORDER_CHANGE setting a
         reason for rejection on every open item
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from connectors.mapping import CrossReference
from connectors.sap.config import SapConfig
from connectors.sap.connector import SapConnector
from connectors.sap.soap import SapSoap
from dms_domain.errors import BusinessRejection, PermanentError
from dms_domain.exchange import CancelResult, CancelStatus, Capability

ERRORS = frozenset({"E", "A"})  # BAPIRET2 types that mean "not done"


def external(number: Any) -> str:
    """SAP's document number as its users see it (ALPHA output: no leading zeros)."""
    return str(number or "").strip().lstrip("0")


def internal(number: str) -> str:
    return number.strip().zfill(10)


def table(answer: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """A table parameter's rows (zeep gives ``{"item": [...]}`` or None)."""
    value = answer.get(name)
    rows = value.get("item") if isinstance(value, dict) else None
    return [row for row in rows or [] if isinstance(row, dict)]


def rejection(messages: list[dict[str, Any]]) -> BusinessRejection | None:
    errors = [m for m in messages if str(m.get("TYPE") or "") in ERRORS]
    if not errors:
        return None
    first = errors[0]
    klass, number = str(first.get("ID") or "").strip(), str(first.get("NUMBER") or "").strip()
    code = f"{klass}/{number}" if number else klass or "SAP_ERROR"
    text = "; ".join(str(m.get("MESSAGE") or "").strip() for m in errors if m.get("MESSAGE"))
    return BusinessRejection(text or f"SAP refused: {code}", code=code, system="sap")


def _quantity(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)


class SapSoapConnector(SapConnector):
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUSH_ORDER, Capability.CANCEL_ORDER}
    )

    def __init__(
        self, name: str, config: SapConfig, *, mappings_root: Path, xref: CrossReference
    ) -> None:
        super().__init__(name, config, mappings_root=mappings_root, xref=xref)
        self._soap = SapSoap(self.who, config)

    def close(self) -> None:
        self._soap.close()

    def _documents(self, order_no: str, customer: str | None = None) -> set[str]:
        params = {"PURCHASE_ORDER_NUMBER": order_no}
        if customer:
            params["CUSTOMER_NUMBER"] = customer
        answer = self._soap.call("BAPI_SALESORDER_GETLIST", **params)
        returned = answer.get("RETURN")
        if isinstance(returned, dict) and returned.get("TYPE") in ERRORS:
            raise PermanentError(
                f"{self.who}: BAPI_SALESORDER_GETLIST: {returned.get('MESSAGE')}",
                code="lookup_refused",
            )
        return {
            external(row.get("SD_DOC"))
            for row in table(answer, "SALES_ORDERS")
            if str(row.get("PURCH_NO") or "").strip() == order_no and external(row.get("SD_DOC"))
        }

    def _lookup(self, body: dict[str, Any]) -> str | None:
        order_no = str(body["ORDER_HEADER_IN"]["PURCH_NO_C"])
        partners = body.get("ORDER_PARTNERS", {}).get("item", [])
        sold_to = next((p.get("PARTN_NUMB") for p in partners if p.get("PARTN_ROLE") == "AG"), None)
        return self._one(self._documents(order_no, sold_to), order_no)

    def _create(self, body: dict[str, Any]) -> str:
        answer = self._soap.call("BAPI_SALESORDER_CREATEFROMDAT2", **body)
        refused = rejection(table(answer, "RETURN"))
        if refused is not None:
            raise refused
        document = external(answer.get("SALESDOCUMENT"))
        if not document:
            raise self._broken("BAPI_SALESORDER_CREATEFROMDAT2", answer)
        return document

    def cancel_order(self, order_no: str, erp_ref: str | None, reason: str | None) -> CancelResult:
        document = erp_ref or self._one(self._documents(order_no), order_no)
        if document is None:
            return CancelResult(CancelStatus.CANCELLED, "SAP has no such order")
        status = self._soap.call("BAPI_SALESORDER_GETSTATUS", SALESDOCUMENT=internal(document))
        rows = table(status, "STATUSINFO")
        returned = status.get("RETURN")
        if not rows and isinstance(returned, dict) and returned.get("TYPE") in ERRORS:
            return CancelResult(CancelStatus.CANCELLED, f"SAP has no document {document}")
        open_items = [r for r in rows if not str(r.get("REA_FOR_RE") or "").strip()]
        if not open_items:
            return CancelResult(CancelStatus.CANCELLED, reason)
        delivered = [r for r in open_items if _quantity(r.get("DLV_QTY")) > 0]
        if delivered:
            items = ", ".join(str(r.get("ITM_NUMBER")) for r in delivered)
            return CancelResult(CancelStatus.REFUSED, f"DELIVERED: items {items} are delivered")
        numbers = [str(r.get("ITM_NUMBER")) for r in open_items]
        messages = self._soap.call_table(
            "BAPI_SALESORDER_CHANGE",
            SALESDOCUMENT=internal(document),
            ORDER_HEADER_INX={"UPDATEFLAG": "U"},
            ORDER_ITEM_IN={
                "item": [
                    {"ITM_NUMBER": n, "REASON_REJ": self.config.rejection_reason} for n in numbers
                ]
            },
            ORDER_ITEM_INX={
                "item": [{"ITM_NUMBER": n, "UPDATEFLAG": "U", "REASON_REJ": "X"} for n in numbers]
            },
        )
        refused = rejection(messages)
        if refused is not None:
            return CancelResult(CancelStatus.REFUSED, f"{refused.code}: {refused.detail}")
        return CancelResult(CancelStatus.CANCELLED, reason)

    def check(self) -> list[str]:
        return self._check_call(lambda: self._documents("HUB-HEALTH-CHECK"))
