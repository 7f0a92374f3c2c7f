"""How the simulator writes its answers: JSON with decimals as exact text, and
errors in the ERP's one shape, ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.responses import Response


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def answer(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, default=_encode)
    return Response(body, status_code=status, media_type="application/json")


def error_answer(status: int, code: str, message: str, **more: Any) -> Response:
    return answer({"error": {"code": code, "message": message}, **more}, status)
