"""FLUX's envelope as the warehouse reads and writes it: the system parameters
(from the query string or a form body), the ``data`` text, and the answer
``{"Response": {"return": {"returnFlag", "returnCode", "returnDesc", "resultInfo"}}}``.

``returnFlag`` is "1" when every order of the call went through, "0" when none
did (or the call itself was refused), "2" when some did: ``resultInfo`` names
each order with its ``errorcode`` ("0000" for success).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

SYSTEM_PARAMETERS = (
    "method",
    "client_customerid",
    "client_db",
    "messageid",
    "appkey",
    "timestamp",
    "format",
    "sign",
)
OK = "0000"
FAILED = "0001"
SIGN_ERROR = "S001"
SYSTEM_ERROR = "S002"
DATA_ERROR = "S003"


class CallRefused(Exception):
    """The whole call is refused: ``returnFlag`` 0 with this code and text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FluxCall:
    params: dict[str, str]
    data: str

    @property
    def method(self) -> str:
        return self.params.get("method", "")


def read_call(query: dict[str, str], body: bytes, content_type: str) -> FluxCall:
    params = dict(query)
    data = params.pop("data", None)
    text = body.decode("utf-8", errors="replace")
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(text, keep_blank_values=True))
        data = form.pop("data", data)
        params.update(form)
    elif text.strip():
        data = text  # the data as the raw body, as some clients send it
    missing = [name for name in SYSTEM_PARAMETERS if not params.get(name)]
    if data is None or not data.strip():
        missing.append("data")
    if missing or data is None:
        raise CallRefused(SIGN_ERROR, f"系统级参数不完整: {', '.join(missing)}")
    return FluxCall(params, data)


def answer_body(flag: str, code: str, text: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Response": {
            "return": {
                "returnFlag": flag,
                "returnCode": code,
                "returnDesc": text,
                "resultInfo": results,
            }
        }
    }


def batch_answer(results: list[dict[str, Any]]) -> dict[str, Any]:
    failed = [r for r in results if r.get("errorcode") != OK]
    if not failed:
        return answer_body("1", OK, "成功", results)
    if len(failed) == len(results):
        return answer_body("0", FAILED, str(failed[0].get("errordescr") or "失败"), results)
    return answer_body("2", FAILED, f"部分成功: {len(failed)} 单失败", results)


def refusal_body(refusal: CallRefused) -> dict[str, Any]:
    return answer_body("0", refusal.code, refusal.message, [])


def headers_of(data: Any, *path: str) -> list[dict[str, Any]]:
    """The list at ``path`` inside ``data`` (one object is a list of one)."""
    value: Any = data
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise CallRefused(DATA_ERROR, f"data 缺少 {'.'.join(path)}")
    return value


def parse_data(call: FluxCall) -> Any:
    if call.params.get("format", "").lower() != "json":
        raise CallRefused(DATA_ERROR, "this warehouse takes format=json only")
    try:
        return json.loads(call.data)
    except ValueError as exc:
        raise CallRefused(DATA_ERROR, f"data 不是 JSON: {exc}") from exc
