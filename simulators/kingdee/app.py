"""The simulator's HTTP face: ``POST /k3cloud/{ServiceName}.common.kdsvc``, as
K3 Cloud's WebAPI, with faults applied before (or, for a lost answer, after)
an operation. Bodies: ``{"formid", "data"}`` with ``data`` an object or a JSON
string, or the older ``{"parameters": [formid, data]}``; logins take
``{"parameters": [...]}`` or named fields."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from connectors.mapping import jsonio
from simulators.kingdee.answers import K3Error, MsgCode, failure, json_answer
from simulators.kingdee.auth import Gate
from simulators.kingdee.faults import Call, FaultKind, FaultPlan
from simulators.kingdee.services import SALE_ORDER, WRITES, Services

SERVICE_PREFIX = "Kingdee.BOS.WebApi.ServicesStub."
LOGIN_NAMES = {"acctid": 0, "username": 1, "password": 2, "lcid": 3}
MALFORMED = b'{"Result": {"ResponseStatus": {"IsSuccess": tr'
WRONG_CONTENT = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
CANNED: dict[FaultKind | None, tuple[int, bytes, str]] = {
    FaultKind.SERVER_ERROR: (500, b"Internal Server Error", "text/plain"),
    FaultKind.UNAVAILABLE: (503, b"Service Unavailable", "text/plain"),
    FaultKind.MALFORMED_BODY: (200, MALFORMED, "application/json"),
    FaultKind.WRONG_CONTENT: (200, WRONG_CONTENT, "text/html"),
    FaultKind.NO_RESULT: (200, '{"Message": "服务暂不可用"}'.encode(), "application/json"),
}
FAULT_MESSAGES = {
    FaultKind.CONTEXT_LOST: (MsgCode.CONTEXT_LOST, None, "会话信息已丢失，请重新登录"),
    FaultKind.NETWORK_CONTROL: (
        MsgCode.NETWORK_CONTROL,
        None,
        "网络控制冲突：单据正被其他用户操作",
    ),
    FaultKind.CALL_LIMIT: (MsgCode.CALL_LIMIT, None, "接口调用次数超过限制，请稍后再试"),
    FaultKind.VALIDATION_FAILED: (MsgCode.VALIDATION, "FQty", "销售数量不能超过可用库存"),
}


@dataclass(frozen=True, slots=True)
class Timing:
    hang_seconds: float = 30.0
    slow_seconds: float = 0.2


def _login_parameters(body: Any) -> list[Any]:
    if isinstance(body, dict) and isinstance(body.get("parameters"), list):
        return list(body["parameters"])
    if isinstance(body, dict):  # ValidateUser's named form: acctID, username, password, lcid
        named = {key.lower(): value for key, value in body.items()}
        return [named.get(name) for name in LOGIN_NAMES]
    return []


def _operation_body(op: str, body: Any) -> tuple[Any, dict[str, Any]]:
    """(formid, data) from either body form; K3Error if neither fits."""
    if not isinstance(body, dict):
        raise K3Error.one(MsgCode.BAD_PARAMETER, "请求内容必须是 JSON 对象")
    if isinstance(body.get("parameters"), list):
        params = body["parameters"]
        formid, data = (None, params[0]) if op == "ExecuteBillQuery" else [*params, None, None][:2]
    else:
        formid, data = body.get("formid"), body.get("data")
    if isinstance(data, str):
        try:
            data = jsonio.loads(data)
        except ValueError:
            raise K3Error.one(MsgCode.BAD_PARAMETER, "data 不是合法的 JSON 文本") from None
    if not isinstance(data, dict):
        raise K3Error.one(MsgCode.BAD_PARAMETER, "data 必须是对象或 JSON 文本")
    return formid, data


class K3App:
    def __init__(
        self,
        services: Services,
        gate: Gate,
        faults: FaultPlan,
        timing: Timing,
        stopping: threading.Event,
    ) -> None:
        self.services, self.gate, self.faults = services, gate, faults
        self.timing, self.stopping = timing, stopping

    async def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(min(0.05, max(deadline - time.monotonic(), 0)))

    async def handle(self, request: Request, service: str) -> Response:
        if not service.startswith(SERVICE_PREFIX):
            return Response(f"no service {service}", status_code=404)
        group, _, op = service[len(SERVICE_PREFIX) :].rpartition(".")
        raw = await request.body()
        try:
            body = jsonio.loads(raw.decode("utf-8-sig")) if raw.strip() else {}
        except (ValueError, UnicodeDecodeError):
            body = None
        if group == "AuthService" and op in ("ValidateUser", "LoginByAppSecret", "LoginBySign"):
            return self._login(op, body)
        if group != "DynamicFormService" or not self.services.known(op):
            return Response(f"no service {service}", status_code=404)
        return await self._operate(request, op, body)

    def _login(self, op: str, body: Any) -> Response:
        answer, sid = self.gate.login(op, _login_parameters(body))
        response = json_answer(answer)
        if sid is not None:
            response.set_cookie("kdservice-sessionid", sid, path="/")
            response.set_cookie("ASP.NET_SessionId", sid, path="/", httponly=True)
        return response

    async def _operate(self, request: Request, op: str, body: Any) -> Response:
        query = op == "ExecuteBillQuery"
        try:
            formid, data = _operation_body(op, body)
        except K3Error as error:
            return json_answer(failure(error, query=query))
        if op == "ExcuteOperation" and isinstance(body, dict) and "opNumber" in body:
            data = {**data, "opNumber": body["opNumber"]}  # the SDK sends it beside data
        lookup = (
            formid == SALE_ORDER if op == "View" else query and data.get("FormId") == SALE_ORDER
        )
        fault = self.faults.take(Call(write=op in WRITES, pull=query, lookup=lookup))
        canned = await self._canned(fault)
        if canned is not None:
            return canned
        try:
            self.gate.check(request.url.path, request.headers, request.cookies)
        except K3Error as error:
            return json_answer(failure(error, query=query))
        if fault in FAULT_MESSAGES:
            code, field_name, message = FAULT_MESSAGES[fault]
            if fault is FaultKind.CONTEXT_LOST:
                self.gate.expire_sessions()
            return json_answer(failure(K3Error.one(code, message, field_name), query=query))
        answer: Any = self.services.run(op, formid, data, stale=fault is FaultKind.STALE_READ)
        if fault is FaultKind.DUPLICATE_RECORDS and isinstance(answer, list):
            answer = [row for row in answer for _ in (0, 1)]
        if fault is FaultKind.LOSE_ANSWER:
            await self._wait(self.timing.hang_seconds)
        return json_answer(answer)

    async def _canned(self, fault: FaultKind | None) -> Response | None:
        if fault in CANNED:
            status, body, media_type = CANNED[fault]
            return Response(body, status_code=status, media_type=media_type)
        if fault is FaultKind.TIMEOUT:
            await self._wait(self.timing.hang_seconds)
            return Response("too late", status_code=504)
        if fault is FaultKind.SLOW:
            await self._wait(self.timing.slow_seconds)
        return None


def create_app(k3: K3App) -> FastAPI:
    app = FastAPI(
        title="Kingdee K3 Cloud simulator", docs_url=None, redoc_url=None, openapi_url=None
    )

    @app.post("/k3cloud/{service}.common.kdsvc")
    async def call(request: Request, service: str) -> Response:
        return await k3.handle(request, service)

    return app
