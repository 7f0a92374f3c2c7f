"""Faults the warehouse can be told to suffer, for the next N calls that fit.

Calls to its API: ``server_error``, ``unavailable``, ``timeout``, ``slow``,
``malformed_body``, ``wrong_content`` (any call), ``lose_answer`` (the next
write is done, its answer lost), ``stale_read`` (the next order look-up misses),
``duplicate_records`` (the next pull repeats its records), ``refuse``
(``returnFlag 0`` with ``S002``: FLUX's "system error"), ``partial_success``
(the next write answers ``returnFlag 2``, naming a failed order of the batch
that is not the caller's).
Its pushes of shipment confirmations: ``bad_signature``, ``stale_timestamp``
(an hour old), ``duplicate_confirmation`` (sent twice, one messageid).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from simulators.fault_plan import FaultPlan as SharedPlan


class FaultKind(StrEnum):
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    SLOW = "slow"
    MALFORMED_BODY = "malformed_body"
    WRONG_CONTENT = "wrong_content"
    LOSE_ANSWER = "lose_answer"
    STALE_READ = "stale_read"
    DUPLICATE_RECORDS = "duplicate_records"
    REFUSE = "refuse"
    PARTIAL_SUCCESS = "partial_success"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    DUPLICATE_CONFIRMATION = "duplicate_confirmation"


WRITE_ONLY = frozenset({FaultKind.LOSE_ANSWER, FaultKind.PARTIAL_SUCCESS})
PULL_ONLY = frozenset({FaultKind.DUPLICATE_RECORDS})
LOOKUP_ONLY = frozenset({FaultKind.STALE_READ})
PUSH_ONLY = frozenset(
    {FaultKind.BAD_SIGNATURE, FaultKind.STALE_TIMESTAMP, FaultKind.DUPLICATE_CONFIRMATION}
)


@dataclass(frozen=True, slots=True)
class Call:
    write: bool = False
    pull: bool = False
    lookup: bool = False
    push: bool = False  # the warehouse pushing a confirmation out

    def fits(self, kind: FaultKind) -> bool:
        if kind in PUSH_ONLY:
            return self.push
        if self.push:
            return False
        if kind in WRITE_ONLY:
            return self.write
        if kind in PULL_ONLY:
            return self.pull
        if kind in LOOKUP_ONLY:
            return self.lookup
        return True


class FaultPlan(SharedPlan[FaultKind]):
    """Faults armed for the next calls, in the order armed (thread-safe)."""

    def __init__(self) -> None:
        super().__init__(FaultKind)
