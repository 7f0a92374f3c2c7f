"""Faults armed for a simulator's next calls, taken in the order they were
armed (thread-safe). Each simulator names its own fault kinds (a ``StrEnum``)
and which calls each fits (a ``Call`` with ``fits(kind)``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

K = TypeVar("K", bound=StrEnum)
K_contra = TypeVar("K_contra", bound=StrEnum, contravariant=True)


class FitsKinds(Protocol[K_contra]):
    def fits(self, kind: K_contra, /) -> bool: ...


@dataclass(slots=True)
class _Armed(Generic[K]):
    kind: K
    left: int


class FaultPlan(Generic[K]):
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

    def take(self, call: FitsKinds[K]) -> K | None:
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
