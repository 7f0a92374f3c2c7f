"""K3 Cloud's answer shapes: ``Result.ResponseStatus`` for operations, a list of
rows for ExecuteBillQuery (its failure wrapped as ``[[{"Result": ...}]]``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from connectors.mapping import jsonio

CONTEXT_LOST_MESSAGE = "会话信息已丢失，请重新登录"


class MsgCode:
    NONE = 0
    CONTEXT_LOST = 1
    NO_PERMISSION = 2
    EXCEPTION = 4
    BAD_PARAMETER = 8
    FIELD_NOT_FOUND = 9
    NO_DATA = 10
    VALIDATION = 11
    NOT_OPERABLE = 12
    NETWORK_CONTROL = 13
    CALL_LIMIT = 14


@dataclass(frozen=True, slots=True)
class K3Error(Exception):
    """An operation K3 refuses: its MsgCode and its ``Errors`` entries."""

    msg_code: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def one(cls, msg_code: int, message: str, field_name: str | None = None) -> K3Error:
        return cls(msg_code, [{"FieldName": field_name, "Message": message, "DIndex": 0}])


def response_status(
    *,
    errors: list[dict[str, Any]] | None = None,
    msg_code: int = MsgCode.NONE,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    success = not errors
    return {
        "ErrorCode": 0 if success else 500,
        "IsSuccess": success,
        "Errors": errors or [],
        "SuccessEntitys": entities or [],
        "SuccessMessages": [],
        "MsgCode": msg_code,
    }


def operation_result(status: dict[str, Any], **more: Any) -> dict[str, Any]:
    first = (status["SuccessEntitys"] or [{}])[0]
    return {
        "Result": {
            "ResponseStatus": status,
            "Id": first.get("Id", ""),
            "Number": first.get("Number", ""),
            "NeedReturnData": [{}],
            **more,
        }
    }


def failure(error: K3Error, *, query: bool) -> Any:
    wrapped = {
        "Result": {"ResponseStatus": response_status(errors=error.errors, msg_code=error.msg_code)}
    }
    return [[wrapped]] if query else wrapped


def json_answer(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Decimals as JSON numbers, digit for digit, as K3 writes quantities and amounts.
    return Response(
        jsonio.dumps(data), status_code=status, media_type="application/json", headers=headers
    )
