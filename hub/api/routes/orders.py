"""Dealer ordering: catalog, quotes, orders, cancellation."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from dms_domain.errors import DmsError, InvalidInput
from dms_domain.orders import OrderStatus
from dms_domain.pricing import RequestedLine
from hub.api.deps import AnyRole, ContainerDep, Cursor, Limit, allow
from hub.api.problems import PROBLEM_JSON, domain_problem
from hub.api.types import (
    CODE_PATTERN,
    Code,
    Count,
    Flag,
    Money,
    Percent,
    RequestModel,
    ResponseModel,
    Timestamp,
    UnitPrice,
)
from hub.auth.principal import Principal, Role
from hub.bootstrap import Container
from hub.jsonable import jsonable
from hub.services import order_queries
from hub.services.catalog_view import dealer_catalog
from hub.services.order_placement import place_order, request_hash
from hub.services.order_pricing import (
    OrderRequest,
    available_stock,
    plan_stock,
    price_request,
)

router = APIRouter(prefix="/api/v1", tags=["ordering"])
Orderer = Annotated[Principal, Depends(allow(Role.ADMIN, Role.MANAGER, Role.DEALER))]
OrderNo = Annotated[str, Path(pattern=CODE_PATTERN)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="required; the same key and body answer the first answer again",
    ),
]
Text500 = Annotated[str, StringConstraints(max_length=500)]
Text64 = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class LineIn(RequestModel):
    sku: Code
    qty: Annotated[Count, Field(description="a positive integer, in the product's base unit")]


class ShipTo(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    phone: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    address: Text500


class OrderIn(RequestModel):
    lines: list[LineIn]
    warehouse: Code | None = None
    urgent: Flag = False
    remark: Text500 | None = None
    customer_po: Text64 | None = None
    requested_date: date | None = None
    ship_to: ShipTo | None = None
    dealer_code: Code | None = Field(
        default=None, description="managers and admins name the dealer; dealers must not"
    )


class TraceOut(ResponseModel):
    rule: str
    tier: str | None = None
    promotion: str | None = None
    unit_price: str | None = None
    amount: str | None = None
    qty: int | None = None


class LineOut(ResponseModel):
    sku: str
    qty: int
    unit_price: UnitPrice
    list_amount: Money
    amount: Money
    tax_rate: Percent
    tax_amount: Money
    is_gift: bool
    price_trace: list[TraceOut]


class DiscountOut(ResponseModel):
    code: str
    kind: str
    amount: Money


class OrderOut(ResponseModel):
    order_no: str
    status: OrderStatus
    dealer_code: str
    warehouse: str
    lines: list[LineOut]
    discounts: list[DiscountOut]
    warnings: list[dict[str, Any]]
    total: Money
    tax_total: Money
    currency: str
    urgent: bool
    remark: str | None
    customer_po: str | None
    requested_date: date | None
    ship_to: dict[str, str] | None
    created_at: Timestamp


def _request(body: OrderIn, principal: Principal) -> OrderRequest:
    if principal.role is Role.DEALER:
        if body.dealer_code is not None:
            raise InvalidInput.field("dealer_code", "a dealer orders for itself: leave it out")
        dealer_code = principal.dealer_code
    else:
        dealer_code = body.dealer_code
    if not dealer_code:
        raise InvalidInput.field("dealer_code", "name the dealer this order is for")
    return OrderRequest(
        dealer_code=dealer_code,
        lines=[RequestedLine(line.sku, line.qty) for line in body.lines],
        warehouse=body.warehouse,
        urgent=body.urgent,
        remark=body.remark,
        customer_po=body.customer_po,
        requested_date=body.requested_date,
        ship_to=body.ship_to.model_dump() if body.ship_to else None,
    )


def _clock(container: Container) -> tuple[datetime, date]:
    now = container.clock.now()
    return now, now.astimezone(ZoneInfo(container.settings.business_tz)).date()


def _render_refusal(exc: DmsError) -> tuple[int, dict[str, Any]]:
    response = domain_problem(exc)
    return response.status_code, json.loads(bytes(response.body))


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderOut,
    responses={
        409: {"description": "insufficient_stock, credit_limit_exceeded, idempotency_key_reused"},
        403: {},
        422: {},
    },
)
def create_order(
    body: OrderIn, principal: Orderer, container: ContainerDep, idempotency_key: IdempotencyKey
) -> JSONResponse:
    request = _request(body, principal)
    now, today = _clock(container)
    answer = place_order(
        container.db,
        request,
        principal,
        idempotency_key=idempotency_key,
        body_hash=request_hash(body.model_dump(mode="json", exclude_unset=True)),
        now=now,
        today=today,
        key_ttl=container.settings.idempotency_ttl,
        render_refusal=_render_refusal,
    )
    media = PROBLEM_JSON if answer.status >= 400 else "application/json"
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status, media_type=media, headers=headers)


class ShortageOut(ResponseModel):
    sku: str
    requested: int
    available: int


class CreditOut(ResponseModel):
    credit_limit: Money | None
    exposure: Money
    order_total: Money
    headroom_after: Money | None
    within_limit: bool


class QuoteOut(ResponseModel):
    dealer_code: str
    warehouse: str
    lines: list[LineOut]
    discounts: list[DiscountOut]
    warnings: list[dict[str, Any]]
    total: Money
    tax_total: Money
    currency: str
    shortages: list[ShortageOut]
    credit: CreditOut


@router.post("/orders/quote", response_model=QuoteOut)
def quote_order(body: OrderIn, principal: Orderer, container: ContainerDep) -> Any:
    """The priced order and any shortages. Reserves nothing, writes nothing."""
    request = _request(body, principal)
    now, today = _clock(container)
    with container.db.transaction() as conn:
        quote = price_request(conn, request, principal, now=now, today=today)
        skus = {line.sku for line in quote.priced.lines}
        plan = plan_stock(request.lines, quote.priced, available_stock(conn, quote.warehouse, skus))
    dealer, priced = quote.dealer, plan.priced
    limit = dealer.credit_limit
    headroom_after = None if limit is None else limit - dealer.exposure - priced.total
    return {
        "dealer_code": dealer.code,
        "warehouse": quote.warehouse,
        **priced.as_dict(),
        "shortages": [s.as_dict() for s in plan.shortages],
        "credit": {
            "credit_limit": limit,
            "exposure": dealer.exposure,
            "order_total": priced.total,
            "headroom_after": headroom_after,
            "within_limit": headroom_after is None or headroom_after >= 0,
        },
    }


class ShipmentLineOut(ResponseModel):
    sku: str
    qty: int


class ShipmentOut(ResponseModel):
    shipment_no: str
    tracking_no: str | None
    carrier: str | None
    shipped_at: Timestamp
    lines: list[ShipmentLineOut]


class TimelineOut(ResponseModel):
    at: Timestamp
    event: str
    from_status: str | None
    to_status: str
    applied: bool
    reason: str
    note: str | None
    actor: str


class OrderLineDetail(LineOut):
    line_no: int
    shipped_qty: int


class OrderDetail(ResponseModel):
    order_no: str
    status: OrderStatus
    dealer_code: str
    warehouse: str
    lines: list[OrderLineDetail]
    discounts: list[DiscountOut]
    warnings: list[dict[str, Any]]
    total: Money
    tax_total: Money
    currency: str
    urgent: bool
    remark: str | None
    customer_po: str | None
    requested_date: date | None
    ship_to: dict[str, str] | None
    erp_ref: str | None
    wms_ref: str | None = None  # the warehouse's outbound order, once put (DMS_ORDER_WMS)
    reject_reason: str | None
    shipments: list[ShipmentOut]
    timeline: list[TimelineOut]
    created_at: Timestamp
    updated_at: Timestamp


class OrderSummary(ResponseModel):
    order_no: str
    status: OrderStatus
    dealer_code: str
    warehouse: str
    total: Money
    currency: str
    urgent: bool
    customer_po: str | None
    erp_ref: str | None
    created_at: Timestamp
    updated_at: Timestamp


class OrderPage(ResponseModel):
    items: list[OrderSummary]
    next_cursor: str | None


@router.get("/orders/{order_no}", response_model=OrderDetail)
def get_order(order_no: OrderNo, principal: AnyRole, container: ContainerDep) -> Any:
    with container.db.transaction() as conn:
        return order_queries.get_order(conn, order_no, principal)


@router.get("/orders", response_model=OrderPage)
def list_orders(
    principal: AnyRole,
    container: ContainerDep,
    status: OrderStatus | None = None,
    dealer_code: str | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    with container.db.transaction() as conn:
        return order_queries.list_orders(
            conn, principal, status=status, dealer_code=dealer_code, cursor=cursor, limit=limit
        )


class CancelIn(RequestModel):
    reason: Text500 | None = None


@router.post(
    "/orders/{order_no}/cancel",
    response_model=OrderDetail,
    responses={202: {"model": OrderDetail, "description": "cancel_requested: the ERP is asked"}},
)
def cancel_order(
    order_no: OrderNo,
    principal: Orderer,
    container: ContainerDep,
    body: CancelIn | None = None,
) -> JSONResponse:
    with container.db.transaction() as conn:
        transition, order = order_queries.cancel_order(
            conn,
            order_no,
            principal,
            reason=body.reason if body else None,
            now=container.clock.now(),
        )
    status = 202 if transition.status is OrderStatus.CANCEL_REQUESTED else 200
    rendered = OrderDetail.model_validate(order).model_dump(mode="json")
    return JSONResponse(rendered, status_code=status)


class CatalogItem(ResponseModel):
    sku: str
    name: str
    unit: str
    pack_size: int
    tax_rate: Percent
    licence_kind: str | None
    unit_price: UnitPrice
    currency: str
    available: int
    promotions: list[dict[str, Any]]


class CatalogPage(ResponseModel):
    dealer_code: str
    tier: str
    warehouse: str | None
    items: list[CatalogItem]
    next_cursor: str | None


@router.get("/catalog", response_model=CatalogPage)
def catalog(
    principal: Orderer,
    container: ContainerDep,
    dealer_code: Annotated[
        str | None, Query(description="managers and admins name the dealer")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Any:
    """Active products with the dealer's tier price, availability in its default
    warehouse and the promotions in force for it."""
    if principal.role is Role.DEALER:
        if dealer_code not in (None, principal.dealer_code):
            raise InvalidInput.field("dealer_code", "a dealer sees its own catalog: leave it out")
        dealer_code = principal.dealer_code
    if not dealer_code:
        raise InvalidInput.field("dealer_code", "name the dealer whose catalog to show")
    with container.db.transaction() as conn:
        return jsonable(
            dealer_catalog(
                conn,
                dealer_code,
                principal,
                now=container.clock.now(),
                cursor=cursor,
                limit=limit,
            )
        )
