"""The ERP's API: what a connector talks to. Every call needs the API key."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

from simulators.generic_erp.answers import answer
from simulators.generic_erp.state import ErpRefusal, GenericErp
from simulators.generic_erp.validate import cancel_request, order_request, parse_json

After = Annotated[int, Query(ge=0, le=2**53)]
Limit = Annotated[int, Query(ge=1, le=1000)]


def api_router(erp: GenericErp, api_key: str) -> APIRouter:
    expected = api_key.encode()

    def require_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
        given = (x_api_key or "").encode()
        if not secrets.compare_digest(given, expected):
            raise ErpRefusal("UNAUTHORIZED", "missing or wrong X-API-Key", status=401)

    router = APIRouter(dependencies=[Depends(require_key)])

    @router.get("/ping")
    async def ping() -> Response:
        return answer({"status": "ok", "system": "generic-erp"})

    @router.post("/orders")
    async def create_order(request: Request) -> Response:
        order = order_request(parse_json(await request.body()))
        erp.note_trace(order.external_ref, request.headers.get("x-correlation-id"))
        return answer(erp.create_order(order), status=201)

    @router.get("/orders")
    async def find_orders(
        request: Request, external_ref: Annotated[str, Query(alias="externalRef")]
    ) -> Response:
        stale = getattr(request.state, "stale_read", False)
        return answer({"items": [] if stale else erp.find_orders(external_ref)})

    @router.get("/orders/{doc_no}")
    async def get_order(doc_no: str) -> Response:
        return answer(erp.get_order(doc_no))

    @router.post("/orders/{doc_no}/cancel")
    async def cancel_order(doc_no: str, request: Request) -> Response:
        body = await request.body()
        reason = cancel_request(parse_json(body) if body.strip() else None)
        return answer(erp.cancel_order(doc_no, reason))

    def feed(name: str) -> None:
        async def pull(request: Request, after: After = 0, limit: Limit = 100) -> Response:
            page = erp.pull(name, after, limit)
            items = page.items
            if getattr(request.state, "duplicate_records", False):
                items = [copy for item in items for copy in (item, item)]
            return answer({"items": items, "last": page.last, "hasMore": page.more})

        router.add_api_route(f"/{name}", pull, methods=["GET"], name=f"pull_{name}")

    for name in ("events", "shipments", "stock", "invoices"):
        feed(name)
    return router
