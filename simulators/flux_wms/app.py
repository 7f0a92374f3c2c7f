"""The warehouse's HTTP face: FLUX's one endpoint (every method is a POST to
it), with faults applied before (or, for a lost answer, after) the work, and
the control API under ``/_control`` (never faulted)."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.flux_wms.control import SimulatorControl
from simulators.flux_wms.faults import Call, FaultKind
from simulators.flux_wms.methods import LOOKUPS, PULLS, WRITES
from simulators.flux_wms.protocol import (
    OK,
    SIGN_ERROR,
    SYSTEM_ERROR,
    CallRefused,
    FluxCall,
    answer_body,
    parse_data,
    read_call,
    refusal_body,
)
from simulators.flux_wms.signing import sign_matches

PATH = "/datahub/FluxWmsJsonApi/"
MALFORMED = b'{"Response": {"return": {"returnFlag": "1", "resultInfo": [{"OrderNo": "SO'
WRONG_CONTENT = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


class FluxEndpoint:
    def __init__(
        self,
        control: SimulatorControl,
        *,
        app_key: str,
        app_secret: str,
        hang_seconds: float,
        slow_seconds: float,
        stopping: threading.Event,
    ) -> None:
        self.control = control
        self.app_key = app_key
        self.app_secret = app_secret
        self.hang_seconds = hang_seconds
        self.slow_seconds = slow_seconds
        self.stopping = stopping

    async def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(min(0.05, max(deadline - time.monotonic(), 0)))

    async def __call__(self, request: Request) -> Response:
        body = await request.body()
        try:
            call = read_call(
                dict(request.query_params), body, request.headers.get("content-type", "")
            )
        except CallRefused as refusal:
            return _json(refusal_body(refusal))
        method = call.method
        fault = self.control.faults.take(
            Call(write=method in WRITES, pull=method in PULLS, lookup=method in LOOKUPS)
        )
        canned = _canned(fault)
        if canned is not None:
            return canned
        if fault is FaultKind.TIMEOUT:
            await self._wait(self.hang_seconds)
            return _json(answer_body("0", SYSTEM_ERROR, "too late", []), 504)
        if fault is FaultKind.SLOW:
            await self._wait(self.slow_seconds)
        answer = self._answer(call, fault)
        if fault is FaultKind.LOSE_ANSWER:
            await self._wait(self.hang_seconds)
        return _json(answer)

    def _answer(self, call: FluxCall, fault: FaultKind | None) -> dict[str, Any]:
        try:
            if call.params["appkey"] != self.app_key or not sign_matches(
                self.app_secret, call.data, call.params["sign"]
            ):
                raise CallRefused(SIGN_ERROR, "验签错误")
            data = parse_data(call)
            warehouse = self.control.warehouse
            if call.method in WRITES:
                answer = WRITES[call.method](warehouse, data)
                if fault is FaultKind.PARTIAL_SUCCESS:
                    answer = _with_foreign_failure(answer)
                return answer
            if call.method in PULLS:
                duplicate = fault is FaultKind.DUPLICATE_RECORDS
                return PULLS[call.method](warehouse, data, duplicate=duplicate)
            if call.method in LOOKUPS:
                if fault is FaultKind.STALE_READ:
                    return answer_body("1", OK, "成功", [])
                return LOOKUPS[call.method](warehouse, data)
            raise CallRefused(SIGN_ERROR, f"系统级参数method:{call.method}不存在")
        except CallRefused as refusal:
            return refusal_body(refusal)


def _with_foreign_failure(answer: dict[str, Any]) -> dict[str, Any]:
    """``returnFlag`` 2: the caller's orders as they came out, plus an order of
    the same batch (not the caller's) that failed."""
    result = answer["Response"]["return"]
    failed = {"OrderNo": "", "SOREFERENCE1": "OTHER-BATCH-ORDER", "errorcode": "S003"}
    result["resultInfo"] = [*result["resultInfo"], {**failed, "errordescr": "SKU 不存在"}]
    result["returnFlag"], result["returnCode"] = "2", "0001"
    return answer


def _canned(fault: FaultKind | None) -> Response | None:
    if fault is FaultKind.SERVER_ERROR:
        return Response(b"Internal Server Error", status_code=500, media_type="text/plain")
    if fault is FaultKind.UNAVAILABLE:
        return Response(b"Service Unavailable", status_code=503, media_type="text/plain")
    if fault is FaultKind.MALFORMED_BODY:
        return Response(MALFORMED, media_type="application/json")
    if fault is FaultKind.WRONG_CONTENT:
        return Response(WRONG_CONTENT, media_type="text/html")
    if fault is FaultKind.REFUSE:
        return _json(answer_body("0", SYSTEM_ERROR, "系统异常", []))
    return None


CONTROL_CALLS = frozenset(
    {
        "inject_fault",
        "clear_faults",
        "reject_next_order",
        "settle",
        "documents",
        "ship",
        "set_stock",
        "add_unmappable",
        "add_sku",
        "set_shipping",
        "set_push_url",
        "pushes",
        "pushes_idle",
        "status",
        "stock",
    }
)


def create_app(
    control: SimulatorControl,
    *,
    app_key: str,
    app_secret: str,
    hang_seconds: float = 30.0,
    slow_seconds: float = 0.2,
    stopping: threading.Event | None = None,
) -> FastAPI:
    app = FastAPI(title="FLUX WMS simulator", version="1", docs_url=None, redoc_url=None)
    endpoint = FluxEndpoint(
        control,
        app_key=app_key,
        app_secret=app_secret,
        hang_seconds=hang_seconds,
        slow_seconds=slow_seconds,
        stopping=stopping or threading.Event(),
    )
    app.add_api_route(PATH, endpoint, methods=["POST"])

    async def control_call(name: str, request: Request) -> Response:
        if name not in CONTROL_CALLS:
            return _json({"error": f"no control call {name!r}"}, 404)
        kwargs = await request.json() if await request.body() else {}
        if "lines" in kwargs and isinstance(kwargs["lines"], dict):
            kwargs["lines"] = {int(k): int(v) for k, v in kwargs["lines"].items()}
        try:
            result = getattr(control, name)(**kwargs)
        except (ValueError, TypeError, LookupError) as exc:
            return _json({"error": str(exc)}, 400)
        except Exception as exc:
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 409)
        if isinstance(result, list):
            result = [asdict(r) if hasattr(r, "__dataclass_fields__") else r for r in result]
        return _json({"result": result})

    app.add_api_route("/_control/{name}", control_call, methods=["POST"])
    return app
