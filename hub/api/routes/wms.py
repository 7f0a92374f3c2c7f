"""Where a WMS pushes its shipment confirmations (FLUX ``confirmSOData``).

Not behind a login: the message is authenticated by its own signature (the
connector's ``app_key``/``app_secret``), timestamp window and message id. An
unsigned call is answered 401 before the connector is even looked up, so the
route tells nobody which connectors exist. Answers are FLUX's own shape; a
refusal is also a problem document (every error of the hub is), carrying
FLUX's ``Response`` beside the problem fields.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from connectors.port import ShipmentPushReceiver
from hub.api.problems import problem
from hub.bootstrap import Container
from hub.sync.push_inbox import receive_shipments

router = APIRouter(prefix="/api/v1", tags=["warehouse"])
SIGNED_BY = ("sign", "appkey", "messageid", "timestamp")


async def _fields(request: Request) -> dict[str, str]:
    """System parameters from the query string and, like ``data``, from a form body."""
    fields = dict(request.query_params)
    body = (await request.body()).decode("utf-8", errors="replace")
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        fields.update(parse_qsl(body, keep_blank_values=True))
    elif body.strip() and "data" not in fields:
        fields["data"] = body
    return fields


@router.post(
    "/wms/{connector}/confirmations",
    summary="A WMS pushes shipment confirmations (FLUX confirmSOData)",
    response_model=None,
    responses={
        200: {"description": "FLUX answer: returnFlag 1 (all applied) or 2 (some quarantined)"},
        401: {"description": "unsigned, bad sign, unknown appkey or stale timestamp"},
        404: {"description": "no such WMS connector"},
        422: {"description": "the data cannot be read"},
    },
)
async def confirmations(connector: str, request: Request) -> Response:
    container: Container = request.app.state.container
    fields = await _fields(request)
    missing = [name for name in SIGNED_BY if not fields.get(name)]
    if missing:
        return problem(401, "push_refused", f"unsigned message: {', '.join(missing)} missing")
    receiver: Any = await run_in_threadpool(container.connector, connector)
    if not isinstance(receiver, ShipmentPushReceiver):
        return problem(404, "not_found", f"no WMS connector {connector!r} takes confirmations")
    now = container.clock.now()
    outcome = await run_in_threadpool(receive_shipments, container.db, receiver, fields, now)
    if outcome.refusal is not None:
        return problem(outcome.status, "push_refused", outcome.refusal.detail, **outcome.answer)
    return JSONResponse(outcome.answer, status_code=outcome.status)
