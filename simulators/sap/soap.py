"""The SOAP face: the WSDL and one endpoint for the four wrapped function
modules, as SOAMANAGER serves them.

Requests are parsed without resolving entities or reaching the network, any
DTD is refused, and the operation element is validated against the WSDL's
schema before anything is done; what fails is a ``soap:Client`` fault.
Business errors come back as SAP's do: a normal answer whose RETURN table
holds a message of type E.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from simulators.sap import wsdl
from simulators.sap.edge import Edge, logon_page, logon_refused, unavailable
from simulators.sap.faults import Call, SapFault
from simulators.sap.state import ItemIn, Order, OrderIn, SapRefusal, SapSystem

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XML = "text/xml; charset=utf-8"
MALFORMED = (
    b'<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soap-env:Body><n0:BAPI_SALESORDER_CREATEFROMDAT2Response xmlns:n0="
)
# An answer that would read a local file and expand an entity if the client let it.
UNSAFE = (
    b'<?xml version="1.0"?><!DOCTYPE soap-env:Envelope [<!ENTITY leak SYSTEM "file:///etc/passwd">'
    b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>'
    b'<n0:BAPI_SALESORDER_GETLISTResponse xmlns:n0="urn:sap-com:document:sap:rfc:functions">'
    b"<RETURN><TYPE>&leak;</TYPE><MESSAGE>&b;</MESSAGE></RETURN><SALES_ORDERS/>"
    b"</n0:BAPI_SALESORDER_GETLISTResponse></soap-env:Body></soap-env:Envelope>"
)
WRITES = frozenset({"BAPI_SALESORDER_CREATEFROMDAT2", "BAPI_SALESORDER_CHANGE"})


class ClientFault(Exception):
    """An envelope SAP cannot read or does not accept: a soap:Client fault."""


def fault(code: str, message: str) -> Response:
    envelope = etree.Element(etree.QName(SOAP_ENV, "Envelope"), nsmap={"soap-env": SOAP_ENV})
    body = etree.SubElement(envelope, etree.QName(SOAP_ENV, "Body"))
    node = etree.SubElement(body, etree.QName(SOAP_ENV, "Fault"))
    etree.SubElement(node, "faultcode").text = f"soap-env:{code}"
    etree.SubElement(node, "faultstring").text = message
    etree.SubElement(node, "detail")
    return Response(
        etree.tostring(envelope, xml_declaration=True, encoding="utf-8"), 500, media_type=XML
    )


def parse_operation(body: bytes) -> etree._Element:
    """The operation element of an envelope, validated; ClientFault says what is wrong."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ClientFault(f"the request is not well-formed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ClientFault("a DTD is not allowed in a SOAP message")
    if root.tag != etree.QName(SOAP_ENV, "Envelope").text:
        raise ClientFault(f"the root element is {root.tag!s}, not a SOAP 1.1 Envelope")
    body_el = root.find(etree.QName(SOAP_ENV, "Body").text)
    operations = [] if body_el is None else [c for c in body_el if isinstance(c.tag, str)]
    if len(operations) != 1:
        raise ClientFault("the SOAP Body must hold exactly one operation element")
    operation = operations[0]
    qname = etree.QName(operation)
    if qname.namespace != wsdl.RFC_NS or qname.localname not in wsdl.OPERATIONS:
        raise ClientFault(f"no operation {operation.tag!s} in this service")
    schema = wsdl.schema()
    standalone = etree.fromstring(etree.tostring(operation), parser)
    if not schema.validate(standalone):
        problems = "; ".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        raise ClientFault(f"the request does not fit the WSDL's schema: {problems}")
    return standalone


# -- reading and writing parameters -------------------------------------------------------


def _text(node: etree._Element | None, name: str) -> str:
    if node is None:
        return ""
    found = node.find(name)
    return (found.text or "").strip() if found is not None else ""


def _rows(node: etree._Element, table: str) -> list[etree._Element]:
    found = node.find(table)
    return [] if found is None else list(found.iterfind("item"))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        return Decimal(0)


def _write(parent: etree._Element, name: str, fields: dict[str, Any]) -> None:
    node = etree.SubElement(parent, name)
    for key, value in fields.items():
        etree.SubElement(node, key).text = "" if value is None else str(value)


def _table(parent: etree._Element, name: str, rows: list[dict[str, Any]]) -> None:
    table = etree.SubElement(parent, name)
    for row in rows:
        _write(table, "item", row)


def _ret2(kind: str, klass: str, number: str, message: str, v1: str = "") -> dict[str, Any]:
    return {"TYPE": kind, "ID": klass, "NUMBER": number, "MESSAGE": message[:220], "MESSAGE_V1": v1}


def _refusal_rows(refusal: SapRefusal) -> list[dict[str, Any]]:
    return [
        _ret2("E", refusal.klass, refusal.number, refusal.message),
        _ret2("E", "V4", "219", "Sales document was not changed"),
    ]


def internal(number: str) -> str:
    return number.zfill(10)


class SoapService:
    def __init__(self, edge: Edge) -> None:
        self.edge = edge
        self.system: SapSystem = edge.system
        self.handlers: dict[str, Callable[[etree._Element, etree._Element, bool], None]] = {
            "BAPI_SALESORDER_CREATEFROMDAT2": self._create,
            "BAPI_SALESORDER_GETLIST": self._get_list,
            "BAPI_SALESORDER_GETSTATUS": self._get_status,
            "BAPI_SALESORDER_CHANGE": self._change,
        }

    async def wsdl(self, request: Request) -> Response:
        if not self.edge.logged_on(request):
            return logon_refused()
        address = str(request.url.replace(query=""))
        return Response(wsdl.wsdl_text(address), media_type=XML)

    async def call(self, request: Request) -> Response:
        if not self.edge.logged_on(request):
            return logon_refused()
        try:
            operation = parse_operation(await request.body())
        except ClientFault as problem:
            return fault("Client", str(problem))
        name = etree.QName(operation).localname
        taken = self.edge.faults.take(
            Call(write=name in WRITES, lookup=name == "BAPI_SALESORDER_GETLIST")
        )
        early = await self._early(taken)
        if early is not None:
            return early
        envelope = etree.Element(etree.QName(SOAP_ENV, "Envelope"), nsmap={"soap-env": SOAP_ENV})
        etree.SubElement(envelope, etree.QName(SOAP_ENV, "Header"))
        body = etree.SubElement(envelope, etree.QName(SOAP_ENV, "Body"))
        answer = etree.SubElement(
            body, etree.QName(wsdl.RFC_NS, f"{name}Response"), nsmap={"n0": wsdl.RFC_NS}
        )
        self.handlers[name](operation, answer, taken is SapFault.STALE_READ)
        if taken is SapFault.LOSE_ANSWER:
            await self.edge.wait(self.edge.timing.hang_seconds)
        return Response(
            etree.tostring(envelope, xml_declaration=True, encoding="utf-8"), media_type=XML
        )

    async def _early(self, taken: SapFault | None) -> Response | None:
        """The answer of a fault that answers instead of the operation (nothing done)."""
        if taken is None or taken in (SapFault.LOSE_ANSWER, SapFault.STALE_READ):
            return None
        if taken is SapFault.SLOW:
            await self.edge.wait(self.edge.timing.slow_seconds)
            return None
        if taken is SapFault.TIMEOUT:
            await self.edge.wait(self.edge.timing.hang_seconds)
            return fault("Server", "the client should have given up by now")
        canned: dict[SapFault, Callable[[], Response]] = {
            SapFault.SERVER_ERROR: lambda: fault("Server", "Internal server error: simulated"),
            SapFault.SOAP_CLIENT_FAULT: lambda: fault("Client", "simulated client fault"),
            SapFault.UNAVAILABLE: unavailable,
            SapFault.MALFORMED_BODY: lambda: Response(MALFORMED, media_type=XML),
            SapFault.WRONG_CONTENT: logon_page,
            SapFault.UNSAFE_ANSWER: lambda: Response(UNSAFE, media_type=XML),
        }
        maker = canned.get(taken)
        return None if maker is None else maker()

    # -- the function modules ---------------------------------------------------------------

    def _create(self, request: etree._Element, answer: etree._Element, _stale: bool) -> None:
        header = request.find("ORDER_HEADER_IN")
        partners = {
            _text(p, "PARTN_ROLE"): _text(p, "PARTN_NUMB") for p in _rows(request, "ORDER_PARTNERS")
        }
        prices = {
            int(_text(c, "ITM_NUMBER") or 0): _decimal(_text(c, "COND_VALUE"))
            for c in _rows(request, "ORDER_CONDITIONS_IN")
        }
        items = [
            ItemIn(
                int(_text(i, "ITM_NUMBER") or 0),
                _text(i, "MATERIAL"),
                _text(i, "PLANT"),
                _decimal(_text(i, "TARGET_QTY")),
                _text(i, "TARGET_QU") or "EA",
                _text(i, "ITEM_CATEG") or "TAN",
                prices.get(int(_text(i, "ITM_NUMBER") or 0)),
            )
            for i in _rows(request, "ORDER_ITEMS_IN")
        ]
        order = OrderIn(
            _text(header, "DOC_TYPE"),
            _text(header, "SALES_ORG"),
            _text(header, "DISTR_CHAN"),
            _text(header, "DIVISION"),
            partners.get("AG", ""),
            partners.get("WE", ""),
            _text(header, "PURCH_NO_C"),
            _text(header, "PURCH_NO_S"),
            _text(header, "CURRENCY") or "CNY",
            items,
        )
        try:
            created = self.system.create_order(order)
        except SapRefusal as refusal:
            _table(answer, "RETURN", _refusal_rows(refusal))
            etree.SubElement(answer, "SALESDOCUMENT").text = ""
            return
        message = f"Standard Order {created.number} has been saved"
        _table(answer, "RETURN", [_ret2("S", "V1", "311", message, created.number)])
        etree.SubElement(answer, "SALESDOCUMENT").text = internal(created.number)

    def _get_list(self, request: etree._Element, answer: etree._Element, stale: bool) -> None:
        purch_no = _text(request, "PURCHASE_ORDER_NUMBER")
        customer = _text(request, "CUSTOMER_NUMBER")
        numbers = [] if stale else self.system.find(purch_no, customer or None)
        rows = []
        for number in numbers:
            order = self.system.order(number)
            rows += [
                {
                    "SD_DOC": internal(order.number),
                    "ITM_NUMBER": f"{item.number:06d}",
                    "MATERIAL": item.material,
                    "REQ_QTY": item.quantity,
                    "PURCH_NO": order.purch_no,
                    "SOLD_TO": order.sold_to,
                    "DLV_QTY": item.delivered,
                    "NET_VAL_HD": order.net,
                    "DOC_STATUS": _doc_status(order),
                    "SALES_ORG": order.sales_org,
                    "PLANT": item.plant,
                    "CURRENCY": order.currency,
                }
                for item in order.items
            ]
        _write(answer, "RETURN", {"TYPE": "", "CODE": "", "MESSAGE": ""})
        _table(answer, "SALES_ORDERS", rows)

    def _get_status(self, request: etree._Element, answer: etree._Element, _stale: bool) -> None:
        try:
            order = self.system.order(_text(request, "SALESDOCUMENT"))
        except SapRefusal as refusal:
            _write(
                answer,
                "RETURN",
                {
                    "TYPE": "E",
                    "CODE": f"{refusal.klass}{refusal.number}",
                    "MESSAGE": refusal.message,
                },
            )
            _table(answer, "STATUSINFO", [])
            return
        _write(answer, "RETURN", {"TYPE": "", "CODE": "", "MESSAGE": ""})
        _table(answer, "STATUSINFO", [_status_row(order, item) for item in order.items])

    def _change(self, request: etree._Element, answer: etree._Element, _stale: bool) -> None:
        number = _text(request, "SALESDOCUMENT")
        flagged = {
            int(_text(x, "ITM_NUMBER") or 0)
            for x in _rows(request, "ORDER_ITEM_INX")
            if _text(x, "REASON_REJ") == "X" and _text(x, "UPDATEFLAG") == "U"
        }
        reasons = {
            int(_text(i, "ITM_NUMBER") or 0): _text(i, "REASON_REJ")
            for i in _rows(request, "ORDER_ITEM_IN")
            if int(_text(i, "ITM_NUMBER") or 0) in flagged
        }
        try:
            order = self.system.reject_items(number, reasons)
        except SapRefusal as refusal:
            _table(answer, "RETURN", _refusal_rows(refusal))
            return
        message = f"Standard Order {order.number} has been saved"
        _table(answer, "RETURN", [_ret2("S", "V1", "311", message, order.number)])


def _doc_status(order: Order) -> str:
    if order.rejected or all(i.delivered or i.rejection for i in order.items):
        return "Completed"
    return "Being processed" if order.delivered else "Open"


def _status_row(order: Order, item: Any) -> dict[str, Any]:
    done = order.rejected or all(i.delivered or i.rejection for i in order.items)
    return {
        "DOC_NUMBER": internal(order.number),
        "ITM_NUMBER": f"{item.number:06d}",
        "MATERIAL": item.material,
        "REQ_QTY": item.quantity,
        "DLV_QTY": item.delivered,
        "PURCH_NO": order.purch_no,
        "SOLD_TO": order.sold_to,
        "PRC_STAT_H": "C" if done else ("B" if order.delivered else "A"),
        "DLV_STAT_H": "C" if order.delivered else "A",
        "REA_FOR_RE": item.rejection,
    }
