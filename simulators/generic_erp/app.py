"""The simulator's FastAPI application: the ERP's API, its control API, the
fault middleware, and error answers in the ERP's one shape (never FastAPI's)."""

from __future__ import annotations

import threading

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from simulators.generic_erp.answers import error_answer
from simulators.generic_erp.api import api_router
from simulators.generic_erp.control import SimulatorControl
from simulators.generic_erp.control_routes import control_router
from simulators.generic_erp.middleware import FaultMiddleware, Timing
from simulators.generic_erp.state import ErpRefusal
from simulators.generic_erp.validate import RequestInvalid


def _install_error_answers(app: FastAPI) -> None:
    async def refusal(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ErpRefusal)
        extra = {} if exc.document is None else {"order": exc.document}
        return error_answer(exc.status, exc.code, exc.message, **extra)

    async def invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestInvalid)
        return error_answer(400, "BAD_REQUEST", str(exc), problems=exc.problems)

    async def bad_parameters(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
        return error_answer(400, "BAD_REQUEST", "; ".join(problems), problems=problems)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        return error_answer(exc.status_code, code, str(exc.detail))

    app.add_exception_handler(ErpRefusal, refusal)
    app.add_exception_handler(RequestInvalid, invalid)
    app.add_exception_handler(RequestValidationError, bad_parameters)
    app.add_exception_handler(HTTPException, http_error)


def create_app(
    control: SimulatorControl,
    *,
    api_key: str,
    timing: Timing | None = None,
    stopping: threading.Event | None = None,
) -> FastAPI:
    app = FastAPI(title="generic ERP simulator", version="1", docs_url=None, redoc_url=None)
    _install_error_answers(app)
    app.include_router(api_router(control.erp, api_key))
    app.include_router(control_router(control))
    app.add_middleware(
        FaultMiddleware,
        faults=control.faults,
        timing=timing or Timing(),
        stopping=stopping or threading.Event(),
    )
    return app
