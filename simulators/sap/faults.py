"""Faults the SAP simulator answers with, for the next N calls that fit.

The contract suite's faults (``connectors.testing.Fault``) plus SAP's own:
``unsafe_answer`` (an envelope with a DTD and entities, as a hostile or broken
gateway might send), ``soap_client_fault`` (a ``soap:Client`` fault, as for
an envelope SAP cannot read). Control calls are never faulted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum


class SapFault(StrEnum):
    SERVER_ERROR = "server_error"  # SOAP: soap:Server fault (500); OData: 500 error body
    UNAVAILABLE = "unavailable"  # 503 from the ICM, an HTML page
    TIMEOUT = "timeout"  # no answer for ``hang_seconds``, nothing done
    SLOW = "slow"  # the answer after ``slow_seconds``
    MALFORMED_BODY = "malformed_body"  # 200 with an envelope / JSON cut off, nothing done
    WRONG_CONTENT = "wrong_content"  # 200 with an HTML logon page, nothing done
    LOSE_ANSWER = "lose_answer"  # the next write is done, then no answer for ``hang_seconds``
    DUPLICATE_RECORDS = "duplicate_records"  # the next pull lists every record twice
    STALE_READ = "stale_read"  # the next order look-up finds nothing
    UNSAFE_ANSWER = "unsafe_answer"  # 200 with a DTD and an entity in the answer
    SOAP_CLIENT_FAULT = "soap_client_fault"  # a soap:Client fault, nothing done


WRITE_ONLY = frozenset({SapFault.LOSE_ANSWER})
PULL_ONLY = frozenset({SapFault.DUPLICATE_RECORDS})
LOOKUP_ONLY = frozenset({SapFault.STALE_READ})


@dataclass(frozen=True, slots=True)
class Call:
    write: bool = False
    pull: bool = False
    lookup: bool = False

    def fits(self, kind: SapFault) -> bool:
        if kind in WRITE_ONLY:
            return self.write
        if kind in PULL_ONLY:
            return self.pull
        if kind in LOOKUP_ONLY:
            return self.lookup
        return True


class FaultPlan:
    """Armed faults, taken in the order they were armed (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[list[SapFault | int]] = []

    def arm(self, kind: str, times: int = 1) -> None:
        fault = SapFault(kind)
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        with self._lock:
            self._armed.append([fault, times])

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, call: Call) -> SapFault | None:
        with self._lock:
            for entry in self._armed:
                kind, left = entry
                assert isinstance(kind, SapFault)
                assert isinstance(left, int)
                if call.fits(kind):
                    entry[1] = left - 1
                    if left == 1:
                        self._armed.remove(entry)
                    return kind
        return None
