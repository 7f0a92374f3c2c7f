"""Faults the Kingdee simulator answers with, for the next N calls that fit.

Besides the transport faults every simulator knows (5xx, hangs, broken
bodies), K3 Cloud has its own way of failing: HTTP 200 with
``ResponseStatus.IsSuccess`` false and a ``MsgCode`` (1 context lost, 13
network-control conflict, 14 call limit, 11 validation), or a JSON answer
without ``Result``. Login calls and ``/_control/...`` are never faulted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum


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
    CONTEXT_LOST = "context_lost"  # MsgCode 1: the session is dropped, nothing done
    NETWORK_CONTROL = "network_control"  # MsgCode 13, nothing done
    CALL_LIMIT = "call_limit"  # MsgCode 14, nothing done
    VALIDATION_FAILED = "validation_failed"  # IsSuccess false, MsgCode 11, nothing done


WRITE_ONLY = frozenset({FaultKind.LOSE_ANSWER})
QUERY_ONLY = frozenset({FaultKind.DUPLICATE_RECORDS})
LOOKUP_ONLY = frozenset({FaultKind.STALE_READ})


@dataclass(frozen=True, slots=True)
class Call:
    """The kind of call being answered, to pick the faults that fit it."""

    write: bool = False
    query: bool = False
    lookup: bool = False  # a View or query of sales orders

    def fits(self, kind: FaultKind) -> bool:
        if kind in WRITE_ONLY:
            return self.write
        if kind in QUERY_ONLY:
            return self.query
        if kind in LOOKUP_ONLY:
            return self.lookup
        return True


@dataclass(slots=True)
class _Armed:
    kind: FaultKind
    left: int


class FaultPlan:
    """Faults armed for the next calls, taken in the order armed (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []

    def arm(self, kind: FaultKind | str, times: int = 1) -> None:
        fault = FaultKind(kind)
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        with self._lock:
            self._armed.append(_Armed(fault, times))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, call: Call) -> FaultKind | None:
        with self._lock:
            for entry in self._armed:
                if call.fits(entry.kind):
                    entry.left -= 1
                    if entry.left == 0:
                        self._armed.remove(entry)
                    return entry.kind
        return None
