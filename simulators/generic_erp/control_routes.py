"""``/_control/...``: the control object over HTTP, so a test or demo in another
process can drive the simulator (remote.py is its client). No API key: the
simulator listens on 127.0.0.1 and is never part of a production deployment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from simulators.generic_erp.answers import answer
from simulators.generic_erp.control import SimulatorControl
from simulators.generic_erp.validate import RequestInvalid, parse_json


async def _body(request: Request) -> dict[str, Any]:
    data = parse_json(await request.body())
    if not isinstance(data, dict):
        raise RequestInvalid(["the body must be a JSON object"])
    return data


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise RequestInvalid([f"{key} must be non-empty text"])
    return value


def _whole(data: dict[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestInvalid([f"{key} must be a whole number"])
    return value


def _lines(data: dict[str, Any]) -> dict[int, int] | None:
    """``{"1": 2}`` (JSON keys are text): line number -> quantity, or null for all."""
    raw = data.get("lines")
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(
        k.isdigit() and isinstance(v, int) and not isinstance(v, bool) for k, v in raw.items()
    ):
        raise RequestInvalid(['lines must look like {"1": 2} (line number: quantity) or null'])
    return {int(k): v for k, v in raw.items()}


def control_router(control: SimulatorControl) -> APIRouter:
    router = APIRouter(prefix="/_control")
    done = {"ok": True}

    @router.post("/reset")
    async def reset() -> Response:
        control.reset()
        return answer(done)

    @router.post("/faults")
    async def inject_fault(request: Request) -> Response:
        data = await _body(request)
        try:
            control.inject_fault(_text(data, "fault"), _whole(data, "times", 1))
        except ValueError as exc:
            raise RequestInvalid([str(exc)]) from exc
        return answer({"armed": control.faults.armed()})

    @router.get("/faults")
    async def armed_faults() -> Response:
        return answer({"armed": control.faults.armed()})

    @router.delete("/faults")
    async def clear_faults() -> Response:
        control.clear_faults()
        return answer(done)

    @router.post("/reject-next")
    async def reject_next(request: Request) -> Response:
        data = await _body(request)
        control.reject_next_order(_text(data, "code"), _text(data, "message"))
        return answer(done)

    @router.post("/auto-confirm")
    async def auto_confirm(request: Request) -> Response:
        on = (await _body(request)).get("on")
        if not isinstance(on, bool):
            raise RequestInvalid(["on must be true or false"])
        control.set_auto_confirm(on)
        return answer(done)

    @router.post("/settle")
    async def settle() -> Response:
        control.settle()
        return answer(done)

    @router.get("/documents")
    async def documents(external_ref: Annotated[str, Query(alias="externalRef")]) -> Response:
        return answer({"documents": control.documents(external_ref)})

    @router.post("/shipments")
    async def ship(request: Request) -> Response:
        data = await _body(request)
        return answer({"shipmentNo": control.ship(_text(data, "externalRef"), _lines(data))})

    @router.post("/invoices")
    async def invoice(request: Request) -> Response:
        data = await _body(request)
        return answer({"invoiceNo": control.invoice(_text(data, "externalRef"))})

    @router.put("/stock")
    async def set_stock(request: Request) -> Response:
        data = await _body(request)
        key = control.set_stock(
            _text(data, "warehouse"), _text(data, "material"), _whole(data, "quantity")
        )
        return answer({"key": key})

    @router.post("/customers")
    async def add_customer(request: Request) -> Response:
        data = await _body(request)
        control.add_customer(_text(data, "code"), _text(data, "name"))
        return answer(done)

    @router.post("/materials")
    async def add_material(request: Request) -> Response:
        data = await _body(request)
        control.add_material(_text(data, "code"), _text(data, "name"))
        return answer(done)

    @router.post("/unmappable")
    async def add_unmappable(request: Request) -> Response:
        feed = _text(await _body(request), "feed")
        try:
            return answer({"key": control.add_unmappable(feed)})
        except ValueError as exc:
            raise RequestInvalid([str(exc)]) from exc

    return router
