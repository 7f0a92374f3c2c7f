"""The OData V2 face: API_SALES_ORDER_SRV, API_MATERIAL_STOCK_SRV and
API_BILLING_DOCUMENT_SRV under ``/sap/opu/odata/sap/``, each with its
``$metadata``, V2 JSON answers, SAP Gateway's error bodies and its CSRF
protection: a GET with ``X-CSRF-Token: Fetch`` gives a token bound to the
session cookie; a change without the session's token is answered 403 with
``x-csrf-token: Required``."""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from simulators.sap import edmx, query
from simulators.sap.edge import Edge, logon_page, logon_refused, unavailable
from simulators.sap.faults import Call, SapFault
from simulators.sap.state import UNRESTRICTED, Item, ItemIn, Order, OrderIn, SapRefusal

ROOT = "/sap/opu/odata/sap"
SESSION_COOKIE = "SAP_SESSIONID_S4H_100"
JSON = "application/json; charset=utf-8"
MALFORMED = b'{"d": {"results": [{"__metadata": {"id": "'
RESOURCE = re.compile(r"^(?P<set>[A-Za-z_]+)(?:\((?P<key>[^)]*)\))?(?:/(?P<nav>[A-Za-z_]+))?$")
MAX_TOP = 5000


class ODataError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_answer(status: int, code: str, message: str) -> Response:
    body = {
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {
                "transactionid": uuid.uuid4().hex.upper(),
                "errordetails": [
                    {"code": code, "message": message, "propertyref": "", "severity": "error"}
                ],
            },
        }
    }
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=JSON)


def _answer(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps({"d": data}, ensure_ascii=False), status_code=status, media_type=JSON
    )


def _keys(text: str | None) -> dict[str, str]:
    """``'1'`` or ``SalesOrder='1',SalesOrderItem='10'``."""
    if not text:
        return {}
    if "=" not in text:
        return {"": text.strip("'")}
    out = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        out[name.strip()] = value.strip().strip("'")
    return out


class CsrfGuard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, str] = {}

    def fetch(self, session: str | None) -> tuple[str, str]:
        with self._lock:
            session = session if session in self._tokens else secrets.token_hex(16)
            token = self._tokens.setdefault(session, secrets.token_urlsafe(18))
            return session, token

    def valid(self, session: str | None, token: str | None) -> bool:
        with self._lock:
            expected = self._tokens.get(session or "")
        return (
            expected is not None and token is not None and secrets.compare_digest(expected, token)
        )

    def expire(self) -> None:
        """Every session times out (SAP drops tokens with the session)."""
        with self._lock:
            self._tokens.clear()


class ODataService:
    def __init__(self, edge: Edge) -> None:
        self.edge = edge
        self.system = edge.system
        self.csrf = CsrfGuard()

    async def handle(self, request: Request) -> Response:
        service_name = request.path_params["service"]
        path = request.path_params["path"]
        service = edmx.SERVICES.get(service_name)
        if service is None:
            return error_answer(
                404, "/IWFND/MED/170", f"No service found for namespace '', name '{service_name}'"
            )
        if not self.edge.logged_on(request):
            return logon_refused()
        extra: dict[str, str] = {}
        if (
            request.method in ("GET", "HEAD")
            and request.headers.get("x-csrf-token", "").lower() == "fetch"
        ):
            session, token = self.csrf.fetch(request.cookies.get(SESSION_COOKIE))
            extra["x-csrf-token"] = token
            extra["set-cookie"] = f"{SESSION_COOKIE}={session}; path=/; HttpOnly"
        elif request.method not in ("GET", "HEAD") and not self.csrf.valid(
            request.cookies.get(SESSION_COOKIE), request.headers.get("x-csrf-token")
        ):
            return Response(
                b"CSRF token validation failed",
                status_code=403,
                media_type="text/plain",
                headers={"x-csrf-token": "Required"},
            )
        response = await self._route(request, service, path)
        for name, value in extra.items():
            response.headers.append(name, value)
        return response

    async def _route(self, request: Request, service: edmx.Service, path: str) -> Response:
        if path in ("", "/"):
            sets = [{"EntitySets": [t.name for t in service.types]}]
            return _answer(sets[0])
        if path == "$metadata":
            return Response(edmx.metadata(service), media_type="application/xml")
        match = RESOURCE.match(path)
        entity = None if match is None else service.entity(match["set"])
        if match is None or entity is None:
            return error_answer(404, "/IWFND/MED/170", f"Resource not found for segment '{path}'")
        method = request.method
        writing = method in ("POST", "PUT", "PATCH", "MERGE", "DELETE")
        collection = match["key"] is None and match["nav"] is None
        call = Call(
            write=writing,
            pull=method == "GET" and collection and service.name != "API_SALES_ORDER_SRV",
            lookup=method == "GET" and collection and entity is edmx.SALES_ORDER,
        )
        taken = self.edge.faults.take(call)
        early = await self._early(taken)
        if early is not None:
            return early
        base = f"{str(request.base_url).rstrip('/')}{ROOT}/{service.name}"
        try:
            response = self._dispatch(
                request, service, entity, match, base, taken, await request.body()
            )
        except ODataError as error:
            response = error_answer(error.status, error.code, error.message)
        except SapRefusal as refusal:
            response = error_answer(refusal.status, refusal.code, refusal.message)
        except query.QueryError as error:
            response = error_answer(400, "/IWBEP/CM_MGW_RT/022", str(error))
        if taken is SapFault.LOSE_ANSWER:
            await self.edge.wait(self.edge.timing.hang_seconds)
        return response

    async def _early(self, taken: SapFault | None) -> Response | None:
        if taken is None or taken in (
            SapFault.LOSE_ANSWER,
            SapFault.STALE_READ,
            SapFault.DUPLICATE_RECORDS,
        ):
            return None
        if taken is SapFault.SLOW:
            await self.edge.wait(self.edge.timing.slow_seconds)
            return None
        if taken is SapFault.TIMEOUT:
            await self.edge.wait(self.edge.timing.hang_seconds)
            return error_answer(504, "/IWFND/CM_BEC/026", "the client should have given up by now")
        canned: dict[SapFault, Callable[[], Response]] = {
            SapFault.UNAVAILABLE: unavailable,
            SapFault.WRONG_CONTENT: logon_page,
            SapFault.MALFORMED_BODY: lambda: Response(MALFORMED, media_type=JSON),
        }
        maker = canned.get(taken)
        if maker is not None:
            return maker()
        return error_answer(500, "/IWBEP/CM_MGW_RT/004", "Internal server error: simulated")

    def _dispatch(
        self,
        request: Request,
        service: edmx.Service,
        entity: edmx.EntityType,
        match: re.Match[str],
        base: str,
        taken: SapFault | None,
        body: bytes,
    ) -> Response:
        method, params = request.method, request.query_params
        key, nav = _keys(match["key"]), match["nav"]
        if method == "GET" and entity is edmx.SALES_ORDER and key:
            number = key.get("") or key.get("SalesOrder", "")
            if number.lstrip("0") not in self.system.orders:
                raise ODataError(404, "SD_SALES_API/002", f"Sales order {number} does not exist")
            order = self.system.order(number)
            row = self._order_row(order, expand=True)
            if nav == "to_Item":
                return self._collection(
                    service, edmx.SALES_ORDER_ITEM, row["to_Item"], params, base
                )
            if nav is not None:
                raise ODataError(404, "/IWFND/MED/170", f"Resource not found for segment '{nav}'")
            return _answer(edmx.entity_json(base, service, entity, row))
        if method == "GET" and not key and nav is None:
            rows = self._rows(entity, params, stale=taken is SapFault.STALE_READ)
            if taken is SapFault.DUPLICATE_RECORDS:
                rows = [r for r in rows for _ in range(2)]
            return self._collection(service, entity, rows, params, base)
        if method == "POST" and entity is edmx.SALES_ORDER and not key:
            order = self.system.create_order(_order_in(_json_body(body)))
            row = self._order_row(order, expand=True)
            answer = _answer(edmx.entity_json(base, service, entity, row), 201)
            answer.headers["location"] = f"{base}/A_SalesOrder('{order.number}')"
            return answer
        if method in ("PATCH", "MERGE", "PUT") and entity is edmx.SALES_ORDER_ITEM and key:
            changes = _json_body(body)
            unknown = sorted(set(changes) - {"SalesDocumentRjcnReason"})
            if unknown:
                raise ODataError(
                    400, "SD_SALES_API/001", f"Property {unknown[0]} cannot be changed"
                )
            reason = changes.get("SalesDocumentRjcnReason")
            if not isinstance(reason, str) or len(reason) > 2:
                raise ODataError(
                    400,
                    "/IWBEP/CM_MGW_RT/020",
                    "SalesDocumentRjcnReason must be 2 characters at most",
                )
            item_no = int(key.get("SalesOrderItem", "0") or 0)
            self.system.reject_items(key.get("SalesOrder", ""), {item_no: reason})
            return Response(status_code=204)
        raise ODataError(405, "/IWBEP/CM_MGW_RT/021", f"{method} is not supported on {entity.name}")

    def _collection(
        self,
        service: edmx.Service,
        entity: edmx.EntityType,
        rows: list[dict[str, Any]],
        params: Any,
        base: str,
    ) -> Response:
        fields = {p.name for p in entity.props}
        rows = [r for r in rows if query.parse_filter(params.get("$filter"), fields)(r)]
        rows = query.order_rows(rows, params.get("$orderby"), fields)
        count = len(rows)
        skip = query.whole(params.get("$skip"), "$skip", 0) or 0
        top = query.whole(params.get("$top"), "$top", MAX_TOP)
        page = rows[skip : skip + min(top if top is not None else MAX_TOP, MAX_TOP)]
        data: dict[str, Any] = {
            "results": [edmx.entity_json(base, service, entity, r) for r in page]
        }
        if params.get("$inlinecount") == "allpages":
            data = {"__count": str(count), **data}
        return _answer(data)

    def _rows(self, entity: edmx.EntityType, params: Any, *, stale: bool) -> list[dict[str, Any]]:
        with self.system.lock:
            if entity is edmx.SALES_ORDER:
                if stale:
                    return []
                expand = "to_Item" in (params.get("$expand") or "")
                return [self._order_row(o, expand=expand) for o in self.system.orders.values()]
            if entity is edmx.STOCK:
                return [
                    {
                        "Material": s.material,
                        "Plant": s.plant,
                        "StorageLocation": s.storage_location,
                        "Batch": s.batch,
                        "InventoryStockType": s.stock_type,
                        "MatlWrhsStkQtyInMatlBaseUnit": s.quantity,
                        "MaterialBaseUnit": s.unit,
                    }
                    for s in self.system.stock.values()
                ]
            if entity is edmx.BILLING:
                return [
                    {
                        "BillingDocument": b.number,
                        "BillingDocumentType": "F2",
                        "SalesOrganization": "1010",
                        "BillingDocumentDate": b.date_ms,
                        "LastChangeDateTime": b.changed_ms,
                        "BillingDocumentIsCancelled": False,
                        "SoldToParty": b.sold_to,
                        "TotalNetAmount": b.net,
                        "TaxAmount": b.tax,
                        "TotalGrossAmount": b.gross_text or (b.net + b.tax),
                        "TransactionCurrency": b.currency,
                    }
                    for b in self.system.billing.values()
                ]
        raise ODataError(405, "/IWBEP/CM_MGW_RT/021", f"{entity.name} cannot be listed")

    def _order_row(self, order: Order, *, expand: bool) -> dict[str, Any]:
        done = order.rejected or all(i.delivered or i.rejection for i in order.items)
        row: dict[str, Any] = {
            "SalesOrder": order.number,
            "SalesOrderType": order.order_type,
            "SalesOrganization": order.sales_org,
            "DistributionChannel": order.distr_chan,
            "OrganizationDivision": order.division,
            "SoldToParty": order.sold_to,
            "CreationDate": order.created_ms - order.created_ms % 86_400_000,
            "LastChangeDateTime": order.changed_ms,
            "PurchaseOrderByCustomer": order.purch_no,
            "PurchaseOrderByShipToParty": order.purch_no_s or None,
            "TotalNetAmount": order.net,
            "TransactionCurrency": order.currency,
            "OverallSDProcessStatus": "C" if done else ("B" if order.delivered else "A"),
            "OverallTotalDeliveryStatus": "C" if order.delivered else "A",
            "OverallSDDocumentRejectionSts": "C"
            if order.rejected
            else ("B" if any(i.rejection for i in order.items) else "A"),
        }
        if expand:
            row["to_Item"] = [_item_row(order, item) for item in order.items]
        return row


def _item_row(order: Order, item: Item) -> dict[str, Any]:
    return {
        "SalesOrder": order.number,
        "SalesOrderItem": str(item.number),
        "SalesOrderItemCategory": item.category,
        "Material": item.material,
        "ProductionPlant": item.plant,
        "RequestedQuantity": item.quantity,
        "RequestedQuantityUnit": item.unit,
        "NetAmount": (item.quantity * item.price).quantize(Decimal("0.01")),
        "TransactionCurrency": order.currency,
        "SalesDocumentRjcnReason": item.rejection,
        "DeliveryStatus": "C" if item.delivered else "A",
    }


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ODataError(
            400, "/IWBEP/CM_MGW_RT/002", f"The request body is not JSON: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise ODataError(400, "/IWBEP/CM_MGW_RT/002", "The request body must be a JSON object")
    return data


def _nav_list(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name, [])
    if isinstance(value, dict):
        value = value.get("results", [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ODataError(400, "/IWBEP/CM_MGW_RT/002", f"{name} must be a list of entities")
    return value


def _check(entity: edmx.EntityType, data: dict[str, Any], navs: set[str]) -> None:
    """Property names and types as the model says (unknown names are an error, as in SAP)."""
    props = {p.name: p for p in entity.props}
    for name, value in data.items():
        if name in navs or name == "__metadata":
            continue
        prop = props.get(name)
        if prop is None:
            raise ODataError(400, "/IWBEP/CM_MGW_RT/020", f"Property '{name}' is invalid")
        if value is None:
            continue
        if prop.kind == "String" and (
            not isinstance(value, str) or len(value) > (prop.max_length or 0)
        ):
            raise ODataError(
                400,
                "/IWBEP/CM_MGW_RT/020",
                f"Property '{name}' has an invalid value: {value!r:.60}",
            )
        if prop.kind == "Decimal" and not _decimal_text(value):
            message = f"Property '{name}': a decimal is written as a string, got {value!r:.60}"
            raise ODataError(400, "/IWBEP/CM_MGW_RT/020", message)


def _decimal_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return Decimal(value).is_finite()
    except InvalidOperation:
        return False


def _order_in(data: dict[str, Any]) -> OrderIn:
    _check(edmx.SALES_ORDER, data, {"to_Item", "to_Partner"})
    partners = _nav_list(data, "to_Partner")
    for partner in partners:
        _check(edmx.PARTNER, partner, set())
    ship_to = next((p.get("Customer") for p in partners if p.get("PartnerFunction") == "WE"), "")
    items: list[ItemIn] = []
    for raw in _nav_list(data, "to_Item"):
        _check(edmx.SALES_ORDER_ITEM, raw, {"to_PricingElement"})
        prices = _nav_list(raw, "to_PricingElement")
        for element in prices:
            _check(edmx.PRICING_ELEMENT, element, set())
        number = str(raw.get("SalesOrderItem") or (len(items) + 1) * 10)
        if not number.isdigit():
            raise ODataError(
                400,
                "/IWBEP/CM_MGW_RT/020",
                f"Property 'SalesOrderItem' has an invalid value: {number!r}",
            )
        items.append(
            ItemIn(
                int(number),
                str(raw.get("Material") or ""),
                str(raw.get("ProductionPlant") or ""),
                Decimal(str(raw.get("RequestedQuantity") or "0")),
                str(raw.get("RequestedQuantityUnit") or "EA"),
                str(raw.get("SalesOrderItemCategory") or "TAN"),
                Decimal(str(prices[0]["ConditionRateValue"]))
                if prices and prices[0].get("ConditionRateValue")
                else None,
            )
        )
    return OrderIn(
        str(data.get("SalesOrderType") or "OR"),
        str(data.get("SalesOrganization") or ""),
        str(data.get("DistributionChannel") or ""),
        str(data.get("OrganizationDivision") or ""),
        str(data.get("SoldToParty") or ""),
        str(ship_to or ""),
        str(data.get("PurchaseOrderByCustomer") or ""),
        str(data.get("PurchaseOrderByShipToParty") or ""),
        str(data.get("TransactionCurrency") or "CNY"),
        items,
    )


__all__ = ["ROOT", "UNRESTRICTED", "ODataService"]
