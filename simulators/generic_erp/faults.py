"""Faults the simulator can be told to answer with, for the next N calls.

Most faults hit the next calls of any kind. Some only make sense for some:
``lose_answer`` and ``refuse_write`` wait for the next call that changes
something (it acts, then the answer is lost; or it is refused with a 400),
``stale_read`` for the next order look-up, and ``duplicate_records`` for the
next pull.
Control calls (``/_control/...``) are never faulted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar


class FaultKind(StrEnum):
    SERVER_ERROR = "server_error"  # 500 with a JSON error
    UNAVAILABLE = "unavailable"  # 503, as a gateway in front of a restarting ERP
    TIMEOUT = "timeout"  # no answer for ``hang_seconds``, nothing done
    SLOW = "slow"  # the answer comes after ``slow_seconds`` (meant to be within timeouts)
    MALFORMED_BODY = "malformed_body"  # 200 with truncated JSON, nothing done
    WRONG_CONTENT = "wrong_content"  # 200 with an HTML page, nothing done
    LOSE_ANSWER = "lose_answer"  # the next write is done, then no answer for ``hang_seconds``
    DUPLICATE_RECORDS = "duplicate_records"  # the next pull lists every record twice
    STALE_READ = "stale_read"  # the next look-up misses what exists, as a lagging index does
    # 400 to the next write, as an ERP does after an upgrade changed what it accepts:
    # not a business "no", not worth retrying; the hub's job fails for good.
    REFUSE_WRITE = "refuse_write"


WRITE_ONLY = frozenset({FaultKind.LOSE_ANSWER, FaultKind.REFUSE_WRITE})
PULL_ONLY = frozenset({FaultKind.DUPLICATE_RECORDS})
LOOKUP_ONLY = frozenset({FaultKind.STALE_READ})


@dataclass(frozen=True, slots=True)
class Call:
    """What kind of API call is being answered, to pick the faults that fit it."""

    write: bool = False
    pull: bool = False
    lookup: bool = False

    def fits(self, kind: StrEnum) -> bool:
        # By value, so another simulator's kinds of the same names fit the same calls.
        if kind in WRITE_ONLY:
            return self.write
        if kind in PULL_ONLY:
            return self.pull
        if kind in LOOKUP_ONLY:
            return self.lookup
        return True


K = TypeVar("K", bound=StrEnum)


@dataclass(slots=True)
class _Armed(Generic[K]):
    kind: K
    left: int


class Plan(Generic[K]):
    """Faults of one simulator's kinds armed for the next calls, taken in the order
    they were armed (thread-safe)."""

    def __init__(self, kinds: type[K]) -> None:
        self._kinds = kinds
        self._lock = threading.Lock()
        self._armed: list[_Armed[K]] = []

    def arm(self, kind: K | str, times: int = 1) -> None:
        fault = self._kinds(kind)
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        with self._lock:
            self._armed.append(_Armed(fault, times))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, call: Call) -> K | None:
        """The fault this call must suffer, if any (and one fewer left of it)."""
        with self._lock:
            for entry in self._armed:
                if call.fits(entry.kind):
                    entry.left -= 1
                    if entry.left == 0:
                        self._armed.remove(entry)
                    return entry.kind
        return None

    def armed(self) -> list[tuple[str, int]]:
        with self._lock:
            return [(entry.kind.value, entry.left) for entry in self._armed]


class FaultPlan(Plan[FaultKind]):
    def __init__(self) -> None:
        super().__init__(FaultKind)
