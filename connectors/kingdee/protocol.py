"""What K3 Cloud's WebAPI answers mean, read into our error tree.

    Result.ResponseStatus.IsSuccess true          -> the answer
    IsSuccess false, MsgCode 1 (context lost)     -> ContextLost: log in again, retry once
    MsgCode 13 (network control), 14 (call limit), 4 (exception), 6 (database)
                                                  -> TransientError
    MsgCode 2 (no permission)                     -> PermanentError "permission_denied"
    MsgCode 8, 9 (bad parameter, no such field)   -> PermanentError "bad_request" (our body)
    any other with Errors (11 validation, 12 ...) -> BusinessRejection, every
                                                     Errors[].FieldName and Message kept
    not JSON, no Result, rows not a list          -> TransientError, saying which
ExecuteBillQuery answers rows, ``[[v1, v2...], ...]``, or a failure wrapped
as ``[[{"Result": {"ResponseStatus": ...}}]]``.
"""

from __future__ import annotations

from typing import Any

from dms_domain.errors import BusinessRejection, PermanentError, TransientError

SERVICES = "Kingdee.BOS.WebApi.ServicesStub."
DYNAMIC_FORM = SERVICES + "DynamicFormService."
AUTH_SERVICE = SERVICES + "AuthService."

CONTEXT_LOST = 1
TRANSIENT_CODES = frozenset({4, 6, 13, 14})
PERMISSION = 2
OUR_MISTAKE = frozenset({8, 9})


class ContextLost(TransientError):
    """The session is gone (MsgCode 1): log in again and retry the call once."""

    code = "context_lost"


def service(name: str) -> str:
    """The path of a service under the K3 Cloud root."""
    return f"{name}.common.kdsvc"


def _errors(status: dict[str, Any]) -> list[dict[str, Any]]:
    found = status.get("Errors")
    return [
        {
            "field": e.get("FieldName") or None,
            "message": str(e.get("Message") or ""),
            "index": e.get("DIndex"),
        }
        for e in (found if isinstance(found, list) else [])
        if isinstance(e, dict)
    ]


def response_status(answer: Any, where: str) -> dict[str, Any]:
    result = answer.get("Result") if isinstance(answer, dict) else None
    status = result.get("ResponseStatus") if isinstance(result, dict) else None
    if not isinstance(status, dict):
        raise TransientError(
            f"{where}: the answer has no Result.ResponseStatus: {str(answer)[:200]}"
        )
    return status


def check_status(status: dict[str, Any], where: str, system: str) -> None:
    """Nothing if the operation succeeded; else the error its MsgCode means."""
    if status.get("IsSuccess") is True:
        return
    code = status.get("MsgCode")
    errors = _errors(status)
    text = (
        "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        or f"IsSuccess false, MsgCode {code}"
    )
    if code == CONTEXT_LOST:
        raise ContextLost(f"{where}: {text}")
    if code in TRANSIENT_CODES:
        raise TransientError(f"{where}: MsgCode {code}: {text}", msg_code=code)
    if code == PERMISSION:
        raise PermanentError(f"{where}: no permission: {text}", code="permission_denied")
    if code in OUR_MISTAKE:
        raise PermanentError(f"{where}: MsgCode {code}: {text}", code="bad_request", errors=errors)
    first_field = next((e["field"] for e in errors if e["field"]), None)
    raise BusinessRejection(
        text,
        code=first_field or f"K3_MSGCODE_{code}",
        system=system,
        call=where,
        msg_code=code,
        errors=errors,
    )


def operation_result(answer: Any, where: str, system: str) -> dict[str, Any]:
    """``Result`` of a successful Save/Submit/Audit/View/...; raises otherwise."""
    check_status(response_status(answer, where), where, system)
    result: dict[str, Any] = answer["Result"]
    return result


def query_rows(answer: Any, width: int, where: str, system: str) -> list[list[Any]]:
    """ExecuteBillQuery's rows, each ``width`` values long; raises on a failure."""
    if isinstance(answer, dict):  # a failure not wrapped in rows, or a broken answer
        check_status(response_status(answer, where), where, system)
    if not isinstance(answer, list):
        raise TransientError(f"{where}: the answer is not a list of rows: {str(answer)[:200]}")
    if answer and isinstance(answer[0], list) and answer[0] and isinstance(answer[0][0], dict):
        check_status(response_status(answer[0][0], where), where, system)
        raise TransientError(f"{where}: a failure answer that says it succeeded: {answer!r:.200}")
    for row in answer:
        if not isinstance(row, list) or len(row) != width:
            raise TransientError(f"{where}: a row is not {width} values: {str(row)[:200]}")
    return answer
