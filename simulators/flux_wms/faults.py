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

from simulators.generic_erp import faults as generic


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


PUSH_ONLY = frozenset(
    {FaultKind.BAD_SIGNATURE, FaultKind.STALE_TIMESTAMP, FaultKind.DUPLICATE_CONFIRMATION}
)


@dataclass(frozen=True, slots=True)
class Call(generic.Call):
    """A call to the warehouse's API, or (``push``) the warehouse pushing out."""

    push: bool = False

    def fits(self, kind: StrEnum) -> bool:
        if kind in PUSH_ONLY:
            return self.push
        if self.push:
            return False
        if kind == FaultKind.PARTIAL_SUCCESS:
            return self.write
        return generic.Call.fits(self, kind)


class FaultPlan(generic.Plan[FaultKind]):
    """Faults armed for the next calls, in the order armed (thread-safe)."""

    def __init__(self) -> None:
        super().__init__(FaultKind)
