"""Faults the Kingdee simulator answers with, for the next N calls that fit.

Besides the transport faults every simulator knows (5xx, hangs, broken
bodies), K3 Cloud has its own way of failing: HTTP 200 with
``ResponseStatus.IsSuccess`` false and a ``MsgCode`` (1 context lost, 13
network-control conflict, 14 call limit, 11 validation), or a JSON answer
without ``Result``. ``lose_answer`` waits for the next write (Save, Submit,
Audit...), ``stale_read`` for the next sales-order look-up, and
``duplicate_records`` for the next ExecuteBillQuery (a ``pull`` call). Login
calls are never faulted.
"""

from __future__ import annotations

from enum import StrEnum

from simulators.generic_erp.faults import Call, Plan


class FaultKind(StrEnum):
    SERVER_ERROR = "server_error"  # HTTP 500, nothing done
    UNAVAILABLE = "unavailable"  # HTTP 503, nothing done
    TIMEOUT = "timeout"  # no answer for ``hang_seconds``, nothing done
    SLOW = "slow"  # the answer comes after ``slow_seconds``
    MALFORMED_BODY = "malformed_body"  # 200 with JSON cut off, nothing done
    WRONG_CONTENT = "wrong_content"  # 200 with an HTML page, nothing done
    NO_RESULT = "no_result"  # 200 with JSON that has no ``Result``, nothing done
    LOSE_ANSWER = "lose_answer"  # the next write is done, then no answer for ``hang_seconds``
    STALE_READ = "stale_read"  # the next sales-order look-up finds nothing
    DUPLICATE_RECORDS = "duplicate_records"  # the next query lists every row twice
    CONTEXT_LOST = "context_lost"  # MsgCode 1: the sessions are dropped, nothing done
    NETWORK_CONTROL = "network_control"  # MsgCode 13, nothing done
    CALL_LIMIT = "call_limit"  # MsgCode 14, nothing done
    VALIDATION_FAILED = "validation_failed"  # IsSuccess false, MsgCode 11, nothing done


class FaultPlan(Plan[FaultKind]):
    def __init__(self) -> None:
        super().__init__(FaultKind)


__all__ = ["Call", "FaultKind", "FaultPlan"]
