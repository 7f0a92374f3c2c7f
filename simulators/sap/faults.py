"""Faults the SAP simulator answers with, for the next N calls that fit.

The contract suite's faults (``connectors.testing.Fault``) plus SAP's own:
``unsafe_answer`` (an envelope with a DTD and entities, as a hostile or broken
gateway might send), ``soap_client_fault`` (a ``soap:Client`` fault, as for
an envelope SAP cannot read). Control calls are never faulted.
"""

from __future__ import annotations

from enum import StrEnum

from simulators.generic_erp.faults import Call, Plan


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


class FaultPlan(Plan[SapFault]):
    def __init__(self) -> None:
        super().__init__(SapFault)


__all__ = ["Call", "FaultPlan", "SapFault"]
