"""RFC 9457 problem documents for every error the server returns, framework ones included."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dms_domain.errors import (
    ConfigurationError,
    DmsError,
    ExternalSystemError,
    InvalidInput,
    NotFound,
    Refused,
)
from hub.jsonable import jsonable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:dms-hub:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(jsonable(extra))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_path(loc: Sequence[str | int]) -> str:
    """("body", "lines", 0, "qty") -> "lines[0].qty"; ("header", "idempotency-key") -> same."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        source = parts.pop(0)
        if not parts:
            return str(source)
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    if error.get("type") == "missing":
        return "is required"
    value = error.get("input")
    if isinstance(value, str | int | float | bool):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        if shown not in message:
            message += f" (got {shown})"
    return message


# Limits a client may show in its own words beside the error's ``type``.
_LIMITS = ("gt", "ge", "lt", "le", "min_length", "max_length", "max_digits", "decimal_places")


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``errors``: the field, the message, and the validator's
    stable ``type`` (with its ``limits``) for a client that words it itself."""
    found: dict[str, Any] = {"field": field_path(error.get("loc", ())), "message": _message(error)}
    if isinstance(error.get("type"), str):
        found["type"] = error["type"]
    context = error.get("ctx") or {}
    limits = {k: context[k] for k in _LIMITS if isinstance(context.get(k), int | float | str)}
    if limits:
        found["limits"] = {k: str(v) for k, v in limits.items()}
    return found


def validation_problem(errors: Sequence[dict[str, Any]]) -> JSONResponse:
    fields = [_field_error(e) for e in errors]
    first = fields[0] if fields else {"field": "body", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}"
    if len(fields) > 1:
        detail += f" (and {len(fields) - 1} more)"
    return problem(422, "validation_failed", detail, errors=fields)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(list(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODES_BY_STATUS.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return problem(exc.status_code, code, detail, headers=dict(exc.headers or {}))

    @app.exception_handler(DmsError)
    async def _domain(_: Request, exc: DmsError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal_error", "the server failed; the error is logged")


def domain_problem(exc: DmsError) -> JSONResponse:
    if isinstance(exc, InvalidInput):
        errors = [e.as_dict() for e in exc.errors]
        return problem(422, exc.code, exc.detail, errors=errors)
    if isinstance(exc, NotFound):
        return problem(404, exc.code, exc.detail)
    if isinstance(exc, Refused):
        headers = None
        if exc.status == 429 and "retry_after" in exc.extra:
            headers = {"Retry-After": str(exc.extra["retry_after"])}
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return problem(exc.status, exc.code, exc.detail, headers=headers, **exc.extra)
    if isinstance(exc, ConfigurationError):
        log.error("configuration error: %s", exc.detail)
        return problem(500, exc.code, exc.detail)
    if isinstance(exc, ExternalSystemError):
        return problem(502, exc.code, exc.detail)
    return problem(500, exc.code, exc.detail)
