"""Dealers: tiers and the status lifecycle."""

from __future__ import annotations

from enum import StrEnum

from dms_domain.errors import Refused


class Tier(StrEnum):
    STRATEGIC = "strategic"
    CORE = "core"
    STANDARD = "standard"


class DealerStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


# prospect -> active, active <-> suspended, any -> terminated (final).
_ALLOWED: dict[DealerStatus, frozenset[DealerStatus]] = {
    DealerStatus.PROSPECT: frozenset({DealerStatus.ACTIVE, DealerStatus.TERMINATED}),
    DealerStatus.ACTIVE: frozenset({DealerStatus.SUSPENDED, DealerStatus.TERMINATED}),
    DealerStatus.SUSPENDED: frozenset({DealerStatus.ACTIVE, DealerStatus.TERMINATED}),
    DealerStatus.TERMINATED: frozenset(),
}


def can_transition(current: DealerStatus, new: DealerStatus) -> bool:
    return current == new or new in _ALLOWED[current]


def check_transition(code: str, current: DealerStatus, new: DealerStatus) -> None:
    """Raise ``Refused`` (409 ``invalid_status_transition``) for a forbidden move."""
    if not can_transition(current, new):
        raise Refused(
            f"dealer {code}: status cannot go from {current.value!r} to {new.value!r}",
            code="invalid_status_transition",
            status=409,
            field="status",
            current=current.value,
            requested=new.value,
        )
